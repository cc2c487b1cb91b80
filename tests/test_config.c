/* tests/test_config.c: the experiment config reader (io/config.c, io/config_values.c,
 * io/config_pops.c) and --set overrides (io/json_set.c), against the schema in
 * README.md "Configuration": a full config converts into exactly the expected spec with defaults
 * filled, and every --set form works (errors of both: tests/test_config_errors.c). Configs are
 * written with ' for " to keep them readable. */
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
#include "config_fixture.h"
#include "run_suite.h"

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
    ck_assert_uint_eq(net->threads, 3);
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
    ck_assert_int_eq(run->threads, 0); /* not set: the CLI takes OMP_NUM_THREADS, else 1 */
    ck_assert_uint_eq(net->threads, 0);
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

static Suite *config_suite(void)
{
    Suite *s = suite_create("config");
    TCase *tc = tcase_create("reader");
    tcase_add_test(tc, config_full_file_converts_every_field);
    tcase_add_test(tc, config_minimal_file_gets_schema_defaults);
    tcase_add_test(tc, config_empty_record_spikes_records_nothing);
    tcase_add_test(tc, config_load_reads_a_file_and_names_it_origin);
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
