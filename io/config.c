/* io/config.c: the experiment configuration reader. Reads the JSON file (jansson, duplicate keys
 * rejected), applies --set overrides (io/json_set.c), and converts the tree into sq_net_spec and
 * sq_run_spec: "simulation", "output", "projections" and "devices" here, "populations" in
 * io/config_pops.c, typed values in io/config_values.c. Schema: README.md "Configuration".
 * Tested in tests/test_config.c. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../neurons/model.h"
#include "config_internal.h"
#include "json_set.h"

struct sq_config {
    json_t *root;       /* every name in the specs points into this tree */
    char *origin;
    sq__cfg_pool pool;  /* every array in the specs */
    sq_net_spec net;
    sq_run_spec run;
};

static const char *const top_keys[] = {"description", "simulation", "output", "populations",
                                       "projections", "devices"};
static const char *const sim_keys[] = {"t_stop", "resolution", "seed", "threads"};
static const char *const out_keys[] = {"spikes_file", "record_spikes", "record_v", "weights", "record_bursts"};
static const char *const vm_keys[] = {"population", "ids", "interval"};
static const char *const proj_keys[] = {"source", "target", "connector", "weight", "delay", "name", "receptor",
                                        "plasticity", "record_weights"};
static const char *const poisson_keys[] = {"name", "type", "rate", "weight", "delay",
                                           "start", "stop", "targets", "receptor"};
static const char *const dc_keys[] = {"name", "type", "amplitude", "start", "stop", "targets", "receptor"};

/* Connector rules with their one extra field (NULL for none) and whether it is an integer. */
static const struct {
    const char *name;
    sq_conn_rule rule;
    const char *field;
    int integer;
} rules[] = {
    {"all_to_all", SQ_CONN_ALL_TO_ALL, NULL, 0},
    {"one_to_one", SQ_CONN_ONE_TO_ONE, NULL, 0},
    {"fixed_probability", SQ_CONN_FIXED_PROBABILITY, "p", 0},
    {"fixed_indegree", SQ_CONN_FIXED_INDEGREE, "indegree", 1},
    {"fixed_outdegree", SQ_CONN_FIXED_OUTDEGREE, "outdegree", 1},
    {"fixed_total_number", SQ_CONN_FIXED_TOTAL_NUMBER, "n", 1},
};

static int read_simulation(sq__cfg_ctx *c, const json_t *v, sq_net_spec *net, sq_run_spec *run)
{
    uint64_t threads = 0;
    net->resolution = 0.1;
    run->t_stop = 1000.0;
    net->seed = run->seed = 1;
    run->threads = 0;
    net->threads = 0;
    if (!v)
        return 0;
    int rc = sq__cfg_object(c, v, "simulation", sim_keys, SQ_COUNT(sim_keys));
    if (rc == 0)
        rc = sq__cfg_opt_time(c, v, "simulation", "t_stop", 1000.0, 0, &run->t_stop);
    if (rc == 0)
        rc = sq__cfg_opt_time(c, v, "simulation", "resolution", 0.1, 0, &net->resolution);
    if (rc == 0 && json_object_get(v, "seed"))
        rc = sq__cfg_uint(c, json_object_get(v, "seed"), "simulation.seed", 0, UINT64_MAX,
                          "a non-negative integer", &net->seed);
    /* A bound on threads keeps the int conversion safe; no machine we target has more cores. */
    if (rc == 0 && json_object_get(v, "threads"))
        rc = sq__cfg_uint(c, json_object_get(v, "threads"), "simulation.threads", 1, 65536,
                          "a positive integer", &threads);
    run->seed = net->seed;
    run->threads = (int)threads;
    net->threads = (uint32_t)threads;
    return rc;
}

