/* tests/test_connect.c: connection rules of sim/connect.c against NEST's semantics.
 * Exact rules (all_to_all, one_to_one, the degrees of fixed_indegree/fixed_outdegree, the total of
 * fixed_total_number) are compared exactly; random ones statistically with fixed seeds: counts
 * within 5 sigma of their binomial mean, per-target counts by Pearson's chi-square at p = 0.001
 * (critical values chi2_0.999(df) from scipy.stats.chi2.ppf). For every rule, generating the target
 * ranges [0, a) and [a, n) must give exactly the synapses of one run over [0, n). Every
 * sq_connector_check error is checked for its code and its exact message. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/connect.h"
#include "run_suite.h"

typedef struct {
    uint32_t src, tgt;
} pair;

typedef struct {
    pair *v;
    size_t n, cap;
} pairs;

static int collect(void *ud, uint32_t src, uint32_t tgt)
{
    pairs *p = ud;
    if (p->n == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 1024;
        pair *v = realloc(p->v, cap * sizeof *v);
        if (!v)
            return SQ_ENOMEM;
        p->v = v;
        p->cap = cap;
    }
    p->v[p->n++] = (pair){src, tgt};
    return 0;
}

static int pair_cmp(const void *a, const void *b)
{
    const pair *x = a, *y = b;
    if (x->tgt != y->tgt)
        return x->tgt < y->tgt ? -1 : 1;
    return x->src < y->src ? -1 : x->src > y->src;
}

static sq_connector conn(sq_conn_rule rule, double p, uint64_t n, int autapses, int multapses)
{
    sq_connector c = {rule, p, n, autapses, multapses};
    return c;
}

/* All synapses of the ranges [cuts[i], cuts[i+1]), sorted by (target, source). */
static pairs gen_ranges(const sq_connector *c, uint32_t n_pre, uint32_t n_post, int same, uint64_t seed,
                        uint32_t proj, const uint32_t *cuts, int n_cuts)
{
    pairs p = {0};
    for (int i = 0; i + 1 < n_cuts; i++) {
        sq_err err = {0};
        int rc = sq_connect(c, n_pre, n_post, same, seed, proj, cuts[i], cuts[i + 1], collect, &p, &err);
        ck_assert_msg(rc == 0, "sq_connect failed: %s", err.msg);
    }
    if (p.n > 0)
        qsort(p.v, p.n, sizeof *p.v, pair_cmp);
    return p;
}

static pairs gen(const sq_connector *c, uint32_t n_pre, uint32_t n_post, int same, uint64_t seed)
{
    uint32_t cuts[2] = {0, n_post};
    return gen_ranges(c, n_pre, n_post, same, seed, 0, cuts, 2);
}

static size_t count_duplicates(const pairs *p) /* p sorted */
{
    size_t d = 0;
    for (size_t i = 1; i < p->n; i++)
        d += p->v[i].src == p->v[i - 1].src && p->v[i].tgt == p->v[i - 1].tgt;
    return d;
}

static size_t count_autapses(const pairs *p)
{
    size_t d = 0;
    for (size_t i = 0; i < p->n; i++)
        d += p->v[i].src == p->v[i].tgt;
    return d;
}

static int same_pairs(const pairs *a, const pairs *b)
{
    return a->n == b->n && (a->n == 0 || memcmp(a->v, b->v, a->n * sizeof *a->v) == 0);
}

/* in[t] or out[s] counts; the caller frees. */
static uint64_t *degrees(const pairs *p, uint32_t n, int by_source)
{
    uint64_t *d = calloc(n ? n : 1, sizeof *d);
    ck_assert_ptr_nonnull(d);
    for (size_t i = 0; i < p->n; i++)
        d[by_source ? p->v[i].src : p->v[i].tgt]++;
    return d;
}

static int all_equal(const uint64_t *d, uint32_t n, uint64_t want)
{
    for (uint32_t i = 0; i < n; i++)
        if (d[i] != want)
            return 0;
    return 1;
}

START_TEST(all_to_all_connects_every_pair_once)
{
    sq_connector c = conn(SQ_CONN_ALL_TO_ALL, 0, 0, 1, 1);
    pairs p = gen(&c, 7, 5, 0, 1);
    ck_assert_uint_eq(p.n, 35);
    for (size_t i = 0; i < p.n; i++) {
        ck_assert_uint_eq(p.v[i].tgt, i / 7);
        ck_assert_uint_eq(p.v[i].src, i % 7);
    }
    ck_assert_double_eq(sq_connect_expected(&c, 7, 5, 0), 35.0);
    free(p.v);
}
END_TEST

