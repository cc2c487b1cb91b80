/* step/desire.c: desire backpropagation's forward pass, desire and update for one sample
 * (step/desire.h; Gerlinghoff et al. 2023; ../shared/specs/learning.md §1). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../sim/rng.h"
#include "desire.h"

struct sq_desire {
    sq_desire_spec s;
    float *w[SQ_DESIRE_MAX_LAYERS + 1]; /* w[l] (l >= 1): [sizes[l-1]][sizes[l]], input-major */
};

/* Spikes of a layer as a step-major list: the neurons that fired at step n are
 * idx[start[n] .. start[n+1]). */
typedef struct {
    uint32_t *idx, *start;
} spike_list;

struct sq_desire_work {
    const sq_desire_spec *s;
    float *v[SQ_DESIRE_MAX_LAYERS + 1];        /* membranes; v[0] the input IF neurons */
    uint8_t *mask[SQ_DESIRE_MAX_LAYERS + 1];    /* 1 kept, 0 dropped; the output's are all 1 */
    spike_list spk[SQ_DESIRE_MAX_LAYERS + 1];
    uint32_t *count[SQ_DESIRE_MAX_LAYERS + 1];
    int8_t *desire[SQ_DESIRE_MAX_LAYERS + 1];   /* l >= 1 */
    float *acc, *signal, *coef, *row;           /* widest layer each */
    float *g;                                   /* [T][widest]: eta sgn_i Y_i(m) */
    uint32_t *in_start, *in_steps;              /* one layer's consumed spikes grouped by input */
    uint32_t widest;
};

void sq_desire_spec_default(sq_desire_spec *s)
{
    *s = (sq_desire_spec){.layers = 3, .sizes = {784, 1000, 100, 10}, .T = 20, .threshold = 1.0f, .leak = 0.75f,
                          .dropout_input = 0.05f, .dropout_hidden = 0.40f, .desire_output = 0.30f,
                          .desire_hidden = 0.05f, .error_margin = 4};
}

int sq_desire_spec_check(const sq_desire_spec *s, const char *where, sq_err *err)
{
    if (s->layers < 1 || s->layers > SQ_DESIRE_MAX_LAYERS)
        return sq_fail(err, SQ_ECONFIG, "%s.sizes: expected 2 to %d layer sizes, got %u", where, SQ_DESIRE_MAX_LAYERS + 1,
                       s->layers + 1);
    for (uint32_t l = 0; l <= s->layers; l++)
        if (s->sizes[l] < 1 || s->sizes[l] > (1u << 20))
            return sq_fail(err, SQ_ECONFIG, "%s.sizes[%u]: expected 1 to %u neurons, got %u", where, l, 1u << 20,
                           s->sizes[l]);
    if (s->sizes[s->layers] > SQ_DESIRE_MAX_OUT)
        return sq_fail(err, SQ_ECONFIG, "%s.sizes[%u]: expected at most %d output neurons, got %u", where, s->layers,
                       SQ_DESIRE_MAX_OUT, s->sizes[s->layers]);
    if (s->T < 1 || s->T > 100000)
        return sq_fail(err, SQ_ECONFIG, "%s.T: expected 1 to 100000 steps, got %u", where, s->T);
    if (s->error_margin >= s->T)
        return sq_fail(err, SQ_ECONFIG, "%s.error_margin: expected fewer than T = %u steps, got %u", where, s->T,
                       s->error_margin);
    if (!(s->threshold > 0) || !isfinite(s->threshold))
        return sq_fail(err, SQ_ECONFIG, "%s.threshold: expected a positive number, got %g", where, s->threshold);
    if (!(s->leak >= 0 && s->leak <= 1))
        return sq_fail(err, SQ_ECONFIG, "%s.leak: expected a number in [0, 1], got %g", where, s->leak);
    if (!(s->dropout_input >= 0 && s->dropout_input < 1))
        return sq_fail(err, SQ_ECONFIG, "%s.dropout.input: expected a probability in [0, 1), got %g", where,
                       s->dropout_input);
    if (!(s->dropout_hidden >= 0 && s->dropout_hidden < 1))
        return sq_fail(err, SQ_ECONFIG, "%s.dropout.hidden: expected a probability in [0, 1), got %g", where,
                       s->dropout_hidden);
    if (!(s->desire_output >= 0) || !isfinite(s->desire_output) || !(s->desire_hidden >= 0) ||
        !isfinite(s->desire_hidden))
        return sq_fail(err, SQ_ECONFIG, "%s.desire_threshold: expected non-negative numbers, got output %g, hidden %g",
                       where, s->desire_output, s->desire_hidden);
    return 0;
}