/* A list of distinct population names at `path`; absent: every population when all_by_default, else none. */
static int read_pop_list(sq__cfg_ctx *c, const json_t *arr, const char *path, int all_by_default,
                         const char *const **out, size_t *n_out)
{
    size_t n = arr ? json_array_size(arr) : all_by_default ? c->n_pops : 0;
    if (arr && !json_is_array(arr))
        return sq__cfg_expected(c, path, "an array of population names", arr);
    const char **names = sq__cfg_alloc(c, n, sizeof *names);
    if (!names)
        return SQ_ENOMEM;
    char item[SQ__CFG_PATH];
    for (size_t i = 0; i < n; i++) {
        size_t pop = i;
        sq__cfg_index(item, path, i);
        int rc = arr ? sq__cfg_pop_ref(c, json_array_get(arr, i), item, &pop) : 0;
        if (rc < 0)
            return rc;
        names[i] = c->pops[pop].name;
        for (size_t j = 0; j < i; j++)
            if (names[j] == names[i])
                return sq__cfg_expected(c, item, "a population not listed before",
                                        json_array_get(arr, i));
    }
    *out = names;
    *n_out = n;
    return 0;
}

static int read_vm(sq__cfg_ctx *c, const json_t *v, const char *where, sq_vm_spec *vm)
{
    char path[SQ__CFG_PATH], item[SQ__CFG_PATH];
    size_t pop;
    int rc = sq__cfg_object(c, v, where, vm_keys, SQ_COUNT(vm_keys));
    sq__cfg_join(path, where, "population");
    if (rc < 0 || (rc = sq__cfg_pop_ref(c, json_object_get(v, "population"), path, &pop)) < 0)
        return rc;
    vm->population = c->pops[pop].name;
    if ((rc = sq__cfg_opt_time(c, v, where, "interval", c->resolution, 0, &vm->interval)) < 0)
        return rc;
    const json_t *ids = json_object_get(v, "ids");
    if (!ids)
        return 0;
    sq__cfg_join(path, where, "ids");
    if (!json_is_array(ids) || json_array_size(ids) == 0)
        return sq__cfg_expected(c, path, "a non-empty array of neuron indices (omit it for all)", ids);
    uint32_t *out = sq__cfg_alloc(c, json_array_size(ids), sizeof *out);
    if (!out)
        return SQ_ENOMEM;
    for (size_t i = 0; i < json_array_size(ids); i++) {
        uint64_t id;
        sq__cfg_index(item, path, i);
        rc = sq__cfg_uint(c, json_array_get(ids, i), item, 0, c->pops[pop].n - 1, "a neuron index", &id);
        if (rc < 0)
            return rc;
        out[i] = (uint32_t)id;
    }
    vm->ids = out;
    vm->n_ids = json_array_size(ids);
    return 0;
}

static int read_output(sq__cfg_ctx *c, const json_t *v, sq_net_spec *net, sq_run_spec *run)
{
    run->spikes_file = "spikes.h5";
    int rc = v ? sq__cfg_object(c, v, "output", out_keys, SQ_COUNT(out_keys)) : 0;
    const json_t *file = json_object_get(v, "spikes_file");
    if (rc == 0 && file && (!json_is_string(file) || json_string_length(file) == 0))
        rc = sq__cfg_expected(c, "output.spikes_file", "a non-empty file name", file);
    if (rc < 0 ||
        (rc = read_pop_list(c, json_object_get(v, "record_spikes"), "output.record_spikes", 1, &run->record_spikes,
                            &run->n_record_spikes)) < 0 ||
        (rc = read_pop_list(c, json_object_get(v, "record_bursts"), "output.record_bursts", 0, &run->record_bursts,
                            &run->n_record_bursts)) < 0 ||
        (rc = sq__cfg_weights(c, json_object_get(v, "weights"), (sq_proj_spec *)net->projs, net->n_projs, &run->weights,
                              &run->n_weights)) < 0)
        return rc;
    if (file)
        run->spikes_file = json_string_value(file);
    const json_t *arr = json_object_get(v, "record_v");
    if (!arr)
        return 0;
    if (!json_is_array(arr))
        return sq__cfg_expected(c, "output.record_v", "an array of recording objects", arr);
    sq_vm_spec *vm = sq__cfg_alloc(c, json_array_size(arr), sizeof *vm);
    if (!vm)
        return SQ_ENOMEM;
    char where[SQ__CFG_PATH];
    for (size_t i = 0; i < json_array_size(arr); i++) {
        sq__cfg_index(where, "output.record_v", i);
        if ((rc = read_vm(c, json_array_get(arr, i), where, &vm[i])) < 0)
            return rc;
    }
    net->vm = vm;
    net->n_vm = json_array_size(arr);
    return 0;
}