START_TEST(all_to_all_within_a_population_skips_autapses_when_off)
{
    sq_connector off = conn(SQ_CONN_ALL_TO_ALL, 0, 0, 0, 1), on = conn(SQ_CONN_ALL_TO_ALL, 0, 0, 1, 1);
    pairs p = gen(&off, 6, 6, 1, 1), q = gen(&on, 6, 6, 1, 1);
    ck_assert_uint_eq(p.n, 30);
    ck_assert_uint_eq(count_autapses(&p), 0);
    ck_assert_uint_eq(count_duplicates(&p), 0);
    ck_assert_uint_eq(q.n, 36);
    ck_assert_uint_eq(count_autapses(&q), 6);
    ck_assert_double_eq(sq_connect_expected(&off, 6, 6, 1), 30.0);
    ck_assert_double_eq(sq_connect_expected(&on, 6, 6, 1), 36.0);
    free(p.v);
    free(q.v);
}
END_TEST

START_TEST(one_to_one_connects_i_to_i_and_nothing_within_a_population_without_autapses)
{
    sq_connector c = conn(SQ_CONN_ONE_TO_ONE, 0, 0, 1, 1), off = conn(SQ_CONN_ONE_TO_ONE, 0, 0, 0, 1);
    pairs p = gen(&c, 10, 10, 0, 1), q = gen(&off, 10, 10, 1, 1);
    ck_assert_uint_eq(p.n, 10);
    ck_assert_uint_eq(count_autapses(&p), 10);
    ck_assert_uint_eq(q.n, 0); /* NEST's one_to_one skips i -> i when autapses are off */
    ck_assert_double_eq(sq_connect_expected(&c, 10, 10, 0), 10.0);
    ck_assert_double_eq(sq_connect_expected(&off, 10, 10, 1), 0.0);
    free(p.v);
    free(q.v);
}
END_TEST

START_TEST(fixed_indegree_gives_every_target_exactly_n_distinct_sources)
{
    sq_connector c = conn(SQ_CONN_FIXED_INDEGREE, 0, 20, 1, 0);
    pairs p = gen(&c, 50, 200, 0, 3);
    uint64_t *in = degrees(&p, 200, 0);
    ck_assert(all_equal(in, 200, 20));
    ck_assert_uint_eq(count_duplicates(&p), 0);
    ck_assert_double_eq(sq_connect_expected(&c, 50, 200, 0), 4000.0);
    free(in);
    free(p.v);
}
END_TEST

START_TEST(fixed_indegree_without_autapses_never_connects_a_neuron_to_itself)
{
    /* k = 30 of 99 (rejection) and k = 99 of 99 (every other neuron, through the complement). */
    for (uint64_t k = 30; k <= 99; k += 69) {
        sq_connector c = conn(SQ_CONN_FIXED_INDEGREE, 0, k, 0, 0);
        pairs p = gen(&c, 100, 100, 1, 4);
        uint64_t *in = degrees(&p, 100, 0);
        ck_assert(all_equal(in, 100, k));
        ck_assert_uint_eq(count_autapses(&p), 0);
        ck_assert_uint_eq(count_duplicates(&p), 0);
        free(in);
        free(p.v);
    }
}
END_TEST

START_TEST(fixed_indegree_with_multapses_repeats_pairs_but_keeps_the_degree)
{
    /* 40 draws out of 20 sources: repeats are certain; autapses off still excludes i -> i. */
    sq_connector c = conn(SQ_CONN_FIXED_INDEGREE, 0, 40, 0, 1);
    pairs p = gen(&c, 20, 20, 1, 5);
    uint64_t *in = degrees(&p, 20, 0);
    ck_assert(all_equal(in, 20, 40));
    ck_assert_uint_eq(count_autapses(&p), 0);
    ck_assert_uint_gt(count_duplicates(&p), 0);
    free(in);
    free(p.v);
}
END_TEST

START_TEST(fixed_indegree_from_a_large_population_uses_distinct_sources)
{
    /* n_pre = 10^6, k = 100: the hash-set path (a bitset would be 16 times the draws). */
    sq_connector c = conn(SQ_CONN_FIXED_INDEGREE, 0, 100, 1, 0);
    pairs p = gen(&c, 1000000, 50, 0, 6);
    uint64_t *in = degrees(&p, 50, 0);
    ck_assert(all_equal(in, 50, 100));
    ck_assert_uint_eq(count_duplicates(&p), 0);
    free(in);
    free(p.v);
}
END_TEST

