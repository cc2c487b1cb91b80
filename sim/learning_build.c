/* sim/learning_build.c: building the state of synaptic plasticity (sim/learning.c has the run
 * time): which projections are special (plastic, or onto another input site) and so get delay
 * groups of their own, their rules' parameters (defaults, preset, the user's; checked with the
 * names of the config), the per-part presynaptic states and per-target post states and histories,
 * and what they cost (sq_sim_stats). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "weights.h"

#define NO_SLOT UINT32_MAX

/* The rule's parameters: defaults, then the preset's, then the user's. */
static int rule_params(const sq_plasticity_spec *ps, const sq_plasticity_rule *r, double *p, const char *where,
                       sq_err *err)
{
    sq_param_defaults(r->params, r->n_params, p);
    if (ps->preset) {
        const sq_rule_preset *pre = NULL;
        for (size_t k = 0; k < r->n_presets; k++)
            if (strcmp(r->presets[k].name, ps->preset) == 0)
                pre = &r->presets[k];
        if (!pre) {
            char names[512] = "";
            for (size_t k = 0; k < r->n_presets; k++)
                snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", k ? ", " : "", r->presets[k].name);
            return sq_fail(err, SQ_ECONFIG, "%s.preset: expected one of the presets of %s (%s), got \"%s\"", where,
                           r->name, r->n_presets ? names : "it has none", ps->preset);
        }
        for (size_t k = 0; k < pre->n; k++)
            p[sq_param_find(r->params, r->n_params, pre->param_names[k])] = pre->param_values[k];
    }
    for (size_t k = 0; k < ps->n_params; k++) {
        int at = sq_param_find(r->params, r->n_params, ps->param_names[k]);
        if (at < 0)
            return sq_fail(err, SQ_ECONFIG, "%s.params.%s: expected a parameter of %s, which has none of that name",
                           where, ps->param_names[k], r->name);
        p[at] = ps->param_values[k];
    }
    char path[300];
    snprintf(path, sizeof path, "%s.params", where);
    int rc = sq_param_check(r->params, r->n_params, p, path, err);
    if (rc == 0 && r->check)
        rc = r->check(p, path, err);
    return rc;
}

static int receptor_index(const sq_proj_spec *ps, const sq_neuron_model *m, const char *where, unsigned *out,
                          sq_err *err)
{
    char names[256];
    int k = sq__receptor_find(m, ps->receptor, names, sizeof names);
    *out = k < 0 ? 0 : (unsigned)k;
    if (k >= 0)
        return 0;
    if (m->n_receptors == 0)
        return sq_fail(err, SQ_ECONFIG, "%s.receptor: expected no receptor, since model %s has one input site, got \"%s\"",
                       where, m->name, ps->receptor);
    return sq_fail(err, SQ_ECONFIG, "%s.receptor: expected one of %s (the input sites of %s), got \"%s\"", where, names,
                   m->name, ps->receptor);
}