static int read_connector(sq__cfg_ctx *c, const json_t *v, const char *where, sq_connector *out)
{
    char path[SQ__CFG_PATH];
    if (!json_is_object(v))
        return sq__cfg_expected(c, where, "a connector object {\"rule\": ...}", v);
    sq__cfg_join(path, where, "rule");
    const json_t *rule = json_object_get(v, "rule");
    size_t r = SQ_COUNT(rules);
    for (size_t i = 0; i < SQ_COUNT(rules) && json_is_string(rule); i++)
        if (strcmp(json_string_value(rule), rules[i].name) == 0)
            r = i;
    if (r == SQ_COUNT(rules))
        return sq__cfg_expected(c, path, "one of all_to_all, one_to_one, fixed_probability, "
                                "fixed_indegree, fixed_outdegree, fixed_total_number", rule);
    const char *keys[] = {"rule", "autapses", "multapses", rules[r].field};
    int rc = sq__cfg_object(c, v, where, keys, rules[r].field ? 4 : 3);
    if (rc < 0 || (rc = sq__cfg_opt_bool(c, v, where, "autapses", 1, &out->autapses)) < 0 ||
        (rc = sq__cfg_opt_bool(c, v, where, "multapses", 1, &out->multapses)) < 0)
        return rc;
    out->rule = rules[r].rule;
    if (!rules[r].field)
        return 0;
    sq__cfg_join(path, where, rules[r].field);
    const json_t *f = json_object_get(v, rules[r].field);
    if (rules[r].integer)
        return sq__cfg_uint(c, f, path, 0, UINT64_MAX, "a non-negative integer", &out->n);
    return sq__cfg_number(c, f, path, NULL, &out->p);
}

static const char *weight_unit(const sq__cfg_ctx *c, size_t pop)
{
    const sq_neuron_model *m = sq_neuron_model_find(c->pops[pop].model);
    return m ? m->weight_unit : NULL;
}

/* A projection's optional "name", "receptor", "plasticity" and "record_weights". */
static int read_projection_extras(sq__cfg_ctx *c, const json_t *v, const char *where, const char *unit, sq_proj_spec *p)
{
    char path[SQ__CFG_PATH];
    int rc = 0;
    sq__cfg_join(path, where, "name");
    if (json_object_get(v, "name") && (rc = sq__cfg_name(c, json_object_get(v, "name"), path, &p->name)) < 0)
        return rc;
    sq__cfg_join(path, where, "receptor");
    if (json_object_get(v, "receptor") && (rc = sq__cfg_string(c, json_object_get(v, "receptor"), path, &p->receptor)) < 0)
        return rc;
    sq__cfg_join(path, where, "plasticity");
    if ((rc = sq__cfg_plasticity(c, json_object_get(v, "plasticity"), path, unit, &p->plasticity)) < 0)
        return rc;
    return sq__cfg_opt_bool(c, v, where, "record_weights", 0, &p->record_weights);
}