START_TEST(fixed_indegree_picks_sources_uniformly_by_chi_square)
{
    /* 20 sources, 5 per target, 20000 targets: each source is expected 5000 times. The counts are
     * slightly less variable than a multinomial's (sampling without replacement), so the test
     * with chi2_0.999(19) = 43.820 is conservative. */
    sq_connector c = conn(SQ_CONN_FIXED_INDEGREE, 0, 5, 1, 0);
    pairs p = gen(&c, 20, 20000, 0, 7);
    uint64_t *out = degrees(&p, 20, 1);
    double x2 = 0.0;
    for (int s = 0; s < 20; s++)
        x2 += ((double)out[s] - 5000.0) * ((double)out[s] - 5000.0) / 5000.0;
    ck_assert_double_lt(x2, 43.820);
    free(out);
    free(p.v);
}
END_TEST

START_TEST(fixed_outdegree_gives_every_source_exactly_n_distinct_targets)
{
    sq_connector c = conn(SQ_CONN_FIXED_OUTDEGREE, 0, 15, 0, 0);
    pairs p = gen(&c, 80, 80, 1, 8);
    uint64_t *out = degrees(&p, 80, 1);
    ck_assert(all_equal(out, 80, 15));
    ck_assert_uint_eq(count_autapses(&p), 0);
    ck_assert_uint_eq(count_duplicates(&p), 0);
    ck_assert_double_eq(sq_connect_expected(&c, 80, 80, 1), 1200.0);
    free(out);
    free(p.v);
    sq_connector m = conn(SQ_CONN_FIXED_OUTDEGREE, 0, 60, 1, 1);
    p = gen(&m, 30, 25, 0, 8);
    out = degrees(&p, 30, 1);
    ck_assert(all_equal(out, 30, 60));
    ck_assert_uint_gt(count_duplicates(&p), 0);
    free(out);
    free(p.v);
}
END_TEST

/* Pearson's chi-square of per-target counts against equal shares of the total. */
static double target_chi_square(const pairs *p, uint32_t n_post)
{
    uint64_t *in = degrees(p, n_post, 0);
    double e = (double)p->n / n_post, x2 = 0.0;
    for (uint32_t t = 0; t < n_post; t++)
        x2 += ((double)in[t] - e) * ((double)in[t] - e) / e;
    free(in);
    return x2;
}

START_TEST(fixed_total_number_with_multapses_makes_n_synapses_split_multinomially)
{
    /* 10000 synapses over 50 targets (200 expected each); chi2_0.999(49) = 85.351. */
    sq_connector c = conn(SQ_CONN_FIXED_TOTAL_NUMBER, 0, 10000, 1, 1);
    pairs p = gen(&c, 30, 50, 0, 9);
    ck_assert_uint_eq(p.n, 10000);
    ck_assert_double_lt(target_chi_square(&p, 50), 85.351);
    ck_assert_double_eq(sq_connect_expected(&c, 30, 50, 0), 10000.0);
    free(p.v);
}
END_TEST

START_TEST(fixed_total_number_without_multapses_makes_n_distinct_pairs)
{
    /* 2000 of the 60 * 60 - 60 = 3540 allowed pairs. Multivariate
     * hypergeometric counts vary less than multinomial ones, so chi2_0.999(59) = 98.324 bounds them
     * conservatively. */
    sq_connector c = conn(SQ_CONN_FIXED_TOTAL_NUMBER, 0, 2000, 0, 0);
    pairs p = gen(&c, 60, 60, 1, 10);
    ck_assert_uint_eq(p.n, 2000);
    ck_assert_uint_eq(count_duplicates(&p), 0);
    ck_assert_uint_eq(count_autapses(&p), 0);
    ck_assert_double_lt(target_chi_square(&p, 60), 98.324);
    free(p.v);
    /* Asking for every allowed pair gives each exactly once. */
    sq_connector all = conn(SQ_CONN_FIXED_TOTAL_NUMBER, 0, 12 * 12 - 12, 0, 0);
    p = gen(&all, 12, 12, 1, 10);
    ck_assert_uint_eq(p.n, 132);
    ck_assert_uint_eq(count_duplicates(&p), 0);
    ck_assert_uint_eq(count_autapses(&p), 0);
    free(p.v);
}
END_TEST