/* Fills special s of projection i (whose populations exist and whose target has a model). */
static int make_special(sq_sim *sim, const sq_net_spec *spec, size_t i, int src, int tgt, sq__special *s, sq_err *err)
{
    const sq_proj_spec *ps = &spec->projs[i];
    char where[128], name[512];
    snprintf(where, sizeof where, "%s: projections[%zu]", spec->origin, i);
    s->proj = (uint32_t)i;
    s->src_pop = (uint32_t)src;
    s->tgt_pop = (uint32_t)tgt;
    int rc = receptor_index(ps, sim->pops[tgt].model, where, &s->receptor, err);
    if (rc < 0 || !(s->name = strdup(sq_proj_spec_name(ps, name, sizeof name))))
        return rc < 0 ? rc : sq_fail(err, SQ_ENOMEM, "out of memory");
    if (!ps->plasticity)
        return 0;
    const sq_plasticity_spec *pl = ps->plasticity;
    snprintf(where, sizeof where, "%s: projections[%zu].plasticity", spec->origin, i);
    const sq_plasticity_rule *r = pl->rule ? sq_plasticity_rule_find(pl->rule) : NULL;
    if (!r)
        return sq_fail(err, SQ_ECONFIG, "%s.rule: expected a plasticity rule (spikeq models lists them), got \"%s\"",
                       where, pl->rule ? pl->rule : "");
    if (!(pl->dendritic_delay >= 0.0) || !isfinite(pl->dendritic_delay))
        return sq_fail(err, SQ_ECONFIG, "%s.dendritic_delay: expected a non-negative number in ms, got %g", where,
                       pl->dendritic_delay);
    s->rule = r;
    s->dendritic_delay = pl->dendritic_delay;
    s->per_synapse = r->on_pre || r->on_post;
    s->stride_post = 1 + r->n_post;
    s->p = calloc(r->n_params + 1, sizeof *s->p);
    s->d = calloc(r->n_derived + 1, sizeof *s->d);
    if (!s->p || !s->d)
        return sq_fail(err, SQ_ENOMEM, "out of memory");
    if ((rc = rule_params(pl, r, s->p, where, err)) < 0)
        return rc;
    if (r->prepare)
        r->prepare(s->p, s->d);
    if (r->post_spike) {
        uint32_t n = sim->pops[tgt].n;
        s->base = malloc(((size_t)n * s->stride_post + 1) * sizeof *s->base);
        s->hist = calloc((size_t)n + 1, sizeof *s->hist);
        if (!s->base || !s->hist)
            return sq_fail(err, SQ_ENOMEM, "out of memory for the post states of %u neurons", n);
        for (uint32_t k = 0; k < n; k++) {
            double *b = s->base + (size_t)k * s->stride_post;
            b[0] = -INFINITY;
            memset(b + 1, 0, r->n_post * sizeof *b);
        }
    }
    if (r->n_pre + 1 > sim->stride_pre)
        sim->stride_pre = r->n_pre + 1;
    if (r->n_syn > sim->stride_syn)
        sim->stride_syn = r->n_syn;
    s->mod = calloc(r->n_mod + 1, sizeof *s->mod);
    if (!s->mod)
        return sq_fail(err, SQ_ENOMEM, "out of memory");
    s->mod[0] = -INFINITY;
    if (r->sweep) {
        s->sweep_interval = r->sweep_interval(s->p);
        s->next_sweep = s->sweep_interval;
        sim->any_sweep = 1;
    }
    return 0;
}

static int is_special(const sq_proj_spec *ps)
{
    return ps->plasticity || ps->receptor || ps->record_weights;
}

/* Files special k as a rule keeping post state of its target population. */
static int add_post_rule(sq_sim *sim, uint32_t k)
{
    uint32_t pop = sim->specials[k].tgt_pop, n = sim->n_post_rules[pop];
    uint32_t *list = realloc(sim->post_rules[pop], (n + 1) * sizeof *list);
    if (!list)
        return SQ_ENOMEM;
    list[n] = k;
    sim->post_rules[pop] = list;
    sim->n_post_rules[pop] = n + 1;
    return 0;
}