static int read_projection(sq__cfg_ctx *c, const json_t *v, const char *where, sq_proj_spec *p)
{
    char path[SQ__CFG_PATH];
    size_t src, tgt;
    int rc = sq__cfg_object(c, v, where, proj_keys, SQ_COUNT(proj_keys));
    sq__cfg_join(path, where, "source");
    if (rc < 0 || (rc = sq__cfg_pop_ref(c, json_object_get(v, "source"), path, &src)) < 0)
        return rc;
    sq__cfg_join(path, where, "target");
    if ((rc = sq__cfg_pop_ref(c, json_object_get(v, "target"), path, &tgt)) < 0)
        return rc;
    p->source = c->pops[src].name;
    p->target = c->pops[tgt].name;
    sq__cfg_join(path, where, "connector");
    if ((rc = read_connector(c, json_object_get(v, "connector"), path, &p->connector)) < 0)
        return rc;
    sq__cfg_join(path, where, "weight");
    if ((rc = sq__cfg_dist(c, json_object_get(v, "weight"), path, weight_unit(c, tgt), &p->weight)) < 0)
        return rc;
    p->delay = sq_dist_constant(c->resolution);
    sq__cfg_join(path, where, "delay");
    const json_t *delay = json_object_get(v, "delay");
    if (delay && (rc = sq__cfg_dist(c, delay, path, "ms", &p->delay)) < 0)
        return rc;
    return read_projection_extras(c, v, where, weight_unit(c, tgt), p);
}

static int read_targets(sq__cfg_ctx *c, const json_t *arr, const char *where, sq_device_spec *d)
{
    char path[SQ__CFG_PATH], item[SQ__CFG_PATH];
    sq__cfg_join(path, where, "targets");
    if (!json_is_array(arr) || json_array_size(arr) == 0)
        return sq__cfg_expected(c, path, "a non-empty array of population names", arr);
    const char **names = sq__cfg_alloc(c, json_array_size(arr), sizeof *names);
    if (!names)
        return SQ_ENOMEM;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        size_t pop;
        sq__cfg_index(item, path, i);
        int rc = sq__cfg_pop_ref(c, json_array_get(arr, i), item, &pop);
        if (rc < 0)
            return rc;
        names[i] = c->pops[pop].name;
    }
    d->targets = names;
    d->n_targets = json_array_size(arr);
    return 0;
}

static int read_device(sq__cfg_ctx *c, const json_t *v, const char *where, sq_device_spec *d)
{
    char path[SQ__CFG_PATH];
    if (!json_is_object(v))
        return sq__cfg_expected(c, where, "a device object", v);
    const json_t *type = json_object_get(v, "type");
    const char *t = json_is_string(type) ? json_string_value(type) : "";
    int poisson = strcmp(t, "poisson_generator") == 0;
    sq__cfg_join(path, where, "type");
    if (!poisson && strcmp(t, "dc_generator") != 0)
        return sq__cfg_expected(c, path, "one of poisson_generator, dc_generator", type);
    d->kind = poisson ? SQ_DEVICE_POISSON : SQ_DEVICE_DC;
    int rc = poisson ? sq__cfg_object(c, v, where, poisson_keys, SQ_COUNT(poisson_keys))
                     : sq__cfg_object(c, v, where, dc_keys, SQ_COUNT(dc_keys));
    sq__cfg_join(path, where, "name");
    if (rc < 0 || (rc = sq__cfg_name(c, json_object_get(v, "name"), path, &d->name)) < 0)
        return rc;
    /* The defining number of each kind is required: a silent default of 0 would hide a typo. */
    sq__cfg_join(path, where, poisson ? "rate" : "amplitude");
    rc = sq__cfg_number(c, json_object_get(v, poisson ? "rate" : "amplitude"), path,
                        poisson ? "Hz" : "pA", poisson ? &d->rate : &d->amplitude);
    if (rc == 0 && poisson && !(d->rate >= 0.0))
        rc = sq__cfg_expected(c, path, "a non-negative number in Hz", json_object_get(v, "rate"));
    sq__cfg_join(path, where, "weight");
    if (rc == 0 && poisson)
        rc = sq__cfg_number(c, json_object_get(v, "weight"), path, NULL, &d->weight);
    if (rc == 0 && poisson)
        rc = sq__cfg_opt_number(c, v, where, "delay", "ms", c->resolution, &d->delay);
    if (rc < 0 || (rc = sq__cfg_opt_time(c, v, where, "start", 0.0, 1, &d->start)) < 0)
        return rc;
    const json_t *stop = json_object_get(v, "stop");
    d->stop = INFINITY;
    if (stop && !json_is_null(stop) &&
        (rc = sq__cfg_opt_time(c, v, where, "stop", 0.0, 1, &d->stop)) < 0)
        return rc;
    sq__cfg_join(path, where, "receptor");
    if (json_object_get(v, "receptor") && (rc = sq__cfg_string(c, json_object_get(v, "receptor"), path, &d->receptor)) < 0)
        return rc;
    return read_targets(c, json_object_get(v, "targets"), where, d);
}