START_TEST(fixed_probability_count_is_within_5_sigma_and_indegrees_are_binomial)
{
    /* 1000 x 1000 pairs at p = 0.1: total ~ Binomial(1e6, 0.1), sigma = 300. In-degrees ~
     * Binomial(1000, 0.1): mean 100 (SE 0.3), variance 90 (SE sqrt((mu4 - 90^2)/1000) = 4.0,
     * mu4 = npq(1 + 3pq(n - 2)) = 24306.5). */
    sq_connector c = conn(SQ_CONN_FIXED_PROBABILITY, 0.1, 0, 1, 1);
    pairs p = gen(&c, 1000, 1000, 0, 11);
    ck_assert_double_eq_tol((double)p.n, 1e5, 5.0 * 300.0);
    ck_assert_uint_eq(count_duplicates(&p), 0);
    uint64_t *in = degrees(&p, 1000, 0);
    double s1 = 0.0, s2 = 0.0;
    for (int t = 0; t < 1000; t++) {
        s1 += (double)in[t];
        s2 += (double)in[t] * (double)in[t];
    }
    double mean = s1 / 1000.0, var = s2 / 1000.0 - mean * mean;
    ck_assert_double_eq_tol(mean, 100.0, 5.0 * sqrt(90.0 / 1000.0));
    ck_assert_double_eq_tol(var, 90.0, 5.0 * sqrt((24306.5 - 8100.0) / 1000.0));
    ck_assert_double_eq(sq_connect_expected(&c, 1000, 1000, 0), 1e5);
    free(in);
    free(p.v);
}
END_TEST

START_TEST(fixed_probability_geometric_skips_treat_every_source_alike)
{
    /* Two sources, p = 1/2, 40000 targets: each target's pattern (none, 0, 1, both) has
     * probability 1/4 (an off-by-one in the skipping shows up here first); chi2_0.999(3) = 16.266.
     * Sparse case: 20000 x 20000 at p = 1e-4, mean 40000, sigma = 200. */
    sq_connector c = conn(SQ_CONN_FIXED_PROBABILITY, 0.5, 0, 1, 1);
    pairs p = gen(&c, 2, 40000, 0, 12);
    uint8_t *pattern = calloc(40000, 1);
    uint64_t hist[4] = {0};
    ck_assert_ptr_nonnull(pattern);
    for (size_t i = 0; i < p.n; i++)
        pattern[p.v[i].tgt] |= (uint8_t)(1u << p.v[i].src);
    for (int t = 0; t < 40000; t++)
        hist[pattern[t]]++;
    double x2 = 0.0;
    for (int k = 0; k < 4; k++)
        x2 += ((double)hist[k] - 10000.0) * ((double)hist[k] - 10000.0) / 10000.0;
    ck_assert_double_lt(x2, 16.266);
    free(pattern);
    free(p.v);
    sq_connector sparse = conn(SQ_CONN_FIXED_PROBABILITY, 1e-4, 0, 1, 1);
    p = gen(&sparse, 20000, 20000, 0, 13);
    ck_assert_double_eq_tol((double)p.n, 40000.0, 5.0 * 200.0);
    free(p.v);
}
END_TEST

START_TEST(fixed_probability_edges_zero_one_and_no_autapses)
{
    sq_connector zero = conn(SQ_CONN_FIXED_PROBABILITY, 0.0, 0, 1, 1), one = conn(SQ_CONN_FIXED_PROBABILITY, 1.0, 0, 0, 1);
    pairs p = gen(&zero, 30, 30, 0, 14), q = gen(&one, 30, 30, 1, 14);
    ck_assert_uint_eq(p.n, 0);
    ck_assert_uint_eq(q.n, 870);
    ck_assert_uint_eq(count_autapses(&q), 0);
    ck_assert_uint_eq(count_duplicates(&q), 0);
    free(p.v);
    free(q.v);
    sq_connector half = conn(SQ_CONN_FIXED_PROBABILITY, 0.5, 0, 0, 1);
    p = gen(&half, 300, 300, 1, 15);
    ck_assert_uint_eq(count_autapses(&p), 0);
    ck_assert_double_eq_tol((double)p.n, 0.5 * 89700.0, 5.0 * sqrt(89700.0 * 0.25));
    ck_assert_double_eq(sq_connect_expected(&half, 300, 300, 1), 44850.0);
    free(p.v);
}
END_TEST

