/* sim/connect.c: connection rules with NEST's semantics (NEST 3 "Connection management":
 * all_to_all, one_to_one, pairwise_bernoulli as fixed_probability, fixed_indegree, fixed_outdegree,
 * fixed_total_number), honouring autapses (within one population) and multapses.
 *   Every target's synapses come from the stream sq_stream_id(SQ_STREAM_CONNECT, proj, target);
 *   fixed_outdegree uses (proj, source) instead, and fixed_total_number draws its per-target counts
 *   from (proj, COUNTS_KEY) before each target's sources come from (proj, target). So the synapses
 *   of a target never depend on which targets a caller asks for, or in which order.
 *   fixed_probability skips over absent pairs with geometric gaps: O(synapses), not O(pairs).
 *   Sampling without replacement rejects repeats against a bitset (small populations) or a hash set
 *   (large ones) sized by the degree, and for a degree above half the population picks the
 *   complement instead; both give the same draws, so the choice never changes the synapses.
 *   fixed_total_number splits N over targets by sequential binomials (multapses: the multinomial of
 *   NEST) or sequential hypergeometrics (no multapses: N distinct pairs, uniform over all sets).
 * Tested in tests/test_connect.c (exact degrees, chi-square and moment tests, range-split union,
 * every check message). */
#include "connect.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"
#include "rng_discrete.h"

/* Element key of the per-target count stream of fixed_total_number: the largest element index,
 * which no neuron index (< 2^32) can reach. */
#define COUNTS_KEY 0xffffffffffull
#define MAX_DEGREE 4294967295ull
#define MAX_TOTAL 1099511627776ull /* 2^40 synapses: far beyond any memory we could hold them in */

/* Workspace for drawing k distinct values from [0, n): a bitset or an open-addressing hash set of
 * value + 1 (0 marks an empty slot), grown on demand and reused from target to target. */
typedef struct {
    uint64_t *words;
    size_t n_words;
    uint64_t *slots;
    size_t n_slots; /* a power of two, or 0 */
    int use_bits;
    int out_of_memory; /* set when growing failed, to tell it from a callback's SQ_ENOMEM */
} picker;

static void picker_free(picker *pk)
{
    free(pk->words);
    free(pk->slots);
}

/* Prepares an empty set for `m` insertions of values below n. Returns 0 or SQ_ENOMEM. */
static int picker_reset(picker *pk, uint64_t n, uint64_t m)
{
    size_t words = (size_t)((n + 63) / 64);
    pk->use_bits = words <= 2 * m + 16;
    if (pk->use_bits) {
        if (words > pk->n_words) {
            free(pk->words);
            if (!(pk->words = malloc(words * sizeof *pk->words))) {
                pk->n_words = 0;
                pk->out_of_memory = 1;
                return SQ_ENOMEM;
            }
            pk->n_words = words;
        }
        memset(pk->words, 0, words * sizeof *pk->words);
        return 0;
    }
    size_t want = 16;
    while (want < 2 * m)
        want *= 2;
    if (want > pk->n_slots) {
        free(pk->slots);
        if (!(pk->slots = malloc(want * sizeof *pk->slots))) {
            pk->n_slots = 0;
            pk->out_of_memory = 1;
            return SQ_ENOMEM;
        }
        pk->n_slots = want;
    }
    memset(pk->slots, 0, want * sizeof *pk->slots);
    return 0;
}

/* Inserts x; returns 1 if it was new, 0 if already there. The hash table is at most half full. */
static int picker_insert(picker *pk, uint64_t x)
{
    if (pk->use_bits) {
        uint64_t bit = 1ull << (x & 63);
        if (pk->words[x >> 6] & bit)
            return 0;
        pk->words[x >> 6] |= bit;
        return 1;
    }
    size_t mask = pk->n_slots - 1;
    size_t i = (size_t)((x * 0x9E3779B97F4A7C15ull) >> 32) & mask;
    while (pk->slots[i]) {
        if (pk->slots[i] == x + 1)
            return 0;
        i = (i + 1) & mask;
    }
    pk->slots[i] = x + 1;
    return 1;
}

static int picker_has(const picker *pk, uint64_t x)
{
    if (pk->use_bits)
        return (pk->words[x >> 6] >> (x & 63)) & 1;
    size_t mask = pk->n_slots - 1;
    size_t i = (size_t)((x * 0x9E3779B97F4A7C15ull) >> 32) & mask;
    while (pk->slots[i]) {
        if (pk->slots[i] == x + 1)
            return 1;
        i = (i + 1) & mask;
    }
    return 0;
}

/* What to do with each drawn partner: the fixed end of the synapse, the index skipped when
 * autapses are excluded (UINT64_MAX for none), the target range passed on, and the callback. */