int sq_desire_create(const sq_desire_spec *s, sq_desire **out, sq_err *err)
{
    int rc = sq_desire_spec_check(s, "network", err);
    *out = NULL;
    if (rc < 0)
        return rc;
    sq_desire *d = calloc(1, sizeof *d);
    if (!d)
        return sq_fail(err, SQ_ENOMEM, "out of memory");
    d->s = *s;
    for (uint32_t l = 1; l <= s->layers; l++)
        if (!(d->w[l] = calloc((size_t)s->sizes[l - 1] * s->sizes[l], sizeof(float)))) {
            sq_desire_destroy(d);
            return sq_fail(err, SQ_ENOMEM, "out of memory for the weights of layer %u (%u x %u)", l, s->sizes[l],
                           s->sizes[l - 1]);
        }
    *out = d;
    return 0;
}

void sq_desire_destroy(sq_desire *d)
{
    if (!d)
        return;
    for (uint32_t l = 1; l <= d->s.layers; l++)
        free(d->w[l]);
    free(d);
}

const sq_desire_spec *sq_desire_spec_of(const sq_desire *d) { return &d->s; }

void sq_desire_init(sq_desire *d, uint64_t seed)
{
    for (uint32_t l = 1; l <= d->s.layers; l++) {
        uint32_t in = d->s.sizes[l - 1], out = d->s.sizes[l];
        sq_rng r;
        sq_rng_init(&r, seed, sq_stream_id(SQ_STREAM_LAYER, l, 0));
        double sd = sqrt(2.0 / in);
        /* Drawn in the file layout's order ([out][in]), so the weights do not depend on the storage. */
        for (uint32_t i = 0; i < out; i++)
            for (uint32_t j = 0; j < in; j++)
                d->w[l][(size_t)j * out + i] = (float)(sd * sq_rng_normal(&r));
    }
}

void sq_desire_get_weights(const sq_desire *d, uint32_t l, float *w)
{
    uint32_t in = d->s.sizes[l - 1], out = d->s.sizes[l];
    for (uint32_t i = 0; i < out; i++)
        for (uint32_t j = 0; j < in; j++)
            w[(size_t)i * in + j] = d->w[l][(size_t)j * out + i];
}

void sq_desire_set_weights(sq_desire *d, uint32_t l, const float *w)
{
    uint32_t in = d->s.sizes[l - 1], out = d->s.sizes[l];
    for (uint32_t i = 0; i < out; i++)
        for (uint32_t j = 0; j < in; j++)
            d->w[l][(size_t)j * out + i] = w[(size_t)i * in + j];
}

sq_desire_work *sq_desire_work_create(const sq_desire *d)
{
    const sq_desire_spec *s = &d->s;
    sq_desire_work *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->s = s;
    int ok = 1;
    for (uint32_t l = 0; l <= s->layers; l++) {
        size_t n = s->sizes[l];
        if (n > w->widest)
            w->widest = (uint32_t)n;
        ok = ok && (w->v[l] = malloc(n * sizeof(float))) && (w->mask[l] = malloc(n)) &&
             (w->spk[l].idx = malloc(n * s->T * sizeof(uint32_t))) &&
             (w->spk[l].start = malloc((s->T + 1) * sizeof(uint32_t))) && (w->count[l] = malloc(n * sizeof(uint32_t))) &&
             (w->desire[l] = calloc(n, 1));
    }
    size_t n = w->widest;
    ok = ok && (w->acc = malloc(n * sizeof(float))) && (w->signal = malloc(n * sizeof(float))) &&
         (w->coef = malloc(n * sizeof(float))) && (w->row = malloc(n * sizeof(float))) &&
         (w->g = malloc(n * s->T * sizeof(float))) && (w->in_start = malloc((n + 1) * sizeof(uint32_t))) &&
         (w->in_steps = malloc(n * s->T * sizeof(uint32_t)));
    if (!ok) {
        sq_desire_work_destroy(w);
        return NULL;
    }
    return w;
}

