/* tests/test_config.c: the experiment config reader (io/config.c, io/config_values.c,
 * io/config_pops.c) and --set overrides (io/json_set.c), against the schema in
 * README.md "Configuration": a full config converts into exactly the expected spec with defaults
 * filled, every --set form works, every error path gives its code and exact message, and every
 * every .json file under experiments/ parses. Configs are written with ' for " to keep them readable. */
#include <check.h>
#include <dirent.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/config.h"
#include "io/json_set.h"
#include "run_suite.h"

/* The text with every ' turned into ". Caller frees. */
static char *dq(const char *s)
{
    char *t = strdup(s);
    ck_assert_ptr_nonnull(t);
    for (char *p = t; *p; p++)
        if (*p == '\'')
            *p = '"';
    return t;
}

static sq_config *parse_ok(const char *text, const char *const *sets, size_t n_sets)
{
    char *json = dq(text);
    sq_config *c = NULL;
    sq_err err = {0, ""};
    int rc = sq_config_parse(json, "net.json", sets, n_sets, &c, &err);
    free(json);
    ck_assert_msg(rc == 0, "unexpected error %d: %s", rc, err.msg);
    ck_assert_ptr_nonnull(c);
    return c;
}

/* Parses text (as "net.json", with ' turned into ") with the sets and checks the failure's code and
 * exact message (taken as written). */
static void parse_fails(const char *text, const char *const *sets, size_t n_sets, int code,
                        const char *msg)
{
    char *json = dq(text);
    sq_config *c = (sq_config *)&c; /* must be reset to NULL on failure */
    sq_err err = {0, ""};
    int rc = sq_config_parse(json, "net.json", sets, n_sets, &c, &err);
    ck_assert_int_eq(rc, code);
    ck_assert_int_eq(err.code, code);
    ck_assert_str_eq(err.msg, msg);
    ck_assert_ptr_null(c);
    free(json);
}

static double param(const sq_pop_spec *p, const char *name)
{
    for (size_t i = 0; i < p->n_params; i++)
        if (strcmp(p->param_names[i], name) == 0)
            return p->param_values[i];
    return NAN;
}

static const char *full =
    "{ 'description': 'every field', 'comment': 'ignored anywhere',"
    "  'simulation': {'t_stop': 250.5, 'resolution': 0.05, 'seed': 42, 'threads': 3},"
    "  'output': {'spikes_file': 'out.h5', 'record_spikes': ['I', 'E'],"
    "             'record_v': [{'population': 'E', 'ids': [0, 2], 'interval': 0.5}, {'population': 'I'}]},"
    "  'populations': ["
    "    {'name': 'E', 'n': 4, 'model': 'lif_delta', 'params': {'tau_m': 20.0, 'V_th': 20, 'comment': 'c'},"
    "     'v_init': {'dist': 'uniform', 'low': -70, 'high': -60},"
    "     'overrides': [{'id': 3, 'params': {'I_e': 100.0}}, {'id': 1, 'params': {'tau_m': 5, 'E_L': -65}}]},"
    "    {'name': 'I', 'n': 1e1, 'model': 'lif_exp', 'v_init': -65.0, 'params': {}},"
    "    {'name': 'stim', 'model': 'spike_source', 'n': 2, 'spike_times': [[1.0, 5.0], [2.5]]}],"
    "  'projections': ["
    "    {'source': 'E', 'target': 'I', 'weight': 0.1, 'delay': 1.5,"
    "     'connector': {'rule': 'fixed_indegree', 'indegree': 2, 'autapses': false, 'multapses': true}},"
    "    {'source': 'stim', 'target': 'E', 'connector': {'rule': 'fixed_probability', 'p': 0.25},"
    "     'weight': {'dist': 'normal', 'mean': 1.0, 'std': 0.1, 'low': 0.0},"
    "     'delay': {'dist': 'constant', 'value': 2.0}},"
    "    {'source': 'I', 'target': 'I', 'connector': {'rule': 'fixed_total_number', 'n': 7}, 'weight': -2}],"
    "  'devices': ["
    "    {'name': 'ext', 'type': 'poisson_generator', 'rate': 20000.0, 'weight': 0.1, 'delay': 1.5,"
    "     'start': 0.0, 'stop': null, 'targets': ['E', 'I']},"
    "    {'name': 'bias', 'type': 'dc_generator', 'amplitude': 100.0, 'start': 10.0, 'stop': 500.0,"
    "     'targets': ['E']},"
    "    {'name': 'bg', 'type': 'poisson_generator', 'rate': 5, 'weight': 0.2, 'targets': ['I']}]}";

