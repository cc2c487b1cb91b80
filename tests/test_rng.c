/* tests/test_rng.c: Philox4x32-10 and the continuous samplers of sim/rng.c.
 * The block function is compared with the Random123 known-answer vectors (tests/kat_vectors of
 * github.com/DEShawResearch/random123, the three "philox4x32 10" lines); the samplers' moments
 * with their closed forms within 5 standard errors; sq_rng_below with a chi-square test at
 * p = 0.001 (critical values from scipy.stats.chi2.ppf(0.999, df)). All seeds are fixed. */
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "sim/rng.h"
#include "run_suite.h"

#define N_DRAWS 1000000

START_TEST(philox_matches_random123_known_answers)
{
    static const uint32_t ctr[3][4] = {
        {0, 0, 0, 0}, {0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu}, {0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u}};
    static const uint32_t key[3][2] = {{0, 0}, {0xffffffffu, 0xffffffffu}, {0xa4093822u, 0x299f31d0u}};
    static const uint32_t want[3][4] = {{0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u},
                                        {0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu},
                                        {0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u}};
    for (int i = 0; i < 3; i++) {
        uint32_t out[4];
        sq_philox4x32(ctr[i], key[i], out);
        for (int j = 0; j < 4; j++)
            ck_assert_uint_eq(out[j], want[i][j]);
    }
}
END_TEST

/* The stream layout is part of the contract (draw n of (seed, stream) is a pure function of them):
 * block b is philox(ctr = (b lo, b hi, stream lo, stream hi), key = (seed lo, seed hi)). */
START_TEST(stream_block_is_philox_of_counter_stream_and_seed)
{
    uint64_t seed = 0x0123456789abcdefull, stream = sq_stream_id(SQ_STREAM_WEIGHT, 7, 12345);
    sq_rng r;
    sq_rng_init(&r, seed, stream);
    for (uint32_t b = 0; b < 3; b++) {
        uint32_t ctr[4] = {b, 0, (uint32_t)stream, (uint32_t)(stream >> 32)};
        uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
        uint32_t out[4];
        sq_philox4x32(ctr, key, out);
        for (int j = 0; j < 4; j++)
            ck_assert_uint_eq(sq_rng_u32(&r), out[j]);
    }
    ck_assert_uint_eq(r.counter, 3);
}
END_TEST

START_TEST(stream_id_packs_purpose_object_and_element)
{
    ck_assert_uint_eq(sq_stream_id(SQ_STREAM_CONNECT, 3, 5), (1ull << 56) | (3ull << 40) | 5ull);
    ck_assert_uint_eq(sq_stream_id(SQ_STREAM_DEVICE, 0xffff, 0xffffffffffull), 0x04ffffffffffffffull);
}
END_TEST

START_TEST(uniform_lies_in_open_interval_with_mean_half_and_variance_one_twelfth)
{
    /* SE(mean) = sqrt(1/12 / N); SE(variance) = sqrt((mu4 - sigma^4) / N), mu4 = 1/80. */
    sq_rng r;
    sq_rng_init(&r, 42, 1);
    double sum = 0.0, sum2 = 0.0;
    int outside = 0; /* counted, not asserted per draw: each Check assertion costs a system call */
    for (int i = 0; i < N_DRAWS; i++) {
        double u = sq_rng_uniform(&r);
        outside += !(u > 0.0 && u < 1.0);
        sum += u;
        sum2 += (u - 0.5) * (u - 0.5);
    }
    ck_assert_int_eq(outside, 0);
    double mean = sum / N_DRAWS, var = sum2 / N_DRAWS - (mean - 0.5) * (mean - 0.5);
    ck_assert_double_eq_tol(mean, 0.5, 5.0 * sqrt(1.0 / 12.0 / N_DRAWS));
    ck_assert_double_eq_tol(var, 1.0 / 12.0, 5.0 * sqrt((1.0 / 80.0 - 1.0 / 144.0) / N_DRAWS));
}
END_TEST

START_TEST(same_seed_and_stream_reproduce_the_sequence)
{
    sq_rng a, b;
    sq_rng_init(&a, 2024, sq_stream_id(SQ_STREAM_INIT, 1, 99));
    sq_rng_init(&b, 2024, sq_stream_id(SQ_STREAM_INIT, 1, 99));
    int differ = 0;
    for (int i = 0; i < 10000; i++)
        differ += sq_rng_u64(&a) != sq_rng_u64(&b);
    ck_assert_int_eq(differ, 0);
}
END_TEST