static int projection_fn(sq__cfg_ctx *c, const json_t *v, const char *where, void *out)
{
    return read_projection(c, v, where, out);
}

static int device_fn(sq__cfg_ctx *c, const json_t *v, const char *where, void *out)
{
    return read_device(c, v, where, out);
}

static int unique_devices(sq__cfg_ctx *c, const sq_device_spec *d, size_t n)
{
    char path[SQ__CFG_PATH];
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < i; j++) {
            if (strcmp(d[i].name, d[j].name) != 0)
                continue;
            snprintf(path, sizeof path, "devices[%zu].name", i);
            return sq_fail(c->err, SQ_ECONFIG,
                           "%s: %s: expected a unique device name, got \"%s\" (also the name of "
                           "devices[%zu])",
                           c->origin, path, d[i].name, j);
        }
    }
    return 0;
}

static int convert(sq_config *cfg, sq_err *err)
{
    sq__cfg_ctx c = {&cfg->pool, cfg->origin, err, 0.1, NULL, 0, 1};
    const json_t *root = cfg->root;
    sq_net_spec *net = &cfg->net;
    void *projs = NULL, *devices = NULL;
    net->origin = cfg->origin;
    if (!json_is_object(root))
        return sq_fail(err, SQ_ECONFIG, "%s: expected an object at the top level", cfg->origin);
    int rc = sq__cfg_object(&c, root, "", top_keys, SQ_COUNT(top_keys));
    const json_t *desc = json_object_get(root, "description");
    if (rc == 0 && desc && !json_is_string(desc))
        rc = sq__cfg_expected(&c, "description", "a string", desc);
    if (rc < 0 || (rc = read_simulation(&c, json_object_get(root, "simulation"), net, &cfg->run)) < 0)
        return rc;
    c.resolution = net->resolution;
    c.seed = net->seed;
    if ((rc = sq__cfg_populations(&c, json_object_get(root, "populations"))) < 0)
        return rc;
    net->pops = c.pops;
    net->n_pops = c.n_pops;
    if ((rc = sq__cfg_list(&c, json_object_get(root, "projections"), "projections",
                           sizeof(sq_proj_spec), projection_fn, &projs, &net->n_projs)) < 0 ||
        (rc = sq__cfg_list(&c, json_object_get(root, "devices"), "devices", sizeof(sq_device_spec),
                           device_fn, &devices, &net->n_devices)) < 0 ||
        (rc = unique_devices(&c, devices, net->n_devices)) < 0)
        return rc;
    net->projs = projs;
    net->devices = devices;
    return read_output(&c, json_object_get(root, "output"), net, &cfg->run);
}

/* Adds empty "simulation", "output" and per-population "params" objects where they are absent, so
 * that the CLI shorthands (--seed is --set simulation.seed=N) and --set on a parameter work on any
 * file, while a misspelt intermediate key (simulaton.t_stop) still fails. An empty object means
 * "all defaults", so the conversion is unchanged. */
static int add_empty_objects(json_t *root)
{
    static const char *const keys[] = {"simulation", "output"};
    if (!json_is_object(root))
        return 0;
    for (size_t i = 0; i < SQ_COUNT(keys); i++)
        if (!json_object_get(root, keys[i]) && json_object_set_new(root, keys[i], json_object()) < 0)
            return SQ_ENOMEM;
    const json_t *pops = json_object_get(root, "populations");
    for (size_t i = 0; i < json_array_size(pops); i++) {
        json_t *p = json_array_get(pops, i);
        if (json_is_object(p) && !json_object_get(p, "params") &&
            json_object_set_new(p, "params", json_object()) < 0)
            return SQ_ENOMEM;
    }
    return 0;
}

