/* tests/test_config_errors.c: io/config.c and io/json_set.c refuse bad configurations with the
 * right code and a message naming file, field, expected and actual value (README "Configuration"),
 * and every experiment config under experiments/ parses. Valid configs: tests/test_config.c. */
#include <check.h>
#include <dirent.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../io/config_samples.h"
#include "../step/desire_train.h"
#include "../step/rate_train.h"
#include "../step/rules.h"
#include "../step/train.h"
#include "config_fixture.h"
#include "io/config.h"
#include "io/json_set.h"
#include "run_suite.h"

#define POP_E "{'name': 'E', 'n': 4, 'model': 'lif_delta'}"

START_TEST(config_reports_malformed_json_with_line_and_column)
{
    parse_fails("{\n  'populations': [1,\n}\n", NULL, 0, SQ_ECONFIG,
                "net.json:3:1: malformed JSON: unexpected token near '}'");
    parse_fails("{'populations': [], 'populations': []}", NULL, 0, SQ_ECONFIG,
                "net.json:1:33: malformed JSON: duplicate object key near '\"populations\"'");
}
END_TEST

START_TEST(config_reports_an_unreadable_file)
{
    sq_config *c = (sq_config *)&c;
    sq_err err = {0, ""};
    ck_assert_int_eq(sq_config_load("/nonexistent-sq-dir/nope.json", NULL, 0, &c, &err), SQ_EIO);
    ck_assert_str_eq(err.msg, "/nonexistent-sq-dir/nope.json: cannot read: No such file or directory");
    ck_assert_ptr_null(c);
    ck_assert_int_eq(sq_config_load("/tmp", NULL, 0, &c, &err), SQ_EIO);
    ck_assert_str_eq(err.msg, "/tmp: cannot read: Is a directory");
}
END_TEST

START_TEST(config_rejects_an_unknown_field)
{
    parse_fails("{'populations': [{'name': 'E', 'n': 4, 'model': 'lif_delta', 'parms': {}}]}", NULL, 0,
                SQ_ECONFIG, "net.json: populations[0].parms: unknown field (expected one of: name, n, "
                            "model, params, v_init, overrides, spike_times, rate, start, stop, encoder)");
    parse_fails("{'simulaton': {}, 'populations': [" POP_E "]}", NULL, 0, SQ_ECONFIG,
                "net.json: simulaton: unknown field (expected one of: description, simulation, output, "
                "populations, projections, devices)");
    parse_fails("{'populations': [" POP_E "], 'projections': [{'source': 'E', 'target': 'E',"
                " 'weight': 1, 'connector': {'rule': 'all_to_all', 'p': 0.1}}]}",
                NULL, 0, SQ_ECONFIG,
                "net.json: projections[0].connector.p: unknown field (expected one of: rule, autapses, "
                "multapses)");
    parse_fails("{'populations': [" POP_E "], 'devices': [{'name': 'd', 'type': 'dc_generator', "
                "'amplitude': 1, 'rate': 3, 'targets': ['E']}]}", NULL, 0, SQ_ECONFIG,
                "net.json: devices[0].rate: unknown field (expected one of: name, type, amplitude, start, "
                "stop, targets, receptor)");
}
END_TEST

START_TEST(config_rejects_an_unknown_model_listing_the_known_ones)
{
    parse_fails("{'populations': [{'name': 'E', 'n': 4, 'model': 'lif'}]}", NULL, 0, SQ_ECONFIG,
                "net.json: populations[0].model: expected one of lif_delta, lif_exp, lif_exp_grid, lif_cond_exp, two_compartment, izhikevich, spike_source, poisson_source, got \"lif\"");
}
END_TEST