START_TEST(different_streams_and_seeds_give_different_sequences)
{
    sq_rng base, other_stream, other_seed, other_purpose;
    sq_rng_init(&base, 5, sq_stream_id(SQ_STREAM_CONNECT, 0, 0));
    sq_rng_init(&other_stream, 5, sq_stream_id(SQ_STREAM_CONNECT, 0, 1));
    sq_rng_init(&other_seed, 6, sq_stream_id(SQ_STREAM_CONNECT, 0, 0));
    sq_rng_init(&other_purpose, 5, sq_stream_id(SQ_STREAM_WEIGHT, 0, 0));
    int same_stream = 0, same_seed = 0, same_purpose = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t x = sq_rng_u64(&base);
        same_stream += x == sq_rng_u64(&other_stream);
        same_seed += x == sq_rng_u64(&other_seed);
        same_purpose += x == sq_rng_u64(&other_purpose);
    }
    ck_assert_int_eq(same_stream, 0);
    ck_assert_int_eq(same_seed, 0);
    ck_assert_int_eq(same_purpose, 0);
}
END_TEST

START_TEST(u64_joins_two_u32_high_word_first)
{
    sq_rng a, b;
    sq_rng_init(&a, 9, 9);
    sq_rng_init(&b, 9, 9);
    uint64_t hi = sq_rng_u32(&b), lo = sq_rng_u32(&b);
    ck_assert_uint_eq(sq_rng_u64(&a), (hi << 32) | lo);
}
END_TEST

/* Chi-square statistic of counts against equal expected frequencies. */
static double chi_square_equal(const uint64_t *counts, int bins, double total)
{
    double e = total / bins, x2 = 0.0;
    for (int i = 0; i < bins; i++)
        x2 += ((double)counts[i] - e) * ((double)counts[i] - e) / e;
    return x2;
}

START_TEST(below_ten_passes_chi_square_at_p_0_001)
{
    /* 10 bins, 9 degrees of freedom: chi2_0.999(9) = 27.877. */
    sq_rng r;
    sq_rng_init(&r, 11, 0);
    uint64_t counts[10] = {0}, out_of_range = 0;
    for (int i = 0; i < N_DRAWS; i++) {
        uint64_t x = sq_rng_below(&r, 10);
        counts[x < 10 ? x : 0]++;
        out_of_range += x >= 10; /* counted, not asserted per draw: each assertion is a system call */
    }
    ck_assert_uint_eq(out_of_range, 0);
    ck_assert_double_lt(chi_square_equal(counts, 10, N_DRAWS), 27.877);
}
END_TEST

START_TEST(below_three_quarters_of_2_32_is_unbiased_where_modulo_would_not_be)
{
    /* n = 3 * 2^30: u32 % n would make [0, 2^30) twice as likely as each other third. Three bins
     * of 2^30, 2 degrees of freedom: chi2_0.999(2) = 13.816. */
    const uint64_t n = 3ull << 30;
    sq_rng r;
    sq_rng_init(&r, 12, 0);
    uint64_t counts[3] = {0}, out_of_range = 0;
    for (int i = 0; i < 300000; i++) {
        uint64_t x = sq_rng_below(&r, n);
        counts[x < n ? x >> 30 : 0]++;
        out_of_range += x >= n;
    }
    ck_assert_uint_eq(out_of_range, 0);
    ck_assert_double_lt(chi_square_equal(counts, 3, 300000), 13.816);
}
END_TEST

START_TEST(below_above_2_32_is_unbiased_and_below_one_is_zero)
{
    /* n = 3 * 2^40 goes through the 64-bit rejection path; chi2_0.999(2) = 13.816. */
    const uint64_t n = 3ull << 40;
    sq_rng r;
    sq_rng_init(&r, 13, 0);
    uint64_t counts[3] = {0}, out_of_range = 0;
    for (int i = 0; i < 300000; i++) {
        uint64_t x = sq_rng_below(&r, n);
        counts[x < n ? x >> 40 : 0]++;
        out_of_range += x >= n;
    }
    ck_assert_uint_eq(out_of_range, 0);
    ck_assert_double_lt(chi_square_equal(counts, 3, 300000), 13.816);
    uint64_t nonzero = 0;
    for (int i = 0; i < 100; i++)
        nonzero += sq_rng_below(&r, 1);
    ck_assert_uint_eq(nonzero, 0);
}
END_TEST