static int parse_buffer(const char *text, size_t len, const char *origin, const char *const *sets,
                        size_t n_sets, sq_config **out, sq_err *err)
{
    json_error_t je;
    int rc;
    sq_config *cfg = calloc(1, sizeof *cfg);
    if (!cfg || !(cfg->origin = strdup(origin))) {
        rc = sq_fail(err, SQ_ENOMEM, "%s: out of memory", origin);
        goto fail;
    }
    cfg->root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!cfg->root) {
        rc = sq_fail(err, SQ_ECONFIG, "%s:%d:%d: malformed JSON: %s", origin, je.line, je.column,
                     je.text);
        goto fail;
    }
    if (add_empty_objects(cfg->root) < 0) {
        rc = sq_fail(err, SQ_ENOMEM, "%s: out of memory", origin);
        goto fail;
    }
    for (size_t i = 0; i < n_sets; i++)
        if ((rc = sq_json_set(cfg->root, sets[i], NULL, err)) < 0)
            goto fail;
    if ((rc = convert(cfg, err)) < 0)
        goto fail;
    *out = cfg;
    return 0;
fail:
    sq_config_destroy(cfg);
    return rc;
}

int sq_config_parse(const char *json_text, const char *origin, const char *const *sets, size_t n_sets,
                    sq_config **out, sq_err *err)
{
    if (!out)
        return sq_fail(err, SQ_EINVAL, "sq_config_parse: out: expected a pointer, got NULL");
    *out = NULL;
    if (!json_text || !origin || (n_sets && !sets))
        return sq_fail(err, SQ_EINVAL, "sq_config_parse: expected JSON text, an origin and %zu sets, "
                       "got NULL", n_sets);
    return parse_buffer(json_text, strlen(json_text), origin, sets, n_sets, out, err);
}

/* The whole file in a malloc'd buffer; errno-based messages as in "nope.json: cannot read: No such
 * file or directory". */
static int read_file(const char *path, char **text, size_t *len, sq_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return sq_fail(err, SQ_EIO, "%s: cannot read: %s", path, strerror(errno));
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    int rc = 0;
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        char *bigger = cap <= SIZE_MAX / 2 ? realloc(buf, cap * 2) : NULL;
        if (!bigger) {
            free(buf);
            buf = NULL;
        }
        buf = bigger;
        cap *= 2;
    }
    if (!buf)
        rc = sq_fail(err, SQ_ENOMEM, "%s: out of memory reading the file", path);
    else if (ferror(f))
        rc = sq_fail(err, SQ_EIO, "%s: cannot read: %s", path, strerror(errno));
    fclose(f);
    if (rc < 0) {
        free(buf);
        return rc;
    }
    *text = buf;
    *len = n;
    return 0;
}

int sq_config_load(const char *path, const char *const *sets, size_t n_sets, sq_config **out,
                   sq_err *err)
{
    char *text = NULL;
    size_t len = 0;
    if (!out)
        return sq_fail(err, SQ_EINVAL, "sq_config_load: out: expected a pointer, got NULL");
    *out = NULL;
    if (!path || (n_sets && !sets))
        return sq_fail(err, SQ_EINVAL, "sq_config_load: expected a path and %zu sets, got NULL",
                       n_sets);
    int rc = read_file(path, &text, &len, err);
    if (rc < 0)
        return rc;
    rc = parse_buffer(text, len, path, sets, n_sets, out, err);
    free(text);
    return rc;
}

const sq_net_spec *sq_config_net(const sq_config *c)
{
    return &c->net;
}

const sq_run_spec *sq_config_run(const sq_config *c)
{
    return &c->run;
}

void sq_config_destroy(sq_config *c)
{
    if (!c)
        return;
    sq__cfg_pool_free(&c->pool);
    json_decref(c->root);
    free(c->origin);
    free(c);
}