/* Every rule: [0, a) + [a, n) and a three-way split equal one run over [0, n). */
START_TEST(splitting_the_target_range_changes_no_synapse_for_any_rule)
{
    const sq_connector rules[] = {
        conn(SQ_CONN_ALL_TO_ALL, 0, 0, 0, 1),          conn(SQ_CONN_ONE_TO_ONE, 0, 0, 1, 1),
        conn(SQ_CONN_FIXED_PROBABILITY, 0.2, 0, 0, 1), conn(SQ_CONN_FIXED_INDEGREE, 0, 12, 0, 0),
        conn(SQ_CONN_FIXED_INDEGREE, 0, 12, 1, 1),     conn(SQ_CONN_FIXED_OUTDEGREE, 0, 9, 0, 0),
        conn(SQ_CONN_FIXED_OUTDEGREE, 0, 9, 1, 1),     conn(SQ_CONN_FIXED_TOTAL_NUMBER, 0, 1500, 0, 0),
        conn(SQ_CONN_FIXED_TOTAL_NUMBER, 0, 1500, 1, 1)};
    for (size_t i = 0; i < SQ_COUNT(rules); i++) {
        uint32_t whole[2] = {0, 97}, halves[3] = {0, 40, 97}, thirds[4] = {0, 1, 60, 97};
        pairs a = gen_ranges(&rules[i], 97, 97, 1, 16, 3, whole, 2);
        pairs b = gen_ranges(&rules[i], 97, 97, 1, 16, 3, halves, 3);
        pairs c = gen_ranges(&rules[i], 97, 97, 1, 16, 3, thirds, 4);
        ck_assert_msg(a.n > 0, "rule %zu made no synapse", i);
        ck_assert_msg(same_pairs(&a, &b), "rule %zu: [0, 40) + [40, 97) differs from [0, 97)", i);
        ck_assert_msg(same_pairs(&a, &c), "rule %zu: a three-way split differs from [0, 97)", i);
        free(a.v);
        free(b.v);
        free(c.v);
    }
}
END_TEST

/* Every rule: the three block-cyclic target sets of three threads (blocks of 4 global ids, the
 * population starting at global id 5) together equal one run, and each holds only its targets. */
START_TEST(block_cyclic_target_sets_together_make_exactly_the_whole_projection_for_any_rule)
{
    const sq_connector rules[] = {
        conn(SQ_CONN_ALL_TO_ALL, 0, 0, 0, 1),          conn(SQ_CONN_ONE_TO_ONE, 0, 0, 1, 1),
        conn(SQ_CONN_FIXED_PROBABILITY, 0.2, 0, 0, 1), conn(SQ_CONN_FIXED_INDEGREE, 0, 12, 0, 0),
        conn(SQ_CONN_FIXED_OUTDEGREE, 0, 9, 0, 0),     conn(SQ_CONN_FIXED_TOTAL_NUMBER, 0, 1500, 0, 0),
        conn(SQ_CONN_FIXED_TOTAL_NUMBER, 0, 1500, 1, 1)};
    for (size_t i = 0; i < SQ_COUNT(rules); i++) {
        uint32_t whole[2] = {0, 97};
        pairs a = gen_ranges(&rules[i], 97, 97, 1, 16, 3, whole, 2), u = {0};
        for (uint32_t phase = 0; phase < 3; phase++) {
            sq_target_set set = {0, 97, 5, 2, 3, phase};
            pairs p = {0};
            sq_err err = {0};
            ck_assert_int_eq(sq_connect_set(&rules[i], 97, 97, 1, 16, 3, &set, collect, &p, &err), 0);
            for (size_t k = 0; k < p.n; k++) {
                ck_assert_msg(((5 + p.v[k].tgt) >> 2) % 3 == phase, "rule %zu: target %u is not in phase %u", i,
                              p.v[k].tgt, phase);
                collect(&u, p.v[k].src, p.v[k].tgt);
            }
            free(p.v);
        }
        if (u.n > 0)
            qsort(u.v, u.n, sizeof *u.v, pair_cmp);
        ck_assert_msg(a.n > 0 && same_pairs(&a, &u), "rule %zu: the three sets differ from [0, 97)", i);
        free(a.v);
        free(u.v);
    }
}
END_TEST

START_TEST(same_seed_reproduces_and_other_seed_or_projection_differs)
{
    sq_connector c = conn(SQ_CONN_FIXED_INDEGREE, 0, 10, 1, 0);
    uint32_t cuts[2] = {0, 100};
    pairs a = gen_ranges(&c, 100, 100, 0, 17, 0, cuts, 2), b = gen_ranges(&c, 100, 100, 0, 17, 0, cuts, 2);
    pairs s = gen_ranges(&c, 100, 100, 0, 18, 0, cuts, 2), q = gen_ranges(&c, 100, 100, 0, 17, 1, cuts, 2);
    ck_assert(same_pairs(&a, &b));
    ck_assert(!same_pairs(&a, &s));
    ck_assert(!same_pairs(&a, &q));
    free(a.v);
    free(b.v);
    free(s.v);
    free(q.v);
}
END_TEST

typedef struct {
    uint32_t last_tgt;
    int out_of_order;
    size_t calls;
} order;