START_TEST(config_rejects_an_unknown_parameter_listing_the_models_table)
{
    parse_fails("{'populations': [{'name': 'E', 'n': 4, 'model': 'lif_delta', 'params': {'tau': 1}}]}",
                NULL, 0, SQ_ECONFIG,
                "net.json: populations[0].params.tau: unknown parameter of model lif_delta (expected "
                "one of: tau_m, C_m, E_L, V_th, V_reset, t_ref, I_e)");
    parse_fails("{'populations': [{'name': 'E', 'n': 4, 'model': 'lif_delta',"
                " 'overrides': [{'id': 0, 'params': {'tau_syn_ex': 1}}]}]}", NULL, 0, SQ_ECONFIG,
                "net.json: populations[0].overrides[0].params.tau_syn_ex: unknown parameter of model "
                "lif_delta (expected one of: tau_m, C_m, E_L, V_th, V_reset, t_ref, I_e)");
}
END_TEST

START_TEST(config_rejects_wrong_types)
{
    parse_fails("{'populations': [{'name': 'E', 'n': 4, 'model': 'lif_delta', 'params': {'tau_m': 'fast'}}]}",
                NULL, 0, SQ_ECONFIG,
                "net.json: populations[0].params.tau_m: expected a number in ms, got \"fast\"");
    parse_fails("{'simulation': {'t_stop': [1]}, 'populations': [" POP_E "]}", NULL, 0, SQ_ECONFIG,
                "net.json: simulation.t_stop: expected a number in ms, got an array");
    parse_fails("{'populations': [" POP_E "], 'projections': [{'source': 'E', 'target': 'E', "
                "'weight': true, 'connector': {'rule': 'one_to_one'}}]}", NULL, 0, SQ_ECONFIG,
                "net.json: projections[0].weight: expected a number in mV or a distribution object, got true");
    parse_fails("{'populations': [" POP_E "], 'projections': [{'source': 'E', 'target': 'E', "
                "'weight': 1, 'connector': {'rule': 'one_to_one', 'autapses': 0}}]}", NULL, 0, SQ_ECONFIG,
                "net.json: projections[0].connector.autapses: expected true or false, got 0");
    parse_fails("{'populations': [" POP_E "], 'output': {'spikes_file': 3}}", NULL, 0, SQ_ECONFIG,
                "net.json: output.spikes_file: expected a non-empty file name, got 3");
    parse_fails("[1, 2]", NULL, 0, SQ_ECONFIG, "net.json: expected an object at the top level");
    parse_fails("{'populations': {}}", NULL, 0, SQ_ECONFIG,
                "net.json: populations: expected a non-empty array of population objects, got an object");
}
END_TEST

START_TEST(config_rejects_bad_integers)
{
    parse_fails("{'populations': [{'name': 'E', 'n': 0, 'model': 'lif_delta'}]}", NULL, 0, SQ_ECONFIG,
                "net.json: populations[0].n: expected a positive integer, got 0");
    parse_fails("{'populations': [{'name': 'E', 'n': 2.5, 'model': 'lif_delta'}]}", NULL, 0, SQ_ECONFIG,
                "net.json: populations[0].n: expected a positive integer, got 2.5");
    parse_fails("{'populations': [{'name': 'E', 'n': 4294967296, 'model': 'lif_delta'}]}", NULL, 0,
                SQ_ECONFIG,
                "net.json: populations[0].n: expected a positive integer no larger than 4294967295, "
                "got 4294967296");
    parse_fails("{'simulation': {'seed': -1}, 'populations': [" POP_E "]}", NULL, 0, SQ_ECONFIG,
                "net.json: simulation.seed: expected a non-negative integer, got -1");
    parse_fails("{'simulation': {'threads': 0}, 'populations': [" POP_E "]}", NULL, 0, SQ_ECONFIG,
                "net.json: simulation.threads: expected a positive integer, got 0");
    parse_fails("{'populations': [{'name': 'E', 'n': 4, 'model': 'lif_delta',"
                " 'overrides': [{'id': 4, 'params': {}}]}]}", NULL, 0, SQ_ECONFIG,
                "net.json: populations[0].overrides[0].id: expected a neuron index no larger than 3, got 4");
}
END_TEST

START_TEST(config_rejects_non_positive_run_times)
{
    parse_fails("{'simulation': {'t_stop': -5}, 'populations': [" POP_E "]}", NULL, 0, SQ_ECONFIG,
                "net.json: simulation.t_stop: expected a positive number in ms, got -5");
}
END_TEST