/* The two values of a Box-Muller pair are independent normals: their product has mean 0 (SE
 * 1/sqrt(pairs)), and both halves put P(|z| < 1) = erf(1/sqrt 2) = 0.682689 of their mass within one
 * SD (SE sqrt(p (1 - p)/pairs)). Tolerance 5 SE. */
START_TEST(normal_pairs_are_uncorrelated_and_both_halves_are_normal)
{
    sq_rng r;
    sq_rng_init(&r, 15, 3);
    int pairs = N_DRAWS / 2, inside[2] = {0, 0};
    double prod = 0.0, p = erf(1.0 / sqrt(2.0));
    for (int i = 0; i < pairs; i++) {
        double z1 = sq_rng_normal(&r), z2 = sq_rng_normal(&r);
        prod += z1 * z2;
        inside[0] += fabs(z1) < 1.0;
        inside[1] += fabs(z2) < 1.0;
    }
    ck_assert_double_eq_tol(prod / pairs, 0.0, 5.0 / sqrt(pairs));
    for (int h = 0; h < 2; h++)
        ck_assert_double_eq_tol((double)inside[h] / pairs, p, 5.0 * sqrt(p * (1.0 - p) / pairs));
}
END_TEST

START_TEST(normal_has_mean_zero_and_variance_one)
{
    /* SE(mean) = 1/sqrt(N); SE(variance) = sqrt((mu4 - 1)/N) = sqrt(2/N) (mu4 = 3). */
    sq_rng r;
    sq_rng_init(&r, 14, 0);
    double sum = 0.0, sum2 = 0.0;
    for (int i = 0; i < N_DRAWS; i++) {
        double z = sq_rng_normal(&r);
        sum += z;
        sum2 += z * z;
    }
    ck_assert(isfinite(sum2));
    double mean = sum / N_DRAWS, var = sum2 / N_DRAWS - mean * mean;
    ck_assert_double_eq_tol(mean, 0.0, 5.0 / sqrt(N_DRAWS));
    ck_assert_double_eq_tol(var, 1.0, 5.0 * sqrt(2.0 / N_DRAWS));
}
END_TEST

START_TEST(exponential_has_mean_one_and_variance_one)
{
    /* SE(mean) = 1/sqrt(N); SE(variance) = sqrt((mu4 - 1)/N) = sqrt(8/N) (mu4 = 9). */
    sq_rng r;
    sq_rng_init(&r, 15, 0);
    double sum = 0.0, sum2 = 0.0;
    int bad = 0;
    for (int i = 0; i < N_DRAWS; i++) {
        double x = sq_rng_exponential(&r);
        bad += !(x > 0.0 && isfinite(x));
        sum += x;
        sum2 += (x - 1.0) * (x - 1.0);
    }
    ck_assert_int_eq(bad, 0);
    double mean = sum / N_DRAWS, var = sum2 / N_DRAWS - (mean - 1.0) * (mean - 1.0);
    ck_assert_double_eq_tol(mean, 1.0, 5.0 / sqrt(N_DRAWS));
    ck_assert_double_eq_tol(var, 1.0, 5.0 * sqrt(8.0 / N_DRAWS));
}
END_TEST

static Suite *rng_suite(void)
{
    Suite *s = suite_create("rng");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, philox_matches_random123_known_answers);
    tcase_add_test(tc, stream_block_is_philox_of_counter_stream_and_seed);
    tcase_add_test(tc, stream_id_packs_purpose_object_and_element);
    tcase_add_test(tc, uniform_lies_in_open_interval_with_mean_half_and_variance_one_twelfth);
    tcase_add_test(tc, same_seed_and_stream_reproduce_the_sequence);
    tcase_add_test(tc, different_streams_and_seeds_give_different_sequences);
    tcase_add_test(tc, u64_joins_two_u32_high_word_first);
    tcase_add_test(tc, below_ten_passes_chi_square_at_p_0_001);
    tcase_add_test(tc, below_three_quarters_of_2_32_is_unbiased_where_modulo_would_not_be);
    tcase_add_test(tc, below_above_2_32_is_unbiased_and_below_one_is_zero);
    tcase_add_test(tc, normal_has_mean_zero_and_variance_one);
    tcase_add_test(tc, normal_pairs_are_uncorrelated_and_both_halves_are_normal);
    tcase_add_test(tc, exponential_has_mean_one_and_variance_one);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return sq_test_run(rng_suite());
}