int sq__learning_build(sq_sim *sim, const sq_net_spec *spec, sq_err *err)
{
    size_t n = 0;
    for (size_t i = 0; i < spec->n_projs; i++)
        n += is_special(&spec->projs[i]);
    if (n == 0)
        return 0;
    if (n > UINT16_MAX - 1)
        return sq_fail(err, SQ_ERANGE, "%s: projections: expected at most %d plastic or receptor-specific projections, got %zu",
                       spec->origin, UINT16_MAX - 1, n);
    sim->specials = calloc(n, sizeof *sim->specials);
    sim->post_rules = calloc(sim->n_pops, sizeof *sim->post_rules);
    sim->n_post_rules = calloc(sim->n_pops, sizeof *sim->n_post_rules);
    if (!sim->specials || !sim->post_rules || !sim->n_post_rules)
        return sq_fail(err, SQ_ENOMEM, "out of memory");
    sim->stride_pre = 1;
    for (size_t i = 0; i < spec->n_projs; i++) {
        const sq_proj_spec *ps = &spec->projs[i];
        int src = sq__spec_pop(spec, ps->source), tgt = sq__spec_pop(spec, ps->target);
        if (!is_special(ps) || src < 0 || tgt < 0 || !sim->pops[tgt].model)
            continue; /* a bad reference: sq__synapses_build names it */
        uint32_t k = sim->n_specials++;
        int rc = make_special(sim, spec, i, src, tgt, &sim->specials[k], err);
        if (rc == 0 && sim->specials[k].base && add_post_rule(sim, k) < 0)
            rc = sq_fail(err, SQ_ENOMEM, "out of memory");
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* The special index + 1 of projection i, or 0: what sq__synapses_build groups by. */
uint16_t sq__learning_class(const sq_sim *sim, size_t i)
{
    for (uint32_t k = 0; k < sim->n_specials; k++)
        if (sim->specials[k].proj == i)
            return (uint16_t)(k + 1);
    return 0;
}

static int prepare_part(sq_sim *sim, sq__part *part)
{
    const sq__synapses *syn = &part->syn;
    uint32_t n_slots = 0;
    part->group_slot = malloc((syn->n_groups + 1) * sizeof *part->group_slot);
    if (!part->group_slot)
        return SQ_ENOMEM;
    for (uint64_t g = 0; g < syn->n_groups; g++) {
        uint16_t c = part->group_special[g];
        part->group_slot[g] = c && sim->specials[c - 1].rule ? n_slots++ : NO_SLOT;
    }
    part->group_pre = calloc((size_t)n_slots * sim->stride_pre + 1, sizeof *part->group_pre);
    if (!part->group_pre)
        return SQ_ENOMEM;
    if (sim->stride_syn && !(part->syn_state = calloc(syn->n_synapses * sim->stride_syn + 1, sizeof *part->syn_state)))
        return SQ_ENOMEM;
    for (uint32_t k = 0; k < n_slots; k++)
        part->group_pre[(size_t)k * sim->stride_pre] = -INFINITY;
    part->settled = -INFINITY;
    return 0;
}

int sq__learning_prepare_parts(sq_sim *sim)
{
    if (sim->n_specials == 0)
        return 0;
    if (!sim->general && !(sim->general = calloc((size_t)sim->n_neurons + 1, 1)))
        return SQ_ENOMEM; /* the devices may have made it */
    for (uint32_t k = 0; k < sim->n_specials; k++) {
        const sq__special *s = &sim->specials[k];
        const sq__pop *tp = &sim->pops[s->tgt_pop];
        if (s->per_synapse || s->receptor)
            memset(sim->general + tp->first, 1, tp->n);
    }
    for (uint32_t k = 0; k < sim->n_parts; k++)
        if (prepare_part(sim, &sim->parts[k]) < 0)
            return SQ_ENOMEM;
    return 0;
}

void sq__learning_free(sq_sim *sim)
{
    for (uint32_t k = 0; k < sim->n_specials; k++) {
        sq__special *s = &sim->specials[k];
        if (s->hist)
            for (uint32_t j = 0; j < sim->pops[s->tgt_pop].n; j++)
                free(s->hist[j].rec);
        free(s->hist);
        free(s->base);
        free(s->p);
        free(s->d);
        free(s->mod);
        free(s->name);
    }
    free(sim->specials);
    for (size_t i = 0; sim->post_rules && i < sim->n_pops; i++)
        free(sim->post_rules[i]);
    free(sim->post_rules);
    free(sim->n_post_rules);
    free(sim->general);
    for (uint32_t k = 0; k < sim->n_parts; k++) {
        sq__part *part = &sim->parts[k];
        free(part->group_special);
        free(part->group_slot);
        free(part->group_pre);
        free(part->entry_pre);
        free(part->entry_factor);
        free(part->syn_state);
    }
}

void sq__learning_stats(const sq_sim *sim, uint64_t *n_plastic, uint64_t *bytes)
{
    *n_plastic = *bytes = 0;
    if (!sim->n_specials)
        return;
    for (uint32_t q = 0; q < sim->n_parts; q++) {
        const sq__part *part = &sim->parts[q];
        const sq__synapses *syn = &part->syn;
        uint64_t slots = 0;
        for (uint64_t g = 0; g < syn->n_groups; g++) {
            uint16_t c = part->group_special[g];
            if (c && sim->specials[c - 1].rule) {
                *n_plastic += syn->syn_off[g + 1] - syn->syn_off[g];
                slots++;
            }
        }
        *bytes += syn->n_groups * (sizeof *part->group_special + sizeof *part->group_slot) +
                  slots * sim->stride_pre * sizeof(double) + (part->syn_state ? syn->n_synapses * sim->stride_syn * 4 : 0);
    }
    for (uint32_t k = 0; k < sim->n_specials; k++) {
        const sq__special *s = &sim->specials[k];
        uint32_t n = sim->pops[s->tgt_pop].n;
        for (uint32_t j = 0; s->hist && j < n; j++)
            *bytes += sizeof *s->hist + (uint64_t)s->hist[j].cap * s->stride_post * sizeof(double);
        *bytes += s->base ? (uint64_t)n * s->stride_post * sizeof(double) : 0;
    }
}