void sq_desire_work_destroy(sq_desire_work *w)
{
    if (!w)
        return;
    for (uint32_t l = 0; l <= SQ_DESIRE_MAX_LAYERS; l++) {
        free(w->v[l]), free(w->mask[l]), free(w->spk[l].idx), free(w->spk[l].start), free(w->count[l]);
        free(w->desire[l]);
    }
    free(w->acc), free(w->signal), free(w->coef), free(w->row), free(w->g), free(w->in_start), free(w->in_steps);
    free(w);
}

/* Each layer's dropout mask for one sample: Bernoulli(1 - p) from the stream (seed, key), the
 * input first, then the hidden layers in order; the output layer is never dropped. */
static void draw_masks(sq_desire_work *w, uint64_t seed, uint64_t key)
{
    const sq_desire_spec *s = w->s;
    sq_rng r;
    sq_rng_init(&r, seed, sq_stream_id(SQ_STREAM_DROPOUT, 0xde51, key));
    for (uint32_t l = 0; l < s->layers; l++) {
        double p = l == 0 ? s->dropout_input : s->dropout_hidden;
        for (uint32_t i = 0; i < s->sizes[l]; i++)
            w->mask[l][i] = p > 0 ? sq_rng_uniform(&r) >= p : 1;
    }
    memset(w->mask[s->layers], 1, s->sizes[s->layers]);
}

__attribute__((target_clones("avx2", "default"))) static void add_row(float *restrict dst, const float *restrict src,
                                                                         uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        dst[i] += src[i];
}

/* dst += the rows base + rows[e] * stride, e = 0 .. m-1, added in that order. Four rows a pass:
 * ((((dst + r0) + r1) + r2) + r3) is the same sum, in the same order, as four passes, with a
 * quarter of the loads and stores of dst. */
__attribute__((target_clones("avx2", "default"))) static void add_rows(float *restrict dst, const float *restrict base,
                                                                          const uint32_t *rows, uint32_t m,
                                                                          size_t stride, uint32_t n)
{
    uint32_t e = 0;
    for (; e + 4 <= m; e += 4) {
        const float *restrict r0 = base + (size_t)rows[e] * stride, *restrict r1 = base + (size_t)rows[e + 1] * stride,
                              *restrict r2 = base + (size_t)rows[e + 2] * stride,
                              *restrict r3 = base + (size_t)rows[e + 3] * stride;
        for (uint32_t i = 0; i < n; i++)
            dst[i] = dst[i] + r0[i] + r1[i] + r2[i] + r3[i];
    }
    for (; e < m; e++)
        add_row(dst, base + (size_t)rows[e] * stride, n);
}

/* The input's IF neurons over all T steps (§1.1): a dropped input integrates and never resets. */
static void encode_input(sq_desire_work *w, const float *x)
{
    const sq_desire_spec *s = w->s;
    uint32_t n = s->sizes[0], k = 0;
    float *v = w->v[0];
    spike_list *o = &w->spk[0];
    memset(v, 0, n * sizeof *v);
    for (uint32_t t = 0; t < s->T; t++) {
        o->start[t] = k;
        for (uint32_t j = 0; j < n; j++) {
            v[j] += x[j];
            if (v[j] >= s->threshold && w->mask[0][j]) {
                v[j] -= s->threshold;
                o->idx[k++] = j;
            }
        }
    }
    o->start[s->T] = k;
}

/* The spikes layer l consumes at step t: its input layer's of step t (l = 1) or t - 1 (l >= 2). */
static void consumed(const sq_desire_work *w, uint32_t l, uint32_t t, const uint32_t **idx, uint32_t *n)
{
    const spike_list *in = &w->spk[l - 1];
    if (l >= 2 && t == 0) {
        *idx = NULL, *n = 0;
        return;
    }
    uint32_t step = l == 1 ? t : t - 1;
    *idx = in->idx + in->start[step];
    *n = in->start[step + 1] - in->start[step];
}

/* Layer l over all T steps: V = lambda V + scale sum of the consumed rows; spike when V >= theta and
 * kept; reset by subtraction. scale is 1 / (1 - p) of the input layer in training, 1 in test. */