typedef struct {
    uint32_t fixed;
    int fixed_is_target;
    uint64_t skip;
    uint32_t tgt_lo, tgt_hi;
    uint32_t first, block_shift, stride, phase; /* the sq_target_set's ownership */
    sq_synapse_fn fn;
    void *ud;
} emitter;

/* Whether target t (in [tgt_lo, tgt_hi)) is one of the set's. */
static inline int owned(const emitter *e, uint64_t t)
{
    return e->stride == 1 || ((e->first + t) >> e->block_shift) % e->stride == e->phase;
}

/* Maps a draw from [0, c) (c = population size minus the excluded self) to a neuron index and
 * passes the synapse on. */
static int emit(const emitter *e, uint64_t x)
{
    if (x >= e->skip)
        x++;
    if (e->fixed_is_target)
        return e->fn(e->ud, (uint32_t)x, e->fixed);
    if (x < e->tgt_lo || x >= e->tgt_hi || !owned(e, x))
        return 0;
    return e->fn(e->ud, e->fixed, (uint32_t)x);
}

/* Draws k partners out of c: with repeats when multapses is set, else k distinct ones. */
static int draw_partners(const emitter *e, sq_rng *r, picker *pk, uint64_t c, uint64_t k, int multapses)
{
    int rc;
    if (k == 0)
        return 0;
    if (multapses) {
        for (uint64_t j = 0; j < k; j++)
            if ((rc = emit(e, sq_rng_below(r, c))) < 0)
                return rc;
        return 0;
    }
    /* Rejection costs about c/(c - k) draws per value, so above k = c/2 draw the c - k left out. */
    int complement = k > c / 2;
    uint64_t m = complement ? c - k : k;
    if ((rc = picker_reset(pk, c, m)) < 0)
        return rc;
    for (uint64_t j = 0; j < m;) {
        uint64_t x = sq_rng_below(r, c);
        if (!picker_insert(pk, x))
            continue;
        j++;
        if (!complement && (rc = emit(e, x)) < 0)
            return rc;
    }
    if (!complement)
        return 0;
    for (uint64_t x = 0; x < c; x++)
        if (!picker_has(pk, x) && (rc = emit(e, x)) < 0)
            return rc;
    return 0;
}

/* Bernoulli(p) over the c candidates, jumping from one synapse to the next by a geometric gap:
 * P(gap = g) = (1 - p)^g p, drawn as floor(log U / log(1 - p)). */
static int draw_bernoulli(const emitter *e, sq_rng *r, uint64_t c, double p)
{
    int rc;
    if (!(p > 0.0))
        return 0;
    if (p >= 1.0) {
        for (uint64_t x = 0; x < c; x++)
            if ((rc = emit(e, x)) < 0)
                return rc;
        return 0;
    }
    double log_q = log1p(-p);
    for (uint64_t x = 0; x < c; x++) {
        double gap = floor(log(sq_rng_uniform(r)) / log_q);
        if (gap >= (double)(c - x))
            return 0;
        x += (uint64_t)gap;
        if ((rc = emit(e, x)) < 0)
            return rc;
    }
    return 0;
}

static uint64_t stream(uint32_t proj, uint64_t key)
{
    return sq_stream_id(SQ_STREAM_CONNECT, proj, key);
}

static int check_degree(const sq_connector *c, uint64_t size, int diag, const char *field, const char *pop,
                        const char *per, const char *where, sq_err *err)
{
    uint64_t allowed = size - (uint64_t)(diag && size > 0);
    if (c->n > MAX_DEGREE)
        return sq_fail(err, SQ_ECONFIG, "%s.%s: expected at most 4294967295 synapses per %s, got %" PRIu64, where,
                       field, per, c->n);
    if (c->multapses && allowed == 0 && c->n > 0)
        return sq_fail(err, SQ_ECONFIG, "%s.%s: expected 0 (the %s population offers no allowed partner), got %" PRIu64,
                       where, field, pop, c->n);
    if (!c->multapses && c->n > allowed)
        return sq_fail(err, SQ_ECONFIG, "%s.%s: expected at most %" PRIu64 " (the %s population's size%s, no multapses), got %" PRIu64,
                       where, field, allowed, pop, diag ? " minus 1, no autapses" : "", c->n);
    return 0;
}

static int check_total(const sq_connector *c, uint32_t n_pre, uint32_t n_post, int diag, const char *where,
                       sq_err *err)
{
    uint64_t pairs = (uint64_t)n_pre * n_post - (diag ? n_pre : 0);
    if (c->n > MAX_TOTAL)
        return sq_fail(err, SQ_ECONFIG, "%s.N: expected at most 1099511627776 (2^40) synapses, got %" PRIu64, where,
                       c->n);
    if (c->multapses && pairs == 0 && c->n > 0)
        return sq_fail(err, SQ_ECONFIG, "%s.N: expected 0 (there is no allowed source-target pair), got %" PRIu64,
                       where, c->n);
    if (!c->multapses && c->n > pairs)
        return sq_fail(err, SQ_ECONFIG, "%s.N: expected at most %" PRIu64 " (the number of source-target pairs%s, no multapses), got %" PRIu64,
                       where, pairs, diag ? " minus the autapses" : "", c->n);
    return 0;
}