/* Numbers below are copied exactly from the JSON text, so they are compared for equality. */
START_TEST(config_full_file_converts_every_field)
{
    sq_config *c = parse_ok(full, NULL, 0);
    const sq_net_spec *net = sq_config_net(c);
    const sq_run_spec *run = sq_config_run(c);
    ck_assert_str_eq(net->origin, "net.json");
    ck_assert_double_eq(net->resolution, 0.05);
    ck_assert_uint_eq(net->seed, 42);
    ck_assert_double_eq(run->t_stop, 250.5);
    ck_assert_uint_eq(run->seed, 42);
    ck_assert_int_eq(run->threads, 3);
    ck_assert_str_eq(run->spikes_file, "out.h5");
    ck_assert_uint_eq(run->n_record_spikes, 2);
    ck_assert_str_eq(run->record_spikes[0], "I");
    ck_assert_str_eq(run->record_spikes[1], "E");

    ck_assert_uint_eq(net->n_pops, 3);
    const sq_pop_spec *e = &net->pops[0], *i = &net->pops[1], *s = &net->pops[2];
    ck_assert_str_eq(e->name, "E");
    ck_assert_uint_eq(e->n, 4);
    ck_assert_str_eq(e->model, "lif_delta");
    ck_assert_uint_eq(e->n_params, 2);
    ck_assert_double_eq(param(e, "tau_m"), 20.0);
    ck_assert_double_eq(param(e, "V_th"), 20.0);
    ck_assert_int_eq(e->has_v_init, 1);
    ck_assert_int_eq(e->v_init.kind, SQ_DIST_UNIFORM);
    ck_assert_double_eq(e->v_init.low, -70.0);
    ck_assert_double_eq(e->v_init.high, -60.0);
    ck_assert_uint_eq(e->n_overrides, 3);
    ck_assert_uint_eq(e->overrides[0].id, 3);
    ck_assert_str_eq(e->overrides[0].param, "I_e");
    ck_assert_double_eq(e->overrides[0].value, 100.0);
    ck_assert_uint_eq(e->overrides[1].id, 1);
    ck_assert_str_eq(e->overrides[1].param, "tau_m");
    ck_assert_double_eq(e->overrides[1].value, 5.0);
    ck_assert_uint_eq(e->overrides[2].id, 1);
    ck_assert_str_eq(e->overrides[2].param, "E_L");
    ck_assert_double_eq(e->overrides[2].value, -65.0);
    ck_assert_uint_eq(e->n_spikes, 0);

    ck_assert_str_eq(i->name, "I");
    ck_assert_uint_eq(i->n, 10); /* 1e1 is a JSON real that is integral */
    ck_assert_str_eq(i->model, "lif_exp");
    ck_assert_uint_eq(i->n_params, 0);
    ck_assert_int_eq(i->has_v_init, 1);
    ck_assert_int_eq(i->v_init.kind, SQ_DIST_CONSTANT);
    ck_assert_double_eq(i->v_init.value, -65.0);
    ck_assert_uint_eq(i->n_overrides, 0);

    ck_assert_str_eq(s->model, "spike_source");
    ck_assert_uint_eq(s->n, 2);
    ck_assert_int_eq(s->has_v_init, 0);
    ck_assert_uint_eq(s->n_spikes, 3);
    ck_assert_uint_eq(s->spike_ids[0], 0);
    ck_assert_double_eq(s->spike_times[0], 1.0);
    ck_assert_uint_eq(s->spike_ids[1], 0);
    ck_assert_double_eq(s->spike_times[1], 5.0);
    ck_assert_uint_eq(s->spike_ids[2], 1);
    ck_assert_double_eq(s->spike_times[2], 2.5);

    ck_assert_uint_eq(net->n_projs, 3);
    const sq_proj_spec *p = net->projs;
    ck_assert_str_eq(p[0].source, "E");
    ck_assert_str_eq(p[0].target, "I");
    ck_assert_int_eq(p[0].connector.rule, SQ_CONN_FIXED_INDEGREE);
    ck_assert_uint_eq(p[0].connector.n, 2);
    ck_assert_int_eq(p[0].connector.autapses, 0);
    ck_assert_int_eq(p[0].connector.multapses, 1);
    ck_assert_int_eq(p[0].weight.kind, SQ_DIST_CONSTANT);
    ck_assert_double_eq(p[0].weight.value, 0.1);
    ck_assert_double_eq(p[0].delay.value, 1.5);
    ck_assert_int_eq(p[1].connector.rule, SQ_CONN_FIXED_PROBABILITY);
    ck_assert_double_eq(p[1].connector.p, 0.25);
    ck_assert_int_eq(p[1].connector.autapses, 1);
    ck_assert_int_eq(p[1].connector.multapses, 1);
    ck_assert_int_eq(p[1].weight.kind, SQ_DIST_NORMAL);
    ck_assert_double_eq(p[1].weight.mean, 1.0);
    ck_assert_double_eq(p[1].weight.std, 0.1);
    ck_assert_double_eq(p[1].weight.low, 0.0);
    ck_assert(isinf(p[1].weight.high) && p[1].weight.high > 0);
    ck_assert_int_eq(p[1].delay.kind, SQ_DIST_CONSTANT);
    ck_assert_double_eq(p[1].delay.value, 2.0);
    ck_assert_int_eq(p[2].connector.rule, SQ_CONN_FIXED_TOTAL_NUMBER);
    ck_assert_uint_eq(p[2].connector.n, 7);
    ck_assert_double_eq(p[2].weight.value, -2.0);
    ck_assert_int_eq(p[2].delay.kind, SQ_DIST_CONSTANT);
    ck_assert_double_eq(p[2].delay.value, 0.05); /* default: the resolution */

    ck_assert_uint_eq(net->n_devices, 3);
    const sq_device_spec *d = net->devices;
    ck_assert_str_eq(d[0].name, "ext");
    ck_assert_int_eq(d[0].kind, SQ_DEVICE_POISSON);
    ck_assert_double_eq(d[0].rate, 20000.0);
    ck_assert_double_eq(d[0].weight, 0.1);
    ck_assert_double_eq(d[0].delay, 1.5);
    ck_assert_double_eq(d[0].start, 0.0);
    ck_assert(isinf(d[0].stop));
    ck_assert_uint_eq(d[0].n_targets, 2);
    ck_assert_str_eq(d[0].targets[0], "E");
    ck_assert_str_eq(d[0].targets[1], "I");
    ck_assert_int_eq(d[1].kind, SQ_DEVICE_DC);
    ck_assert_double_eq(d[1].amplitude, 100.0);
    ck_assert_double_eq(d[1].start, 10.0);
    ck_assert_double_eq(d[1].stop, 500.0);
    ck_assert_uint_eq(d[1].n_targets, 1);
    ck_assert_double_eq(d[2].delay, 0.05); /* default: the resolution */
    ck_assert_double_eq(d[2].start, 0.0);
    ck_assert(isinf(d[2].stop));

    ck_assert_uint_eq(net->n_vm, 2);
    ck_assert_str_eq(net->vm[0].population, "E");
    ck_assert_uint_eq(net->vm[0].n_ids, 2);
    ck_assert_uint_eq(net->vm[0].ids[0], 0);
    ck_assert_uint_eq(net->vm[0].ids[1], 2);
    ck_assert_double_eq(net->vm[0].interval, 0.5);
    ck_assert_str_eq(net->vm[1].population, "I");
    ck_assert_ptr_null(net->vm[1].ids);
    ck_assert_uint_eq(net->vm[1].n_ids, 0);
    ck_assert_double_eq(net->vm[1].interval, 0.05);
    sq_config_destroy(c);
}
END_TEST