static int check_order(void *ud, uint32_t src, uint32_t tgt)
{
    (void)src;
    order *o = ud;
    o->out_of_order += o->calls > 0 && tgt < o->last_tgt;
    o->last_tgt = tgt;
    o->calls++;
    return 0;
}

START_TEST(target_keyed_rules_pass_targets_grouped_in_increasing_order)
{
    const sq_connector rules[] = {conn(SQ_CONN_FIXED_PROBABILITY, 0.3, 0, 1, 1), conn(SQ_CONN_FIXED_INDEGREE, 0, 7, 1, 0),
                                  conn(SQ_CONN_FIXED_TOTAL_NUMBER, 0, 500, 1, 1)};
    for (size_t i = 0; i < SQ_COUNT(rules); i++) {
        order o = {0};
        ck_assert_int_eq(sq_connect(&rules[i], 40, 40, 0, 19, 0, 5, 35, check_order, &o, NULL), 0);
        ck_assert_int_eq(o.out_of_order, 0);
        ck_assert_uint_gt(o.calls, 0);
    }
}
END_TEST

static int stop_at_ten(void *ud, uint32_t src, uint32_t tgt)
{
    (void)src;
    (void)tgt;
    return ++*(int *)ud == 10 ? SQ_ENOMEM : 0;
}

START_TEST(callback_error_stops_generation_and_is_returned)
{
    sq_connector c = conn(SQ_CONN_ALL_TO_ALL, 0, 0, 1, 1);
    int calls = 0;
    sq_err err = {0};
    ck_assert_int_eq(sq_connect(&c, 10, 10, 0, 1, 4, 0, 10, stop_at_ten, &calls, &err), SQ_ENOMEM);
    ck_assert_int_eq(calls, 10);
    ck_assert_int_eq(err.code, SQ_ENOMEM);
    ck_assert_str_eq(err.msg, "sq_connect: projection 4: the synapse callback stopped generation (out of memory)");
}
END_TEST

START_TEST(connect_rejects_a_range_outside_the_targets_and_a_null_callback)
{
    sq_connector c = conn(SQ_CONN_ALL_TO_ALL, 0, 0, 1, 1);
    pairs p = {0};
    sq_err err = {0};
    ck_assert_int_eq(sq_connect(&c, 10, 10, 0, 1, 0, 5, 11, collect, &p, &err), SQ_EINVAL);
    ck_assert_str_eq(err.msg, "sq_connect: [tgt_lo, tgt_hi): expected a range within [0, 10), got [5, 11)");
    ck_assert_int_eq(sq_connect(&c, 10, 10, 0, 1, 0, 6, 5, collect, &p, &err), SQ_EINVAL);
    ck_assert_str_eq(err.msg, "sq_connect: [tgt_lo, tgt_hi): expected a range within [0, 10), got [6, 5)");
    ck_assert_int_eq(sq_connect(&c, 10, 10, 0, 1, 0, 0, 10, NULL, NULL, &err), SQ_EINVAL);
    ck_assert_str_eq(err.msg, "sq_connect: fn: expected a synapse callback, got NULL");
    ck_assert_uint_eq(p.n, 0);
}
END_TEST

START_TEST(connect_checks_the_connector_first)
{
    sq_connector c = conn(SQ_CONN_FIXED_INDEGREE, 0, 11, 1, 0);
    pairs p = {0};
    sq_err err = {0};
    ck_assert_int_eq(sq_connect(&c, 10, 10, 0, 1, 0, 0, 10, collect, &p, &err), SQ_ECONFIG);
    ck_assert_str_eq(err.msg,
                     "sq_connect: connector.indegree: expected at most 10 (the source population's size, no multapses), got 11");
    ck_assert_uint_eq(p.n, 0);
}
END_TEST

static void expect_check(sq_connector c, uint32_t n_pre, uint32_t n_post, int same, int code, const char *msg)
{
    sq_err err = {0};
    ck_assert_int_eq(sq_connector_check(&c, n_pre, n_post, same, "net.json: projections[1].connector", &err), code);
    ck_assert_int_eq(err.code, code);
    ck_assert_str_eq(err.msg, msg);
}

START_TEST(check_rejects_probability_outside_0_1)
{
    expect_check(conn(SQ_CONN_FIXED_PROBABILITY, 1.5, 0, 1, 1), 10, 10, 0, SQ_ECONFIG,
                 "net.json: projections[1].connector.p: expected a probability in [0, 1], got 1.5");
    expect_check(conn(SQ_CONN_FIXED_PROBABILITY, -0.1, 0, 1, 1), 10, 10, 0, SQ_ECONFIG,
                 "net.json: projections[1].connector.p: expected a probability in [0, 1], got -0.1");
    expect_check(conn(SQ_CONN_FIXED_PROBABILITY, NAN, 0, 1, 1), 10, 10, 0, SQ_ECONFIG,
                 "net.json: projections[1].connector.p: expected a probability in [0, 1], got nan");
}
END_TEST