int sq_connector_check(const sq_connector *c, uint32_t n_pre, uint32_t n_post, int same_population,
                       const char *where, sq_err *err)
{
    if (same_population && n_pre != n_post)
        return sq_fail(err, SQ_EINVAL, "%s: expected equal sizes for a projection within one population, got %" PRIu32 " sources and %" PRIu32 " targets",
                       where, n_pre, n_post);
    int diag = same_population && !c->autapses;
    switch (c->rule) {
    case SQ_CONN_ALL_TO_ALL:
        return 0;
    case SQ_CONN_ONE_TO_ONE:
        if (n_pre != n_post)
            return sq_fail(err, SQ_ECONFIG, "%s: expected equal source and target population sizes for one_to_one, got %" PRIu32 " sources and %" PRIu32 " targets",
                           where, n_pre, n_post);
        return 0;
    case SQ_CONN_FIXED_PROBABILITY:
        if (!(c->p >= 0.0 && c->p <= 1.0))
            return sq_fail(err, SQ_ECONFIG, "%s.p: expected a probability in [0, 1], got %g", where, c->p);
        return 0;
    case SQ_CONN_FIXED_INDEGREE:
        return check_degree(c, n_pre, diag, "indegree", "source", "target", where, err);
    case SQ_CONN_FIXED_OUTDEGREE:
        return check_degree(c, n_post, diag, "outdegree", "target", "source", where, err);
    case SQ_CONN_FIXED_TOTAL_NUMBER:
        return check_total(c, n_pre, n_post, diag, where, err);
    }
    return sq_fail(err, SQ_ECONFIG, "%s.rule: expected a known connection rule, got %d", where, (int)c->rule);
}

/* fixed_outdegree: every source draws its targets from its own stream; only the synapses whose
 * target lies in the range are passed on, so every caller regenerates all sources. */
static int connect_outdegree(const sq_connector *c, uint32_t n_pre, uint32_t n_post, int diag, uint64_t seed,
                             uint32_t proj, emitter *e, picker *pk)
{
    int rc;
    e->fixed_is_target = 0;
    for (uint32_t s = 0; s < n_pre; s++) {
        sq_rng r;
        sq_rng_init(&r, seed, stream(proj, s));
        e->fixed = s;
        e->skip = diag ? s : UINT64_MAX;
        if ((rc = draw_partners(e, &r, pk, n_post - (uint64_t)diag, c->n, c->multapses)) < 0)
            return rc;
    }
    return 0;
}

/* fixed_total_number: the counts of targets 0 .. tgt_hi - 1 come in order from one stream (so the
 * prefix below tgt_lo is redrawn and dropped); target t gets Binomial(left, 1/(n_post - t)) with
 * multapses, Hypergeometric(c (n_post - t) pairs, c of them t's, left drawn) without. */
static int connect_total(const sq_connector *c, uint32_t n_pre, uint32_t n_post, int diag, uint64_t seed,
                         uint32_t proj, emitter *e, picker *pk)
{
    int rc;
    sq_rng counts;
    sq_rng_init(&counts, seed, stream(proj, COUNTS_KEY));
    uint64_t left = c->n, per_target = n_pre - (uint64_t)diag;
    for (uint32_t t = 0; t < e->tgt_hi && left > 0; t++) {
        uint64_t rest = n_post - (uint64_t)t;
        uint64_t k = c->multapses ? sq_rng_binomial(&counts, left, 1.0 / (double)rest)
                                  : sq_rng_hypergeometric(&counts, per_target * rest, per_target, left);
        left -= k;
        if (t < e->tgt_lo || k == 0 || !owned(e, t))
            continue;
        sq_rng r;
        sq_rng_init(&r, seed, stream(proj, t));
        e->fixed = t;
        e->skip = diag ? t : UINT64_MAX;
        if ((rc = draw_partners(e, &r, pk, per_target, k, c->multapses)) < 0)
            return rc;
    }
    return 0;
}