START_TEST(config_minimal_file_gets_schema_defaults)
{
    sq_config *c = parse_ok("{'populations': [{'name': 'A', 'n': 1, 'model': 'lif_delta'},"
                            "                 {'name': 'B', 'n': 2, 'model': 'spike_source'}]}",
                            NULL, 0);
    const sq_net_spec *net = sq_config_net(c);
    const sq_run_spec *run = sq_config_run(c);
    ck_assert_double_eq(run->t_stop, 1000.0);
    ck_assert_double_eq(net->resolution, 0.1);
    ck_assert_uint_eq(net->seed, 1);
    ck_assert_uint_eq(run->seed, 1);
    ck_assert_int_eq(run->threads, 1);
    ck_assert_str_eq(run->spikes_file, "spikes.h5");
    ck_assert_uint_eq(run->n_record_spikes, 2); /* absent key: every population */
    ck_assert_str_eq(run->record_spikes[0], "A");
    ck_assert_str_eq(run->record_spikes[1], "B");
    ck_assert_uint_eq(net->n_pops, 2);
    ck_assert_uint_eq(net->pops[0].n_params, 0);
    ck_assert_int_eq(net->pops[0].has_v_init, 0);
    ck_assert_uint_eq(net->pops[0].n_overrides, 0);
    ck_assert_uint_eq(net->pops[1].n_spikes, 0);
    ck_assert_uint_eq(net->n_projs, 0);
    ck_assert_uint_eq(net->n_devices, 0);
    ck_assert_uint_eq(net->n_vm, 0);
    sq_config_destroy(c);
}
END_TEST