static void run_layer(const sq_desire *d, sq_desire_work *w, uint32_t l, float scale)
{
    const sq_desire_spec *s = &d->s;
    uint32_t n = s->sizes[l], k = 0;
    float *v = w->v[l], *acc = w->acc;
    const float *W = d->w[l];
    const uint8_t *mask = w->mask[l];
    spike_list *o = &w->spk[l];
    memset(v, 0, n * sizeof *v);
    for (uint32_t t = 0; t < s->T; t++) {
        const uint32_t *idx;
        uint32_t m;
        consumed(w, l, t, &idx, &m);
        memset(acc, 0, n * sizeof *acc);
        add_rows(acc, W, idx, m, n, n);
        o->start[t] = k;
        for (uint32_t i = 0; i < n; i++) {
            v[i] = s->leak * v[i] + (scale == 1.0f ? acc[i] : scale * acc[i]);
            if (v[i] >= s->threshold && mask[i]) {
                v[i] -= s->threshold;
                o->idx[k++] = i;
            }
        }
    }
    o->start[s->T] = k;
}

static void count_spikes(sq_desire_work *w, uint32_t l)
{
    const spike_list *o = &w->spk[l];
    memset(w->count[l], 0, w->s->sizes[l] * sizeof(uint32_t));
    for (uint32_t k = 0; k < o->start[w->s->T]; k++)
        w->count[l][o->idx[k]]++;
}

static void forward(const sq_desire *d, sq_desire_work *w, const float *x, int training)
{
    const sq_desire_spec *s = &d->s;
    encode_input(w, x);
    for (uint32_t l = 1; l <= s->layers; l++) {
        float p = l == 1 ? s->dropout_input : s->dropout_hidden;
        run_layer(d, w, l, training && p > 0 ? 1.0f / (1.0f - p) : 1.0f);
    }
    for (uint32_t l = 0; l <= s->layers; l++)
        count_spikes(w, l);
}

void sq_desire_infer(const sq_desire *d, sq_desire_work *w, const float *x, uint32_t *counts)
{
    const sq_desire_spec *s = &d->s;
    for (uint32_t l = 0; l <= s->layers; l++)
        memset(w->mask[l], 1, s->sizes[l]);
    forward(d, w, x, 0);
    memcpy(counts, w->count[s->layers], s->sizes[s->layers] * sizeof *counts);
}

/* §1.2: the output layer's desire from the label, then each hidden layer's from the layer above,
 * with the weights before the update. */
static void compute_desire(const sq_desire *d, sq_desire_work *w, uint32_t label)
{
    const sq_desire_spec *s = &d->s;
    uint32_t L = s->layers;
    float target = (float)(s->T - s->error_margin);
    for (uint32_t i = 0; i < s->sizes[L]; i++) {
        float c = (float)w->count[L][i] / target;
        float e = i == label ? 1.0f - c : c;
        w->desire[L][i] = e > s->desire_output ? (i == label ? 1 : -1) : 0;
    }
    for (uint32_t l = L; l >= 2; l--) {
        uint32_t out = s->sizes[l], in = s->sizes[l - 1];
        float *sig = w->signal;
        for (uint32_t i = 0; i < out; i++) {
            int des = w->desire[l][i] * w->mask[l][i];
            float pos = des > 0 ? 1.0f : 0.0f;
            sig[i] = des ? (float)des * fabsf(pos - (float)w->count[l][i] / target) : 0.0f;
        }
        const float *W = d->w[l];
        for (uint32_t j = 0; j < in; j++) {
            const float *row = W + (size_t)j * out;
            float S = 0;
            for (uint32_t i = 0; i < out; i++)
                S += row[i] * sig[i];
            w->desire[l - 1][j] = fabsf(S) >= s->desire_hidden ? (S > 0 ? 1 : -1) : 0;
        }
    }
}

/* §1.3 for layer l: W_ji += eta sgn_i sum over (input j's consumed spike at m, i's spike at n >= m)
 * of lambda^(n - m), as sum over m of g[m][i] = eta sgn_i Y_i(m). */