/* The target-keyed rules: all_to_all, one_to_one, fixed_probability, fixed_indegree. */
static int connect_by_target(const sq_connector *c, uint32_t n_pre, int diag, uint64_t seed, uint32_t proj,
                             emitter *e, picker *pk)
{
    int rc = 0;
    uint64_t per_target = n_pre - (uint64_t)diag;
    for (uint32_t t = e->tgt_lo; t < e->tgt_hi && rc == 0; t++) {
        if (!owned(e, t))
            continue;
        sq_rng r;
        sq_rng_init(&r, seed, stream(proj, t));
        e->fixed = t;
        e->skip = diag ? t : UINT64_MAX;
        switch (c->rule) {
        case SQ_CONN_ALL_TO_ALL:
            rc = draw_bernoulli(e, &r, per_target, 1.0);
            break;
        case SQ_CONN_ONE_TO_ONE:
            rc = diag ? 0 : e->fn(e->ud, t, t);
            break;
        case SQ_CONN_FIXED_PROBABILITY:
            rc = draw_bernoulli(e, &r, per_target, c->p);
            break;
        default:
            rc = draw_partners(e, &r, pk, per_target, c->n, c->multapses);
            break;
        }
    }
    return rc;
}

int sq_connect(const sq_connector *c, uint32_t n_pre, uint32_t n_post, int same_population, uint64_t seed,
               uint32_t proj, uint32_t tgt_lo, uint32_t tgt_hi, sq_synapse_fn fn, void *ud, sq_err *err)
{
    sq_target_set set = {tgt_lo, tgt_hi, 0, 0, 1, 0};
    return sq_connect_set(c, n_pre, n_post, same_population, seed, proj, &set, fn, ud, err);
}

int sq_connect_set(const sq_connector *c, uint32_t n_pre, uint32_t n_post, int same_population, uint64_t seed,
                   uint32_t proj, const sq_target_set *set, sq_synapse_fn fn, void *ud, sq_err *err)
{
    int rc;
    uint32_t tgt_lo = set->lo, tgt_hi = set->hi;
    if ((rc = sq_connector_check(c, n_pre, n_post, same_population, "sq_connect: connector", err)) < 0)
        return rc;
    if (!fn)
        return sq_fail(err, SQ_EINVAL, "sq_connect: fn: expected a synapse callback, got NULL");
    if (!(tgt_lo <= tgt_hi && tgt_hi <= n_post))
        return sq_fail(err, SQ_EINVAL, "sq_connect: [tgt_lo, tgt_hi): expected a range within [0, %" PRIu32 "), got [%" PRIu32 ", %" PRIu32 ")",
                       n_post, tgt_lo, tgt_hi);
    int diag = same_population && !c->autapses;
    if (!(set->stride >= 1 && set->phase < set->stride && set->block_shift < 32))
        return sq_fail(err, SQ_EINVAL, "sq_connect: set: expected phase < stride and block_shift < 32, got phase %" PRIu32
                       ", stride %" PRIu32 ", block_shift %" PRIu32, set->phase, set->stride, set->block_shift);
    emitter e = {.fixed_is_target = 1, .skip = UINT64_MAX, .tgt_lo = tgt_lo, .tgt_hi = tgt_hi, .first = set->first,
                 .block_shift = set->block_shift, .stride = set->stride, .phase = set->phase, .fn = fn, .ud = ud};
    picker pk = {0};
    if (c->rule == SQ_CONN_FIXED_OUTDEGREE)
        rc = connect_outdegree(c, n_pre, n_post, diag, seed, proj, &e, &pk);
    else if (c->rule == SQ_CONN_FIXED_TOTAL_NUMBER)
        rc = connect_total(c, n_pre, n_post, diag, seed, proj, &e, &pk);
    else
        rc = connect_by_target(c, n_pre, diag, seed, proj, &e, &pk);
    picker_free(&pk);
    if (rc < 0 && pk.out_of_memory)
        return sq_fail(err, SQ_ENOMEM, "sq_connect: projection %" PRIu32 ": expected memory for the sampling workspace, got none",
                       proj);
    if (rc < 0)
        return sq_fail(err, rc, "sq_connect: projection %" PRIu32 ": the synapse callback stopped generation (%s)",
                       proj, sq_strerror(rc));
    return 0;
}

double sq_connect_expected(const sq_connector *c, uint32_t n_pre, uint32_t n_post, int same_population)
{
    double diag = same_population && !c->autapses ? (double)(n_pre < n_post ? n_pre : n_post) : 0.0;
    double pairs = (double)n_pre * (double)n_post - diag;
    switch (c->rule) {
    case SQ_CONN_ALL_TO_ALL:
        return pairs;
    case SQ_CONN_ONE_TO_ONE:
        return diag > 0.0 ? 0.0 : (double)n_pre;
    case SQ_CONN_FIXED_PROBABILITY:
        return c->p * pairs;
    case SQ_CONN_FIXED_INDEGREE:
        return (double)c->n * (double)n_post;
    case SQ_CONN_FIXED_OUTDEGREE:
        return (double)c->n * (double)n_pre;
    case SQ_CONN_FIXED_TOTAL_NUMBER:
        return (double)c->n;
    }
    return 0.0;
}