START_TEST(config_empty_record_spikes_records_nothing)
{
    sq_config *c = parse_ok("{'output': {'record_spikes': []},"
                            " 'populations': [{'name': 'A', 'n': 1, 'model': 'lif_delta'}]}", NULL, 0);
    ck_assert_uint_eq(sq_config_run(c)->n_record_spikes, 0);
    sq_config_destroy(c);
}
END_TEST

START_TEST(config_load_reads_a_file_and_names_it_origin)
{
    char path[] = "/tmp/sq_config_testXXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    char *json = dq("{'simulation': {'seed': 9}, 'populations': [{'name': 'A', 'n': 3, 'model': 'lif_exp'}]}");
    ck_assert_int_eq(write(fd, json, strlen(json)), (ssize_t)strlen(json));
    close(fd);
    free(json);
    sq_config *c = NULL;
    sq_err err = {0, ""};
    const char *sets[] = {"simulation.seed=10"};
    int rc = sq_config_load(path, sets, 1, &c, &err);
    unlink(path);
    ck_assert_msg(rc == 0, "%s", err.msg);
    ck_assert_str_eq(sq_config_net(c)->origin, path);
    ck_assert_uint_eq(sq_config_net(c)->seed, 10);
    ck_assert_uint_eq(sq_config_net(c)->pops[0].n, 3);
    sq_config_destroy(c);
    sq_config_destroy(NULL);
}
END_TEST

/* --set -------------------------------------------------------------------------------------- */

START_TEST(set_replaces_a_number)
{
    const char *sets[] = {"simulation.t_stop=2000"};
    sq_config *c = parse_ok(full, sets, 1);
    ck_assert_double_eq(sq_config_run(c)->t_stop, 2000.0);
    sq_config_destroy(c);
}
END_TEST

START_TEST(set_selects_array_elements_by_index)
{
    const char *sets[] = {"projections[0].weight=0.2", "projections[1].connector.p=0.5",
                          "populations[2].spike_times[1][0]=3.5"};
    sq_config *c = parse_ok(full, sets, 3);
    const sq_net_spec *net = sq_config_net(c);
    ck_assert_double_eq(net->projs[0].weight.value, 0.2);
    ck_assert_double_eq(net->projs[1].connector.p, 0.5);
    ck_assert_double_eq(net->pops[2].spike_times[2], 3.5);
    sq_config_destroy(c);
}
END_TEST

START_TEST(set_selects_array_elements_by_name)
{
    const char *sets[] = {"populations.E.params.tau_m=10", "devices.ext.rate=15000"};
    sq_config *c = parse_ok(full, sets, 2);
    const sq_net_spec *net = sq_config_net(c);
    ck_assert_double_eq(param(&net->pops[0], "tau_m"), 10.0);
    ck_assert_uint_eq(net->pops[0].n_params, 2);
    ck_assert_double_eq(net->devices[0].rate, 15000.0);
    sq_config_destroy(c);
}
END_TEST

START_TEST(set_creates_a_missing_final_key)
{
    /* "F" has no params object in the file: the reader supplies an empty one. */
    const char *sets[] = {"populations.E.params.I_e=50", "populations.I.params.tau_syn_ex=5",
                          "populations.F.params.t_ref=0"};
    char *text = strdup(full);
    ck_assert_ptr_nonnull(text);
    char *end = strstr(text, "],  'projections'");
    ck_assert_ptr_nonnull(end);
    const char *f_pop = ", {'name': 'F', 'n': 1, 'model': 'lif_exp'}";
    char *grown = malloc(strlen(text) + strlen(f_pop) + 1);
    ck_assert_ptr_nonnull(grown);
    sprintf(grown, "%.*s%s%s", (int)(end - text), text, f_pop, end);
    free(text);
    sq_config *c = parse_ok(grown, sets, 3);
    free(grown);
    ck_assert_uint_eq(sq_config_net(c)->pops[3].n_params, 1);
    ck_assert_double_eq(param(&sq_config_net(c)->pops[3], "t_ref"), 0.0);
    const sq_net_spec *net = sq_config_net(c);
    ck_assert_uint_eq(net->pops[0].n_params, 3);
    ck_assert_double_eq(param(&net->pops[0], "I_e"), 50.0);
    ck_assert_uint_eq(net->pops[1].n_params, 1);
    ck_assert_double_eq(param(&net->pops[1], "tau_syn_ex"), 5.0);
    sq_config_destroy(c);
}
END_TEST