START_TEST(config_rejects_an_unknown_population_reference)
{
    parse_fails("{'populations': [" POP_E "], 'projections': [{'source': 'E', 'target': 'X', "
                "'weight': 1, 'connector': {'rule': 'one_to_one'}}]}", NULL, 0, SQ_ECONFIG,
                "net.json: projections[0].target: expected the name of a population (one of: E), got \"X\"");
    parse_fails("{'populations': [" POP_E "], 'output': {'record_spikes': ['E', 'F']}}", NULL, 0,
                SQ_ECONFIG,
                "net.json: output.record_spikes[1]: expected the name of a population (one of: E), got \"F\"");
    parse_fails("{'populations': [" POP_E "], 'devices': [{'name': 'd', 'type': 'dc_generator', "
                "'amplitude': 1, 'targets': ['E', 'G']}]}", NULL, 0, SQ_ECONFIG,
                "net.json: devices[0].targets[1]: expected the name of a population (one of: E), got \"G\"");
}
END_TEST

START_TEST(config_rejects_a_duplicate_name)
{
    parse_fails("{'populations': [" POP_E ", " POP_E "]}", NULL, 0, SQ_ECONFIG,
                "net.json: populations[1].name: expected a unique population name, got \"E\" (also the "
                "name of populations[0])");
    parse_fails("{'populations': [" POP_E "], 'devices': ["
                "{'name': 'd', 'type': 'dc_generator', 'amplitude': 1, 'targets': ['E']},"
                "{'name': 'd', 'type': 'dc_generator', 'amplitude': 2, 'targets': ['E']}]}", NULL, 0,
                SQ_ECONFIG,
                "net.json: devices[1].name: expected a unique device name, got \"d\" (also the name of "
                "devices[0])");
    parse_fails("{'populations': [{'name': 'a.b', 'n': 1, 'model': 'lif_delta'}]}", NULL, 0, SQ_ECONFIG,
                "net.json: populations[0].name: expected a non-empty name without '/', '.', '[', ']' or "
                "'=', got \"a.b\"");
}
END_TEST

START_TEST(config_rejects_bad_connectors)
{
    parse_fails("{'populations': [" POP_E "], 'projections': [{'source': 'E', 'target': 'E', "
                "'weight': 1, 'connector': {'rule': 'random'}}]}", NULL, 0, SQ_ECONFIG,
                "net.json: projections[0].connector.rule: expected one of all_to_all, one_to_one, "
                "fixed_probability, fixed_indegree, fixed_outdegree, fixed_total_number, got \"random\"");
    parse_fails("{'populations': [" POP_E "], 'projections': [{'source': 'E', 'target': 'E', "
                "'weight': 1, 'connector': {'rule': 'fixed_indegree'}}]}", NULL, 0, SQ_ECONFIG,
                "net.json: projections[0].connector.indegree: expected a non-negative integer, got nothing");
    parse_fails("{'populations': [" POP_E "], 'projections': [{'source': 'E', 'target': 'E', "
                "'weight': 1}]}", NULL, 0, SQ_ECONFIG,
                "net.json: projections[0].connector: expected a connector object {\"rule\": ...}, got nothing");
}
END_TEST

START_TEST(config_rejects_malformed_distributions)
{
    parse_fails("{'populations': [{'name': 'E', 'n': 4, 'model': 'lif_delta', "
                "'v_init': {'dist': 'gauss', 'mean': 1}}]}", NULL, 0, SQ_ECONFIG,
                "net.json: populations[0].v_init.dist: expected one of constant, uniform, normal, got \"gauss\"");
    parse_fails("{'populations': [{'name': 'E', 'n': 4, 'model': 'lif_delta', "
                "'v_init': {'dist': 'normal', 'mean': -65}}]}", NULL, 0, SQ_ECONFIG,
                "net.json: populations[0].v_init.std: expected a number in mV, got nothing");
    parse_fails("{'populations': [{'name': 'E', 'n': 4, 'model': 'lif_delta', "
                "'v_init': {'dist': 'uniform', 'low': 0, 'high': 1, 'mean': 0}}]}", NULL, 0, SQ_ECONFIG,
                "net.json: populations[0].v_init.mean: unknown field (expected one of: dist, low, high)");
}
END_TEST

