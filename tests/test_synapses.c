/* tests/test_synapses.c: the synapse store (sim/synapses.c) keeps every synapse's own weight and
 * delay through the grouping by delay. One spike source fires once at t = 0 into 300 lif_delta
 * targets that cannot fire (V_th far above), or 20 sources fire at once into them; the V_m trace
 * of each target then shows one jump per synapse, by its weight, at its delay. Both are recomputed here from the documented draw: the stream
 * (SQ_STREAM_WEIGHT, projection, target) at block rank << 24, weight first, then delay, rounded to
 * the resolution. One source with 300-900 synapses over 0.1-8 ms (80 grid steps) takes the linear
 * counting sort; 20 sources with ~15 synapses each over 0.1-35 ms (350 steps) take the qsort
 * fallback for wide spans. Tolerance 1e-6 mV: the leak
 * (tau_m = 1e9 ms) takes at most 4e-8 of V over 40 ms, while two different drawn weights differ by
 * far more. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/dist.h"
#include "sim/rng.h"
#include "sim/sim.h"
#include "run_suite.h"

#define N_TGT 300
#define T_STOP 40.0
#define DT 0.1
#define N_ROWS 400

typedef struct {
    double v[N_ROWS][N_TGT];
    size_t rows;
} trace;

static void on_samples(void *ud, size_t rec, double t, const double *v, size_t n)
{
    trace *tr = ud;
    (void)rec;
    (void)t;
    if (tr->rows < N_ROWS && n == N_TGT)
        memcpy(tr->v[tr->rows++], v, sizeof tr->v[0]);
}

static const char *names[] = {"V_th", "E_L", "V_reset", "tau_m"};

static void check_weights_and_delays(uint64_t seed, uint32_t n_src, uint64_t per_target, sq_dist delay)
{
    double vals[] = {1000.0, 0.0, -10.0, 1e9}; /* no leak to speak of over 40 ms */
    uint32_t ids[32];
    double times[32] = {0};
    for (uint32_t i = 0; i < n_src; i++)
        ids[i] = i;
    sq_pop_spec pops[] = {
        {.name = "src", .n = n_src, .model = "spike_source", .spike_ids = ids, .spike_times = times, .n_spikes = n_src},
        {.name = "post", .n = N_TGT, .model = "lif_delta", .param_names = names, .param_values = vals, .n_params = 4}};
    sq_dist weight = {SQ_DIST_UNIFORM, 0, 0.5, 2.0, 0, 0};
    sq_proj_spec proj = {"src", "post", {SQ_CONN_FIXED_INDEGREE, 0, per_target, 1, 1}, weight, delay, NULL, NULL, NULL, 0};
    sq_vm_spec vm = {"post", NULL, 0, DT};
    sq_net_spec spec = {.origin = "test", .resolution = DT, .seed = seed, .threads = 2, .pops = pops, .n_pops = 2,
                        .projs = &proj, .n_projs = 1, .vm = &vm, .n_vm = 1};
    sq_sim *sim;
    sq_err err = {0};
    ck_assert_msg(sq_sim_create(&spec, &sim, &err) == 0, "%s", err.msg);
    trace *tr = calloc(1, sizeof *tr);
    sq_sim_observer obs = {NULL, on_samples, tr};
    sq_sim_set_observer(sim, &obs);
    ck_assert_int_eq(sq_sim_run(sim, T_STOP, &err), 0);
    ck_assert_uint_eq(tr->rows, N_ROWS);
    for (uint32_t j = 0; j < N_TGT; j++) {
        double expect[N_ROWS] = {0};
        for (uint64_t k = 0; k < per_target; k++) {
            sq_rng r;
            sq_rng_init(&r, seed, sq_stream_id(SQ_STREAM_WEIGHT, 0, j));
            r.counter = k << 24;
            double w = (float)sq_dist_sample(&weight, &r);
            long steps = lround(sq_dist_sample(&delay, &r) / DT);
            /* A sample at t sees V just before an input arriving at t: the jump shows from row steps + 1. */
            for (long row = steps + 1; row < N_ROWS; row++)
                expect[row] += w;
        }
        for (size_t row = 0; row < N_ROWS; row++)
            ck_assert_msg(fabs(tr->v[row][j] - expect[row]) < 1e-6, "target %u at %.1f ms: V %.12g mV, expected %.12g", j,
                          row * DT, tr->v[row][j], expect[row]);
    }
    free(tr);
    sq_sim_destroy(sim);
}

START_TEST(each_synapse_keeps_its_drawn_weight_and_delay_after_grouping_by_delay)
{
    sq_dist narrow = {SQ_DIST_UNIFORM, 0, 0.1, 8.0, 0, 0};
    sq_dist wide = {SQ_DIST_UNIFORM, 0, 0.1, 35.0, 0, 0};
    check_weights_and_delays(5, 1, 3, narrow);
    check_weights_and_delays(6, 1, 1, narrow);
    check_weights_and_delays(8, 20, 1, wide);
}
END_TEST

START_TEST(normal_weights_and_delays_are_redrawn_into_bounds_and_kept)
{
    sq_dist normal = {SQ_DIST_NORMAL, 0, 0.1, 9.0, 3.0, 1.5};
    check_weights_and_delays(7, 1, 3, normal);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("synapses");
    TCase *tc = tcase_create("store");
    tcase_add_test(tc, each_synapse_keeps_its_drawn_weight_and_delay_after_grouping_by_delay);
    tcase_add_test(tc, normal_weights_and_delays_are_redrawn_into_bounds_and_kept);
    suite_add_tcase(s, tc);
    return sq_test_run(s);
}