START_TEST(set_takes_unparsable_values_as_strings_and_json_as_json)
{
    const char *sets[] = {"output.spikes_file=run2.h5", "populations.E.model=\"lif_exp\"",
                          "output.record_spikes=[\"stim\"]", "projections[0].delay={\"dist\": "
                          "\"uniform\", \"low\": 1, \"high\": 2}",
                          "devices.bias.stop=null"};
    sq_config *c = parse_ok(full, sets, 5);
    const sq_net_spec *net = sq_config_net(c);
    const sq_run_spec *run = sq_config_run(c);
    ck_assert_str_eq(run->spikes_file, "run2.h5");
    ck_assert_str_eq(net->pops[0].model, "lif_exp");
    ck_assert_uint_eq(run->n_record_spikes, 1);
    ck_assert_str_eq(run->record_spikes[0], "stim");
    ck_assert_int_eq(net->projs[0].delay.kind, SQ_DIST_UNIFORM);
    ck_assert_double_eq(net->projs[0].delay.high, 2.0);
    ck_assert(isinf(net->devices[1].stop));
    sq_config_destroy(c);
}
END_TEST

START_TEST(set_handles_the_cli_shorthand_paths_in_order)
{
    /* What --seed, --threads, --t-stop and --out expand to; a later --set wins. */
    const char *sets[] = {"simulation.seed=7", "simulation.threads=4", "simulation.t_stop=12.5",
                          "output.spikes_file=x.h5", "simulation.seed=8"};
    /* simulation and output are absent from this file: the reader supplies empty objects. */
    sq_config *c = parse_ok("{'populations': [{'name': 'A', 'n': 1, 'model': 'lif_delta'}]}", sets, 5);
    ck_assert_uint_eq(sq_config_net(c)->seed, 8);
    ck_assert_int_eq(sq_config_run(c)->threads, 4);
    ck_assert_str_eq(sq_config_run(c)->spikes_file, "x.h5");
    sq_config_destroy(c);
    c = parse_ok(full, sets, 5);
    ck_assert_uint_eq(sq_config_net(c)->seed, 8);
    ck_assert_uint_eq(sq_config_run(c)->seed, 8);
    ck_assert_int_eq(sq_config_run(c)->threads, 4);
    ck_assert_double_eq(sq_config_run(c)->t_stop, 12.5);
    ck_assert_str_eq(sq_config_run(c)->spikes_file, "x.h5");
    sq_config_destroy(c);
}
END_TEST

START_TEST(set_works_on_a_bare_tree)
{
    json_t *root = json_pack("{s:[{s:s},{s:s}], s:{}}", "items", "name", "a", "name", "b", "obj");
    sq_err err = {0, ""};
    ck_assert_int_eq(sq_json_set(root, "items.b.v=1", NULL, &err), 0);
    ck_assert_int_eq(sq_json_set(root, "obj.x=hello world", NULL, &err), 0);
    ck_assert_int_eq(sq_json_set(root, "obj.y=", NULL, &err), 0);
    ck_assert_int_eq(sq_json_set(root, "items[0]=3", NULL, &err), 0);
    ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(json_object_get(root, "items"), 1), "v")), 1);
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(root, "obj"), "x")), "hello world");
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(root, "obj"), "y")), "");
    ck_assert_int_eq(json_integer_value(json_array_get(json_object_get(root, "items"), 0)), 3);
    ck_assert_int_eq(sq_json_set(root, "items.c=1", "cli", &err), SQ_ECONFIG);
    ck_assert_str_eq(err.msg, "cli items.c=1: no item named c");
    ck_assert_int_eq(sq_json_set(root, "obj..x=1", NULL, &err), SQ_ECONFIG);
    ck_assert_str_eq(err.msg, "--set obj..x=1: expected a path of keys separated by '.' with [index] "
                              "suffixes before '='");
    ck_assert_int_eq(sq_json_set(root, "obj.x.y=1", NULL, &err), SQ_ECONFIG);
    ck_assert_str_eq(err.msg, "--set obj.x.y=1: obj.x is not an object or an array");
    ck_assert_int_eq(sq_json_set(root, "obj[0]=1", NULL, &err), SQ_ECONFIG);
    ck_assert_str_eq(err.msg, "--set obj[0]=1: obj is not an array");
    ck_assert_int_eq(sq_json_set(root, "obj.z=[1, 2", NULL, &err), SQ_ECONFIG);
    ck_assert_str_eq(err.msg, "--set obj.z=[1, 2: malformed JSON value: ']' expected near end of file");
    json_decref(root);
}
END_TEST