START_TEST(config_rejects_fields_that_do_not_fit_the_model)
{
    parse_fails("{'populations': [{'name': 'S', 'n': 1, 'model': 'spike_source', 'v_init': -65}]}",
                NULL, 0, SQ_ECONFIG,
                "net.json: populations[0].v_init: not allowed for model spike_source (only for neuron models)");
    parse_fails("{'populations': [{'name': 'S', 'n': 1, 'model': 'spike_source', 'params': {'I_e': 1}}]}",
                NULL, 0, SQ_ECONFIG,
                "net.json: populations[0].params: not allowed for model spike_source (only for neuron models)");
    parse_fails("{'populations': [{'name': 'E', 'n': 1, 'model': 'lif_exp', 'spike_times': [[1]]}]}",
                NULL, 0, SQ_ECONFIG,
                "net.json: populations[0].spike_times: not allowed for model lif_exp (only for spike_source)");
    parse_fails("{'populations': [{'name': 'S', 'n': 2, 'model': 'spike_source', 'spike_times': [[1]]}]}",
                NULL, 0, SQ_ECONFIG,
                "net.json: populations[0].spike_times: expected an array of 2 lists of times in ms (one "
                "per neuron), got 1 lists");
    parse_fails("{'populations': [{'name': 'S', 'n': 1, 'model': 'spike_source', 'spike_times': [[1, -2]]}]}",
                NULL, 0, SQ_ECONFIG,
                "net.json: populations[0].spike_times[0][1]: expected a non-negative number in ms, got -2");
}
END_TEST

START_TEST(config_rejects_devices_without_their_required_fields)
{
    parse_fails("{'populations': [" POP_E "], 'devices': [{'name': 'p', 'type': 'poisson_generator', "
                "'rate': 10, 'targets': ['E']}]}", NULL, 0, SQ_ECONFIG,
                "net.json: devices[0].weight: expected a number, got nothing");
    parse_fails("{'populations': [" POP_E "], 'devices': [{'name': 'p', 'type': 'dc_generator', "
                "'amplitude': 10}]}", NULL, 0, SQ_ECONFIG,
                "net.json: devices[0].targets: expected a non-empty array of population names, got nothing");
    parse_fails("{'populations': [" POP_E "], 'devices': [{'name': 'p', 'type': 'spike_generator'}]}",
                NULL, 0, SQ_ECONFIG,
                "net.json: devices[0].type: expected one of poisson_generator, dc_generator, got "
                "\"spike_generator\"");
}
END_TEST

START_TEST(config_rejects_null_arguments)
{
    sq_err err = {0, ""};
    sq_config *c = (sq_config *)&c;
    ck_assert_int_eq(sq_config_parse(NULL, "x", NULL, 0, &c, &err), SQ_EINVAL);
    ck_assert_ptr_null(c);
    ck_assert_int_eq(sq_config_parse("{}", "x", NULL, 0, NULL, &err), SQ_EINVAL);
    ck_assert_int_eq(sq_config_parse("{}", "x", NULL, 0, &c, NULL), SQ_ECONFIG); /* err may be NULL */
}
END_TEST

/* Every config shipped under experiments/ ------------------------------------------------------ */

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* A layered-network training config (README "Layered networks") has a "network" object. */
static int is_training_config(const char *path)
{
    json_t *j = json_load_file(path, 0, NULL);
    int yes = json_is_object(json_object_get(j, "network"));
    json_decref(j);
    return yes;
}

/* A training config builds: its data parameters, recipe and network (at batch 1, on synthetic
 * inputs of the data's shape, so no data files are needed). */