static void update_layer(sq_desire *d, sq_desire_work *w, uint32_t l, float eta)
{
    const sq_desire_spec *s = &d->s;
    uint32_t out = s->sizes[l], in = s->sizes[l - 1], T = s->T;
    float *g = w->g, *coef = w->coef;
    uint32_t lo = out, hi = 0;
    for (uint32_t i = 0; i < out; i++) {
        coef[i] = eta * (float)w->desire[l][i];
        if (w->desire[l][i] && w->count[l][i]) {
            lo = i < lo ? i : lo;
            hi = i + 1;
        }
    }
    if (lo >= hi)
        return; /* no neuron with a desire fired */
    uint32_t width = hi - lo;
    /* Y_i(m) = s_i(m) + lambda Y_i(m + 1), then g = coef Y; last = the latest step with a spike. */
    memset(g, 0, (size_t)T * out * sizeof *g);
    const spike_list *o = &w->spk[l];
    uint32_t last = 0;
    for (uint32_t t = 0; t < T; t++)
        for (uint32_t k = o->start[t]; k < o->start[t + 1]; k++) {
            g[(size_t)t * out + o->idx[k]] = 1.0f;
            if (coef[o->idx[k]] != 0.0f && t > last)
                last = t;
        }
    for (uint32_t t = T - 1; t-- > 0;)
        for (uint32_t i = lo; i < hi; i++)
            g[(size_t)t * out + i] += s->leak * g[(size_t)(t + 1) * out + i];
    for (uint32_t t = 0; t <= last; t++)
        for (uint32_t i = lo; i < hi; i++)
            g[(size_t)t * out + i] *= coef[i];
    /* The consumed spikes up to `last`, grouped by input (a counting sort). */
    uint32_t *start = w->in_start, *steps = w->in_steps;
    memset(start, 0, (in + 1) * sizeof *start);
    for (uint32_t t = 0; t <= last; t++) {
        const uint32_t *idx;
        uint32_t m;
        consumed(w, l, t, &idx, &m);
        for (uint32_t e = 0; e < m; e++)
            start[idx[e] + 1]++;
    }
    for (uint32_t j = 0; j < in; j++)
        start[j + 1] += start[j];
    for (uint32_t t = 0; t <= last; t++) {
        const uint32_t *idx;
        uint32_t m;
        consumed(w, l, t, &idx, &m);
        for (uint32_t e = 0; e < m; e++)
            steps[start[idx[e]]++] = t;
    }
    /* start[j] is now the end of input j's steps; its beginning is start[j - 1] (0 for j = 0). */
    float *row = w->row;
    for (uint32_t j = 0, b = 0; j < in; b = start[j], j++) {
        uint32_t e = start[j];
        if (b == e)
            continue;
        float *dst = d->w[l] + (size_t)j * out + lo;
        if (e - b == 1) {
            add_row(dst, g + (size_t)steps[b] * out + lo, width);
            continue;
        }
        /* The row's change is summed first and added once, as the authors add a summed dW. */
        memcpy(row, g + (size_t)steps[b] * out + lo, width * sizeof *row);
        add_rows(row, g + lo, steps + b + 1, e - b - 1, out, width);
        add_row(dst, row, width);
    }
}

void sq_desire_learn(sq_desire *d, sq_desire_work *w, const float *x, uint32_t label, float eta, uint64_t seed,
                     uint64_t key, uint32_t *counts)
{
    const sq_desire_spec *s = &d->s;
    draw_masks(w, seed, key);
    forward(d, w, x, 1);
    memcpy(counts, w->count[s->layers], s->sizes[s->layers] * sizeof *counts);
    compute_desire(d, w, label);
    for (uint32_t l = 1; l <= s->layers; l++)
        update_layer(d, w, l, eta);
}

int sq_desire_correct(const uint32_t *counts, uint32_t n, uint32_t label)
{
    if (label >= n)
        return 0;
    for (uint32_t i = 0; i < n; i++)
        if (i != label && counts[i] >= counts[label])
            return 0;
    return 1;
}

double sq_desire_error(const sq_desire_spec *s, const uint32_t *counts, uint32_t label)
{
    double target = (double)(s->T - s->error_margin), e = 0;
    for (uint32_t i = 0; i < s->sizes[s->layers]; i++)
        e += fabs((i == label ? 1.0 : 0.0) - counts[i] / target);
    return e;
}

uint32_t sq_desire_work_count(const sq_desire_work *w, uint32_t l, uint32_t i) { return w->count[l][i]; }
int sq_desire_work_desire(const sq_desire_work *w, uint32_t l, uint32_t i) { return w->desire[l][i]; }
int sq_desire_work_mask(const sq_desire_work *w, uint32_t l, uint32_t i) { return w->mask[l][i]; }