START_TEST(check_rejects_indegree_beyond_the_sources)
{
    expect_check(conn(SQ_CONN_FIXED_INDEGREE, 0, 150, 1, 0), 100, 10, 0, SQ_ECONFIG,
                 "net.json: projections[1].connector.indegree: expected at most 100 (the source population's size, no multapses), got 150");
    expect_check(conn(SQ_CONN_FIXED_INDEGREE, 0, 100, 0, 0), 100, 100, 1, SQ_ECONFIG,
                 "net.json: projections[1].connector.indegree: expected at most 99 (the source population's size minus 1, no autapses, no multapses), got 100");
    expect_check(conn(SQ_CONN_FIXED_INDEGREE, 0, 3, 1, 1), 0, 10, 0, SQ_ECONFIG,
                 "net.json: projections[1].connector.indegree: expected 0 (the source population offers no allowed partner), got 3");
    expect_check(conn(SQ_CONN_FIXED_INDEGREE, 0, 3, 0, 1), 1, 1, 1, SQ_ECONFIG,
                 "net.json: projections[1].connector.indegree: expected 0 (the source population offers no allowed partner), got 3");
    expect_check(conn(SQ_CONN_FIXED_INDEGREE, 0, 4294967296ull, 1, 1), 10, 10, 0, SQ_ECONFIG,
                 "net.json: projections[1].connector.indegree: expected at most 4294967295 synapses per target, got 4294967296");
    sq_connector fine = conn(SQ_CONN_FIXED_INDEGREE, 0, 150, 1, 1); /* multapses allow n > n_pre */
    ck_assert_int_eq(sq_connector_check(&fine, 100, 10, 0, "x", NULL), 0);
}
END_TEST

START_TEST(check_rejects_outdegree_beyond_the_targets)
{
    expect_check(conn(SQ_CONN_FIXED_OUTDEGREE, 0, 11, 1, 0), 100, 10, 0, SQ_ECONFIG,
                 "net.json: projections[1].connector.outdegree: expected at most 10 (the target population's size, no multapses), got 11");
    expect_check(conn(SQ_CONN_FIXED_OUTDEGREE, 0, 10, 0, 0), 10, 10, 1, SQ_ECONFIG,
                 "net.json: projections[1].connector.outdegree: expected at most 9 (the target population's size minus 1, no autapses, no multapses), got 10");
    expect_check(conn(SQ_CONN_FIXED_OUTDEGREE, 0, 1, 1, 1), 10, 0, 0, SQ_ECONFIG,
                 "net.json: projections[1].connector.outdegree: expected 0 (the target population offers no allowed partner), got 1");
    expect_check(conn(SQ_CONN_FIXED_OUTDEGREE, 0, 1ull << 40, 1, 1), 10, 10, 0, SQ_ECONFIG,
                 "net.json: projections[1].connector.outdegree: expected at most 4294967295 synapses per source, got 1099511627776");
}
END_TEST

START_TEST(check_rejects_total_number_beyond_the_pairs)
{
    expect_check(conn(SQ_CONN_FIXED_TOTAL_NUMBER, 0, 201, 1, 0), 20, 10, 0, SQ_ECONFIG,
                 "net.json: projections[1].connector.N: expected at most 200 (the number of source-target pairs, no multapses), got 201");
    expect_check(conn(SQ_CONN_FIXED_TOTAL_NUMBER, 0, 100, 0, 0), 10, 10, 1, SQ_ECONFIG,
                 "net.json: projections[1].connector.N: expected at most 90 (the number of source-target pairs minus the autapses, no multapses), got 100");
    expect_check(conn(SQ_CONN_FIXED_TOTAL_NUMBER, 0, 5, 0, 1), 1, 1, 1, SQ_ECONFIG,
                 "net.json: projections[1].connector.N: expected 0 (there is no allowed source-target pair), got 5");
    expect_check(conn(SQ_CONN_FIXED_TOTAL_NUMBER, 0, (1ull << 40) + 1, 1, 1), 10, 10, 0, SQ_ECONFIG,
                 "net.json: projections[1].connector.N: expected at most 1099511627776 (2^40) synapses, got 1099511627777");
}
END_TEST