static void check_training_config(const char *path)
{
    json_t *j = json_load_file(path, 0, NULL);
    json_t *tr = json_object_get(j, "training");
    ck_assert_ptr_nonnull(tr);
    sq_err err = {0, ""};
    sq_rule rule;
    ck_assert_msg(sq_rule_of(j, path, &rule, &err) == 0, "%s", err.msg);
    if (rule == SQ_RULE_DESIRE) { /* the recipe, the network and the data parameters */
        sq_desire_recipe r;
        sq_desire *d = NULL;
        sq_sample_set_params p;
        int rc = sq_desire_recipe_read(j, path, &r, &err);
        ck_assert_msg(rc == 0, "%s: %s", path, err.msg);
        rc = sq_desire_create(&r.net, &d, &err);
        ck_assert_msg(rc == 0, "%s: %s", path, err.msg);
        sq_desire_destroy(d);
        rc = sq_config_sample_set(json_object_get(j, "data"), path, &p, &err);
        ck_assert_msg(rc == 0, "%s: %s", path, err.msg);
        json_decref(j);
        return;
    }
    if (rule == SQ_RULE_RATE) { /* the recipe, the network, the rule's section and the data parameters */
        sq_rate_recipe r;
        sq_rate_net *net = NULL;
        void *state = NULL;
        sq_sample_set_params p;
        int rc = sq_rate_recipe_read(j, path, &r, &err);
        ck_assert_msg(rc == 0, "%s: %s", path, err.msg);
        ck_assert_int_eq(sq_rate_net_create(r.layers, r.sizes, 1, &net, &err), 0);
        sq_layer_cfg c = {.origin = path, .err = &err};
        rc = r.rule->create(&c, json_object_get(tr, r.rule->name), net, r.batch, &state);
        ck_assert_msg(rc == 0, "%s: %s", path, err.msg);
        r.rule->destroy(state);
        sq_rate_net_destroy(net);
        rc = sq_config_sample_set(json_object_get(j, "data"), path, &p, &err);
        ck_assert_msg(rc == 0, "%s: %s", path, err.msg);
        json_decref(j);
        return;
    }
    json_object_set_new(tr, "batch", json_integer(1));
    json_object_set_new(tr, "eval_batch", json_integer(1));
    sq_train_options o = {.origin = path, .seed = -1, .epochs = -1, .synthetic = 1, .threads = 1};
    sq_trainer *t = NULL;
    int rc = sq_trainer_create(j, &o, &t, &err);
    ck_assert_msg(rc == 0, "%s: %s", path, err.msg);
    sq_trainer_destroy(t);
    json_decref(j);
}

/* Loads every *.json below dir; returns how many it loaded. */
static int load_all(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int count = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (e->d_type == DT_DIR) {
            count += load_all(path);
            continue;
        }
        if (!ends_with(e->d_name, ".json"))
            continue;
        if (is_training_config(path)) {
            check_training_config(path);
            count++;
            continue;
        }
        sq_config *c = NULL;
        sq_err err = {0, ""};
        int rc = sq_config_load(path, NULL, 0, &c, &err);
        ck_assert_msg(rc == 0, "%s: %s", path, err.msg);
        ck_assert_uint_ge(sq_config_net(c)->n_pops, 1);
        sq_config_destroy(c);
        count++;
    }
    closedir(d);
    return count;
}

#define PROJ_EE(extra) "'projections': [{'source': 'E', 'target': 'E', 'weight': 1, " \
                       "'connector': {'rule': 'all_to_all'}" extra "}]"