START_TEST(set_rejects_an_unknown_name)
{
    const char *sets[] = {"populations.X.params.tau_m=3"};
    parse_fails(full, sets, 1, SQ_ECONFIG, "--set populations.X.params.tau_m=3: no population named X");
}
END_TEST

START_TEST(set_rejects_an_assignment_without_equals)
{
    const char *sets[] = {"simulation.t_stop"};
    parse_fails(full, sets, 1, SQ_ECONFIG, "--set simulation.t_stop: expected path=value, got no '='");
    const char *empty[] = {"=3"};
    parse_fails(full, empty, 1, SQ_ECONFIG, "--set =3: expected a path before '='");
}
END_TEST

START_TEST(set_rejects_an_index_out_of_range)
{
    const char *sets[] = {"projections[3].weight=0.2"};
    parse_fails(full, sets, 1, SQ_ECONFIG,
                "--set projections[3].weight=0.2: index 3 out of range (projections has 3 elements)");
}
END_TEST

START_TEST(set_rejects_a_missing_intermediate_key)
{
    const char *sets[] = {"populations.E.parms.tau_m=3"};
    parse_fails(full, sets, 1, SQ_ECONFIG, "--set populations.E.parms.tau_m=3: populations.E has no field parms");
    const char *typo[] = {"simulaton.t_stop=5"};
    parse_fails(full, typo, 1, SQ_ECONFIG, "--set simulaton.t_stop=5: no top-level field simulaton");
}
END_TEST

START_TEST(set_value_of_the_wrong_type_is_reported_by_the_reader)
{
    const char *sets[] = {"populations.E.params.tau_m=fast"};
    parse_fails(full, sets, 1, SQ_ECONFIG,
                "net.json: populations[0].params.tau_m: expected a number in ms, got \"fast\"");
}
END_TEST

/* Errors in the file ----------------------------------------------------------------------- */

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
                            "model, params, v_init, overrides, spike_times)");
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
                "stop, targets)");
}
END_TEST

START_TEST(config_rejects_an_unknown_model_listing_the_known_ones)
{
    parse_fails("{'populations': [{'name': 'E', 'n': 4, 'model': 'lif'}]}", NULL, 0, SQ_ECONFIG,
                "net.json: populations[0].model: expected one of lif_delta, lif_exp, spike_source, got \"lif\"");
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

static Suite *config_suite(void)
{
    Suite *s = suite_create("config");
    TCase *tc = tcase_create("reader");
    tcase_add_test(tc, config_full_file_converts_every_field);
    tcase_add_test(tc, config_minimal_file_gets_schema_defaults);
    tcase_add_test(tc, config_empty_record_spikes_records_nothing);
    tcase_add_test(tc, config_load_reads_a_file_and_names_it_origin);
    tcase_add_test(tc, config_reports_malformed_json_with_line_and_column);
    tcase_add_test(tc, config_reports_an_unreadable_file);
    tcase_add_test(tc, config_rejects_an_unknown_field);
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
    TCase *ts = tcase_create("set");
    tcase_add_test(ts, set_replaces_a_number);
    tcase_add_test(ts, set_selects_array_elements_by_index);
    tcase_add_test(ts, set_selects_array_elements_by_name);
    tcase_add_test(ts, set_creates_a_missing_final_key);
    tcase_add_test(ts, set_takes_unparsable_values_as_strings_and_json_as_json);
    tcase_add_test(ts, set_handles_the_cli_shorthand_paths_in_order);
    tcase_add_test(ts, set_works_on_a_bare_tree);
    tcase_add_test(ts, set_rejects_an_unknown_name);
    tcase_add_test(ts, set_rejects_an_assignment_without_equals);
    tcase_add_test(ts, set_rejects_an_index_out_of_range);
    tcase_add_test(ts, set_rejects_a_missing_intermediate_key);
    tcase_add_test(ts, set_value_of_the_wrong_type_is_reported_by_the_reader);
    suite_add_tcase(s, ts);
    return s;
}

int main(void)
{
    return sq_test_run(config_suite());
}