START_TEST(check_rejects_one_to_one_between_unequal_populations)
{
    expect_check(conn(SQ_CONN_ONE_TO_ONE, 0, 0, 1, 1), 10, 12, 0, SQ_ECONFIG,
                 "net.json: projections[1].connector: expected equal source and target population sizes for one_to_one, got 10 sources and 12 targets");
}
END_TEST

START_TEST(check_rejects_unknown_rule_and_unequal_sizes_within_one_population)
{
    expect_check(conn((sq_conn_rule)42, 0, 0, 1, 1), 10, 10, 0, SQ_ECONFIG,
                 "net.json: projections[1].connector.rule: expected a known connection rule, got 42");
    expect_check(conn(SQ_CONN_ALL_TO_ALL, 0, 0, 1, 1), 10, 11, 1, SQ_EINVAL,
                 "net.json: projections[1].connector: expected equal sizes for a projection within one population, got 10 sources and 11 targets");
}
END_TEST

START_TEST(check_accepts_every_rule_at_its_limits)
{
    const sq_connector ok[] = {conn(SQ_CONN_ALL_TO_ALL, 0, 0, 0, 0),          conn(SQ_CONN_ONE_TO_ONE, 0, 0, 0, 0),
                               conn(SQ_CONN_FIXED_PROBABILITY, 1.0, 0, 0, 0), conn(SQ_CONN_FIXED_PROBABILITY, 0.0, 0, 0, 0),
                               conn(SQ_CONN_FIXED_INDEGREE, 0, 9, 0, 0),      conn(SQ_CONN_FIXED_OUTDEGREE, 0, 9, 0, 0),
                               conn(SQ_CONN_FIXED_TOTAL_NUMBER, 0, 90, 0, 0), conn(SQ_CONN_FIXED_INDEGREE, 0, 0, 0, 0)};
    for (size_t i = 0; i < SQ_COUNT(ok); i++)
        ck_assert_int_eq(sq_connector_check(&ok[i], 10, 10, 1, "x", NULL), 0);
}
END_TEST

static Suite *connect_suite(void)
{
    Suite *s = suite_create("connect");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, all_to_all_connects_every_pair_once);
    tcase_add_test(tc, all_to_all_within_a_population_skips_autapses_when_off);
    tcase_add_test(tc, one_to_one_connects_i_to_i_and_nothing_within_a_population_without_autapses);
    tcase_add_test(tc, fixed_indegree_gives_every_target_exactly_n_distinct_sources);
    tcase_add_test(tc, fixed_indegree_without_autapses_never_connects_a_neuron_to_itself);
    tcase_add_test(tc, fixed_indegree_with_multapses_repeats_pairs_but_keeps_the_degree);
    tcase_add_test(tc, fixed_indegree_from_a_large_population_uses_distinct_sources);
    tcase_add_test(tc, fixed_indegree_picks_sources_uniformly_by_chi_square);
    tcase_add_test(tc, fixed_outdegree_gives_every_source_exactly_n_distinct_targets);
    tcase_add_test(tc, fixed_total_number_with_multapses_makes_n_synapses_split_multinomially);
    tcase_add_test(tc, fixed_total_number_without_multapses_makes_n_distinct_pairs);
    tcase_add_test(tc, fixed_probability_count_is_within_5_sigma_and_indegrees_are_binomial);
    tcase_add_test(tc, fixed_probability_geometric_skips_treat_every_source_alike);
    tcase_add_test(tc, fixed_probability_edges_zero_one_and_no_autapses);
    tcase_add_test(tc, splitting_the_target_range_changes_no_synapse_for_any_rule);
    tcase_add_test(tc, block_cyclic_target_sets_together_make_exactly_the_whole_projection_for_any_rule);
    tcase_add_test(tc, same_seed_reproduces_and_other_seed_or_projection_differs);
    tcase_add_test(tc, target_keyed_rules_pass_targets_grouped_in_increasing_order);
    tcase_add_test(tc, callback_error_stops_generation_and_is_returned);
    tcase_add_test(tc, connect_rejects_a_range_outside_the_targets_and_a_null_callback);
    tcase_add_test(tc, connect_checks_the_connector_first);
    tcase_add_test(tc, check_rejects_probability_outside_0_1);
    tcase_add_test(tc, check_rejects_indegree_beyond_the_sources);
    tcase_add_test(tc, check_rejects_outdegree_beyond_the_targets);
    tcase_add_test(tc, check_rejects_total_number_beyond_the_pairs);
    tcase_add_test(tc, check_rejects_one_to_one_between_unequal_populations);
    tcase_add_test(tc, check_rejects_unknown_rule_and_unequal_sizes_within_one_population);
    tcase_add_test(tc, check_accepts_every_rule_at_its_limits);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return sq_test_run(connect_suite());
}