START_TEST(config_rejects_bad_plasticity_and_weight_snapshots)
{
    parse_fails("{'populations': [" POP_E "], " PROJ_EE(", 'plasticity': {'rule': 'stpd'}") "}", NULL, 0, SQ_ECONFIG,
                "net.json: projections[0].plasticity.rule: expected one of stdp, stdp_triplet, tsodyks_markram, etm, "
                "rstdp, burst_dependent, got \"stpd\"");
    parse_fails("{'populations': [" POP_E "], " PROJ_EE(", 'plasticity': {'rule': 'stdp', 'params': {'tau': 1}}") "}",
                NULL, 0, SQ_ECONFIG,
                "net.json: projections[0].plasticity.params.tau: unknown parameter of rule stdp (expected one of: "
                "tau_plus, tau_minus, A_plus, A_minus, w_min, w_max, mu_plus, mu_minus, nearest)");
    parse_fails("{'populations': [" POP_E "], " PROJ_EE(", 'plasticity': {'rule': 'stdp', 'params': {'A_plus': 'big'}}") "}",
                NULL, 0, SQ_ECONFIG, "net.json: projections[0].plasticity.params.A_plus: expected a number in mV, got \"big\"");
    parse_fails("{'populations': [" POP_E "], " PROJ_EE(", 'plasticity': {'rule': 'stdp', 'delay': 1}") "}", NULL, 0,
                SQ_ECONFIG, "net.json: projections[0].plasticity.delay: unknown field (expected one of: rule, preset, "
                "params, dendritic_delay)");
    parse_fails("{'populations': [" POP_E "], " PROJ_EE("") ", 'output': {'weights': [{'projection': 'EI', 'times': [1]}]}}",
                NULL, 0, SQ_ECONFIG, "net.json: output.weights[0].projection: expected the name of a projection (its "
                "\"name\", or \"<source>_to_<target>\"), got \"EI\"");
    parse_fails("{'populations': [" POP_E "], " PROJ_EE("") ", 'output': {'weights': [{'projection': 'E_to_E'}]}}", NULL, 0,
                SQ_ECONFIG, "net.json: output.weights[0]: expected either \"times\" or \"interval\"");
    parse_fails("{'populations': [" POP_E "], " PROJ_EE("") ", 'output': {'weights': [{'projection': 'E_to_E', "
                "'times': [5, 2]}]}}", NULL, 0, SQ_ECONFIG,
                "net.json: output.weights[0].times[1]: expected a time in ms later than the one before, got 2");
    parse_fails("{'populations': [" POP_E "], " PROJ_EE("") ", 'output': {'weights': [{'projection': 'E_to_E', "
                "'interval': 0}]}}", NULL, 0, SQ_ECONFIG,
                "net.json: output.weights[0].interval: expected a positive number in ms, got 0");
}
END_TEST

START_TEST(config_loads_every_experiment_file)
{
    const char *src = getenv("SQ_SOURCE_DIR");
    if (!src) {
        fprintf(stderr, "config: SQ_SOURCE_DIR not set, no experiment files checked\n");
        return;
    }
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/experiments", src);
    int n = load_all(dir);
    fprintf(stderr, "config: %d experiment config(s) parsed\n", n);
}
END_TEST

static Suite *config_errors_suite(void)
{
    Suite *s = suite_create("config_errors");
    TCase *tc = tcase_create("errors");
    tcase_add_test(tc, config_reports_malformed_json_with_line_and_column);
    tcase_add_test(tc, config_reports_an_unreadable_file);
    tcase_add_test(tc, config_rejects_an_unknown_field);
    tcase_add_test(tc, config_rejects_bad_plasticity_and_weight_snapshots);
    tcase_add_test(tc, config_rejects_an_unknown_model_listing_the_known_ones);
    tcase_add_test(tc, config_rejects_an_unknown_parameter_listing_the_models_table);
    tcase_add_test(tc, config_rejects_wrong_types);
    tcase_add_test(tc, config_rejects_bad_integers);
    tcase_add_test(tc, config_rejects_non_positive_run_times);
    tcase_add_test(tc, config_rejects_an_unknown_population_reference);
    tcase_add_test(tc, config_rejects_a_duplicate_name);
    tcase_add_test(tc, config_rejects_bad_connectors);
    tcase_add_test(tc, config_rejects_malformed_distributions);
    tcase_add_test(tc, config_rejects_fields_that_do_not_fit_the_model);
    tcase_add_test(tc, config_rejects_devices_without_their_required_fields);
    tcase_add_test(tc, config_rejects_null_arguments);
    tcase_add_test(tc, config_loads_every_experiment_file);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return sq_test_run(config_errors_suite());
}
