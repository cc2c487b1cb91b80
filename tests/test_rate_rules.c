/* tests/test_rate_rules.c: the learning rules of rate networks (step/rate_rule.h) on a 3-2-2
 * network, each update against the equations of learning.md §2.1.6 and §2.2 written out here
 * neuron by neuron in double precision (two steps, so that momentum and weight decay are seen);
 * BurstCCN with tied feedback and a small teaching signal points along backprop's gradient; Q
 * learning silences the apical potential without a teaching signal; burstprop's recurrent
 * learning drives u towards 0; 1 and 2 threads give the same bits; bad rule sections. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "run_suite.h"
#include "step/rate_learner.h"

/* ---- the reference: the 3-2-2 network in double, by hand ---- */

enum { NI = 3, NH = 2, NO = 2, B = 2 };

typedef struct {
    double w1[NH][NI], b1[NH], w2[NO][NH], b2[NO];
    double dw1[NH][NI], db1[NH], dw2[NO][NH], db2[NO];
    double y_fb[NO][NH], q[NO][NH];   /* burstccn: Y_1, Q_1 ([n_2][n_1]); burstprop: Y_2 (W_2's shape) */
    double dy[NO][NH], wr[NH][NH];    /* burstprop: Y_2's momentum, W_r_1 */
} ref_net;

static double sig(double z) { return 1 / (1 + exp(-z)); }

typedef enum { BACKPROP, BURSTPROP, BURSTCCN } rule_id;

typedef struct {
    double lr1, lr2, momentum, decay, p_b, q_lr, y_lr, r_lr;
    int sum; /* reduction */
} ref_params;

static void ref_step(ref_net *n, rule_id rule, const ref_params *p, const double x[B][NI], const double y[B][NO])
{
    double e1[B][NH], e2[B][NO], d1[B][NH], d2[B][NO], a1[B][NH] = {{0}}, u[B][NH] = {{0}}, bpre[B][NH] = {{0}};
    for (int s = 0; s < B; s++) {
        for (int j = 0; j < NH; j++) {
            double z = n->b1[j];
            for (int i = 0; i < NI; i++)
                z += n->w1[j][i] * x[s][i];
            e1[s][j] = sig(z);
        }
        for (int k = 0; k < NO; k++) {
            double z = n->b2[k];
            for (int j = 0; j < NH; j++)
                z += n->w2[k][j] * e1[s][j];
            e2[s][k] = sig(z);
        }
        double bt2[NO], b2[NO];
        for (int k = 0; k < NO; k++) {
            if (rule == BACKPROP)
                d2[s][k] = -(y[s][k] - e2[s][k]) * e2[s][k] * (1 - e2[s][k]);
            else {
                bt2[k] = p->p_b * ((y[s][k] - e2[s][k]) * (1 - e2[s][k]) + 1) * e2[s][k];
                b2[k] = p->p_b * e2[s][k];
                d2[s][k] = -(bt2[k] - b2[k]);
            }
        }
        for (int j = 0; j < NH; j++) {
            double e = e1[s][j];
            if (rule == BACKPROP) {
                double back = 0;
                for (int k = 0; k < NO; k++)
                    back += d2[s][k] * n->w2[k][j];
                d1[s][j] = back * e * (1 - e);
            } else if (rule == BURSTCCN) {
                double a = 0;
                for (int k = 0; k < NO; k++)
                    a += bt2[k] * n->y_fb[k][j] - e2[s][k] * n->q[k][j];
                a1[s][j] = a;
                d1[s][j] = -(sig(4 * a * (1 - e)) * e - p->p_b * e);
            } else {
                double F = 0, Ft = 0;
                for (int k = 0; k < NO; k++)
                    F += b2[k] * n->y_fb[k][j], Ft += bt2[k] * n->y_fb[k][j];
                bpre[s][j] = sig(F) * e;
                u[s][j] = F * (1 - e); /* minus R below, once every bpre is known */
                d1[s][j] = Ft;         /* Ftilde, for now */
            }
        }
        if (rule == BURSTPROP)
            for (int j = 0; j < NH; j++) {
                double R = 0, e = e1[s][j];
                for (int i = 0; i < NH; i++)
                    R += bpre[s][i] * n->wr[j][i];
                u[s][j] -= R;
                d1[s][j] = -(sig(d1[s][j] * (1 - e) - R) * e - sig(u[s][j]) * e);
            }
    }
    double scale = p->sum ? 1 : 1.0 / B, g1[NH][NI] = {{0}}, g2[NO][NH] = {{0}}, gb1[NH] = {0}, gb2[NO] = {0};
    for (int s = 0; s < B; s++) {
        for (int j = 0; j < NH; j++) {
            gb1[j] += scale * d1[s][j];
            for (int i = 0; i < NI; i++)
                g1[j][i] += scale * d1[s][j] * x[s][i];
        }
        for (int k = 0; k < NO; k++) {
            gb2[k] += scale * d2[s][k];
            for (int j = 0; j < NH; j++)
                g2[k][j] += scale * d2[s][k] * e1[s][j];
        }
    }
    for (int j = 0; j < NH; j++) {
        for (int i = 0; i < NI; i++) {
            n->dw1[j][i] = -p->lr1 * g1[j][i] + p->momentum * n->dw1[j][i];
            n->w1[j][i] += n->dw1[j][i] - p->decay * n->w1[j][i];
        }
        n->db1[j] = -p->lr1 * gb1[j] + p->momentum * n->db1[j];
        n->b1[j] += n->db1[j];
    }
    for (int k = 0; k < NO; k++) {
        for (int j = 0; j < NH; j++) {
            n->dw2[k][j] = -p->lr2 * g2[k][j] + p->momentum * n->dw2[k][j];
            n->w2[k][j] += n->dw2[k][j] - p->decay * n->w2[k][j];
            if (rule == BURSTPROP) { /* Y_2 learns exactly as W_2 */
                n->dy[k][j] = -p->lr2 * g2[k][j] + p->momentum * n->dy[k][j];
                n->y_fb[k][j] += n->dy[k][j] - p->decay * n->y_fb[k][j];
            }
        }
        n->db2[k] = -p->lr2 * gb2[k] + p->momentum * n->db2[k];
        n->b2[k] += n->db2[k];
    }
    if (rule == BURSTCCN)
        for (int k = 0; k < NO; k++)
            for (int j = 0; j < NH; j++) {
                double ea = 0;
                for (int s = 0; s < B; s++)
                    ea += e2[s][k] * a1[s][j];
                n->q[k][j] += p->q_lr * ea / B;
                n->y_fb[k][j] -= p->y_lr * ea / B;
            }
    if (rule == BURSTPROP)
        for (int j = 0; j < NH; j++)
            for (int i = 0; i < NH; i++) {
                double ub = 0;
                for (int s = 0; s < B; s++)
                    ub += u[s][j] * bpre[s][i];
                n->wr[j][i] += p->r_lr * ub;
            }
}

/* ---- the library's side ---- */

typedef struct {
    sq_rate_net *net;
    const sq_rate_rule *rule;
    void *state;
    sq_rate_learner *learner;
} lib;

static lib lib_make(const sq_rate_rule *rule, const char *section, uint32_t layers, const uint32_t *sizes,
                    const sq_rate_sgd_spec *sgd, uint32_t max_batch, int threads)
{
    lib l = {.rule = rule};
    sq_err err = {0};
    ck_assert_int_eq(sq_rate_net_create(layers, sizes, threads, &l.net, &err), 0);
    json_t *sec = section ? json_loads(section, 0, NULL) : NULL;
    ck_assert(!section || sec);
    sq_layer_cfg c = {.origin = "test", .err = &err};
    int rc = rule->create(&c, sec, l.net, max_batch, &l.state);
    ck_assert_msg(rc == 0, "%s", err.msg);
    json_decref(sec);
    ck_assert_int_eq(sq_rate_learner_create(l.net, rule, l.state, sgd, max_batch, &l.learner, &err), 0);
    return l;
}

static void lib_free(lib *l)
{
    sq_rate_learner_destroy(l->learner);
    l->rule->destroy(l->state);
    sq_rate_net_destroy(l->net);
}

/* The rule's weight called name. */
static sq_rate_tensor *tensor(lib *l, const char *name, sq_rate_tensor *all)
{
    uint32_t n = l->rule->tensors(l->state, all);
    for (uint32_t i = 0; i < n; i++)
        if (strcmp(all[i].name, name) == 0)
            return &all[i];
    ck_abort_msg("no tensor %s", name);
    return NULL;
}

/* Weights of no pattern: values in about [-1.2, 1.2]. */
static double val(int k) { return 1.2 * sin(1.7 * k + 0.3); }

static void check_close(double want, float got, const char *what, int i)
{
    ck_assert_msg(fabs(want - got) <= 2e-6 + 2e-6 * fabs(want), "%s[%d]: expected %.9g, got %.9g", what, i, want,
                  (double)got);
}

static void run_rule(rule_id id, const char *section)
{
    static const sq_rate_rule *const rules[] = {&sq_rule_backprop, &sq_rule_burstprop, &sq_rule_burstccn};
    ref_params p = {.lr1 = 0.7, .lr2 = 0.4, .momentum = 0.5, .decay = 0.01, .p_b = id == BURSTPROP ? 0.2 : 0.5,
                    .q_lr = 0.3, .y_lr = 0.2, .r_lr = 0.05, .sum = id == BURSTPROP};
    sq_rate_sgd_spec sgd = {.lr = {0, 0.7f, 0.4f}, .momentum = 0.5f, .weight_decay = 0.01f, .reduction_sum = p.sum};
    uint32_t sizes[] = {NI, NH, NO};
    lib l = lib_make(rules[id], section, 2, sizes, &sgd, B, 1);
    ref_net r;
    memset(&r, 0, sizeof r);
    int k = 0;
    for (int j = 0; j < NH; j++) {
        for (int i = 0; i < NI; i++)
            r.w1[j][i] = val(k++);
        r.b1[j] = 0.1 * val(k++);
    }
    for (int o = 0; o < NO; o++) {
        for (int j = 0; j < NH; j++)
            r.w2[o][j] = val(k++), r.y_fb[o][j] = val(k++), r.q[o][j] = 0.5 * val(k++);
        r.b2[o] = 0.1 * val(k++);
    }
    for (int j = 0; j < NH; j++)
        for (int i = 0; i < NH; i++)
            r.wr[j][i] = 0.3 * val(k++);
    for (int j = 0; j < NH; j++) {
        for (int i = 0; i < NI; i++)
            l.net->w[1][j * NI + i] = (float)r.w1[j][i];
        l.net->b[1][j] = (float)r.b1[j];
    }
    for (int o = 0; o < NO; o++) {
        for (int j = 0; j < NH; j++)
            l.net->w[2][o * NH + j] = (float)r.w2[o][j];
        l.net->b[2][o] = (float)r.b2[o];
    }
    /* float copies of the reference's values, so both start from the same bits */
    for (int j = 0; j < NH; j++)
        for (int i = 0; i < NI; i++)
            r.w1[j][i] = l.net->w[1][j * NI + i];
    sq_rate_tensor all[SQ_RATE_MAX_TENSORS];
    if (id == BURSTCCN) {
        float *y = tensor(&l, "Y1", all)->v, *q = tensor(&l, "Q1", all)->v;
        for (int i = 0; i < NO * NH; i++)
            y[i] = (float)r.y_fb[i / NH][i % NH], q[i] = (float)r.q[i / NH][i % NH];
    }
    if (id == BURSTPROP) {
        float *y = tensor(&l, "Y2", all)->v, *wr = tensor(&l, "W_r1", all)->v;
        for (int i = 0; i < NO * NH; i++)
            y[i] = (float)r.y_fb[i / NH][i % NH];
        for (int i = 0; i < NH * NH; i++)
            wr[i] = (float)r.wr[i / NH][i % NH];
    }
    for (int i = 0; i < NO * NH; i++)
        r.w2[i / NH][i % NH] = l.net->w[2][i], r.y_fb[i / NH][i % NH] = (float)r.y_fb[i / NH][i % NH],
                  r.q[i / NH][i % NH] = (float)r.q[i / NH][i % NH];
    for (int i = 0; i < NH * NH; i++)
        r.wr[i / NH][i % NH] = (float)r.wr[i / NH][i % NH];
    for (int j = 0; j < NH; j++)
        r.b1[j] = l.net->b[1][j];
    for (int o = 0; o < NO; o++)
        r.b2[o] = l.net->b[2][o];

    const double x[B][NI] = {{0.9, 0.1, 0.5}, {0.2, 0.8, 0.3}}, y[B][NO] = {{1, 0}, {0, 1}};
    float xf[B * NI], yf[B * NO];
    for (int i = 0; i < B * NI; i++)
        xf[i] = (float)x[i / NI][i % NI];
    for (int i = 0; i < B * NO; i++)
        yf[i] = (float)y[i / NO][i % NO];
    for (int step = 0; step < 2; step++) {
        ref_step(&r, id, &p, x, y);
        sq_rate_learner_step(l.learner, B, xf, yf, NULL);
    }
    for (int i = 0; i < NH * NI; i++)
        check_close(r.w1[i / NI][i % NI], l.net->w[1][i], "W1", i);
    for (int i = 0; i < NO * NH; i++)
        check_close(r.w2[i / NH][i % NH], l.net->w[2][i], "W2", i);
    for (int j = 0; j < NH; j++)
        check_close(r.b1[j], l.net->b[1][j], "b1", j);
    for (int o = 0; o < NO; o++)
        check_close(r.b2[o], l.net->b[2][o], "b2", o);
    if (id == BURSTCCN)
        for (int i = 0; i < NO * NH; i++) {
            check_close(r.y_fb[i / NH][i % NH], tensor(&l, "Y1", all)->v[i], "Y1", i);
            check_close(r.q[i / NH][i % NH], tensor(&l, "Q1", all)->v[i], "Q1", i);
        }
    if (id == BURSTPROP) {
        for (int i = 0; i < NO * NH; i++)
            check_close(r.y_fb[i / NH][i % NH], tensor(&l, "Y2", all)->v[i], "Y2", i);
        for (int i = 0; i < NH * NH; i++)
            check_close(r.wr[i / NH][i % NH], tensor(&l, "W_r1", all)->v[i], "W_r1", i);
    }
    /* the updates are not vanishingly small: the comparison above means something */
    ck_assert(fabs(r.w1[0][0] - val(0)) > 1e-3);
    lib_free(&l);
}

START_TEST(backprop_by_hand) { run_rule(BACKPROP, NULL); }
END_TEST

START_TEST(burstccn_by_hand) { run_rule(BURSTCCN, "{\"Y\": \"random\", \"Y_lr\": 0.2, \"Q\": \"learned\", \"Q_lr\": 0.3}"); }
END_TEST

START_TEST(burstprop_by_hand)
{
    run_rule(BURSTPROP, "{\"p_baseline\": 0.2, \"Y_learning\": true, \"recurrent\": true, \"recurrent_lr\": 0.05}");
}
END_TEST

/* Random inputs in [0, 1) and a seeded network of the sizes. */
static void fill_uniform(float *v, size_t n, unsigned seed)
{
    srand(seed);
    for (size_t i = 0; i < n; i++)
        v[i] = (float)rand() / ((float)RAND_MAX + 1.0f);
}

/* With Y = W_{l+1}, Q = p_b Y and a teaching signal of 1e-3 (targets y = e_L + 1e-3 (onehot - e_L)),
 * the BurstCCN update is backprop's up to O(teaching signal): learner's alignment >= 0.99 per layer. */
START_TEST(burstccn_tied_points_along_backprop)
{
    uint32_t sizes[] = {40, 30, 30, 20, 5}, Bn = 16;
    sq_rate_sgd_spec sgd = {.lr = {0, 0.1f, 0.1f, 0.1f, 0.1f}};
    lib l = lib_make(&sq_rule_burstccn, "{\"Y\": \"tied\", \"Y_scale\": 1, \"Q\": \"tied\"}", 4, sizes, &sgd, Bn, 1);
    sq_rate_net_init(l.net, 7, 3.6);
    l.rule->init(l.state, l.net, 7);
    float x[16 * 40], y[16 * 5];
    float *e[5];
    for (int i = 0; i < 5; i++)
        e[i] = malloc((size_t)Bn * sizes[i] * sizeof(float));
    fill_uniform(x, sizeof x / sizeof *x, 3);
    memcpy(e[0], x, sizeof x);
    sq_rate_forward(l.net, Bn, e);
    for (uint32_t s = 0; s < Bn; s++)
        for (uint32_t k = 0; k < 5; k++) {
            float t = k == s % 5;
            y[s * 5 + k] = e[4][s * 5 + k] + 1e-3f * (t - e[4][s * 5 + k]);
        }
    double alignment[4];
    sq_rate_learner_step(l.learner, Bn, x, y, alignment);
    for (int k = 0; k < 4; k++)
        ck_assert_msg(alignment[k] >= 0.99, "layer %d: cosine with backprop %.4f, expected >= 0.99", k + 1,
                      alignment[k]);
    /* and with random feedback it does not (the test can fail) */
    lib r = lib_make(&sq_rule_burstccn, "{\"Y\": \"random\", \"Q\": \"tied\"}", 4, sizes, &sgd, Bn, 1);
    sq_rate_net_init(r.net, 7, 3.6);
    r.rule->init(r.state, r.net, 7);
    sq_rate_learner_step(r.learner, Bn, x, y, alignment);
    ck_assert_msg(alignment[0] < 0.9, "random feedback: layer 1 cosine %.4f", alignment[0]);
    for (int i = 0; i < 5; i++)
        free(e[i]);
    lib_free(&l);
    lib_free(&r);
}
END_TEST

/* Without a teaching signal (y = e_L), Q learning cancels Y's burst input: the apical potential, and
 * so every hidden delta, falls below 1 % of where a random Q puts it in 20,000 steps. W is held (lr 0)
 * so that only Q moves. */
START_TEST(q_learning_silences_the_apical_potential)
{
    uint32_t sizes[] = {20, 15, 10, 4}, Bn = 8;
    sq_rate_sgd_spec sgd = {.lr = {0}};
    lib l = lib_make(&sq_rule_burstccn, "{\"Y\": \"random\", \"Y_scale\": 0.5, \"Q\": \"learned\", \"Q_lr\": 0.2}", 3,
                     sizes, &sgd, Bn, 1);
    sq_rate_net_init(l.net, 3, 3.6);
    l.rule->init(l.state, l.net, 3);
    sq_rate_tensor all[SQ_RATE_MAX_TENSORS];
    for (int q = 1; q <= 2; q++) { /* a random Q, far from p_b Y */
        char name[8];
        snprintf(name, sizeof name, "Q%d", q);
        sq_rate_tensor *t = tensor(&l, name, all);
        fill_uniform(t->v, (size_t)t->rows * t->cols, 10 + q);
        for (size_t i = 0; i < (size_t)t->rows * t->cols; i++)
            t->v[i] -= 0.5f;
    }
    float x[8 * 20], y[8 * 4], *e[4];
    for (int i = 0; i < 4; i++)
        e[i] = malloc((size_t)Bn * sizes[i] * sizeof(float));
    double first = 0, last = 0;
    for (int step = 0; step < 20000; step++) {
        fill_uniform(x, sizeof x / sizeof *x, 100 + (unsigned)step);
        memcpy(e[0], x, sizeof x);
        sq_rate_forward(l.net, Bn, e);
        memcpy(y, e[3], sizeof y);
        sq_rate_learner_step(l.learner, Bn, x, y, NULL);
        double sum = 0;
        for (uint32_t layer = 1; layer <= 2; layer++)
            for (size_t i = 0; i < (size_t)Bn * sizes[layer]; i++)
                sum += fabs(sq_rate_learner_delta(l.learner, layer)[i]);
        if (step == 0)
            first = sum;
        last = sum;
    }
    ck_assert_msg(first > 0.1, "the random Q should leave a large apical potential, got %g", first);
    ck_assert_msg(last < 0.01 * first, "hidden |delta| went from %g to %g, expected below 1 %%", first, last);
    for (int i = 0; i < 4; i++)
        free(e[i]);
    lib_free(&l);
}
END_TEST

/* Burstprop's recurrent weights learn to predict the feedback (a linear fit of F (1 - e) on bpre):
 * without a teaching signal |u| falls at least 4-fold in 3000 steps (measured: 4.9 to 1.0). */
START_TEST(burstprop_recurrent_learning_drives_u_down)
{
    uint32_t sizes[] = {20, 15, 4}, Bn = 8;
    sq_rate_sgd_spec sgd = {.lr = {0}};
    lib l = lib_make(&sq_rule_burstprop, "{\"recurrent_lr\": 0.02, \"Y_scale\": 1}", 2, sizes, &sgd, Bn, 1);
    sq_rate_net_init(l.net, 5, 3.6);
    l.rule->init(l.state, l.net, 5);
    float x[8 * 20], y[8 * 4], *e[3];
    for (int i = 0; i < 3; i++)
        e[i] = malloc((size_t)Bn * sizes[i] * sizeof(float));
    double first = 0, last = 0;
    sq_rate_tensor all[SQ_RATE_MAX_TENSORS];
    for (int step = 0; step < 3000; step++) {
        fill_uniform(x, sizeof x / sizeof *x, 500 + (unsigned)step);
        memcpy(e[0], x, sizeof x);
        sq_rate_forward(l.net, Bn, e);
        memcpy(y, e[2], sizeof y);
        /* u = F (1 - e) - R, from the weights before the step */
        const float *yf = tensor(&l, "Y2", all)->v, *wr = tensor(&l, "W_r1", all)->v;
        double sum = 0;
        for (uint32_t s = 0; s < Bn; s++) {
            double F[15], bpre[15];
            for (int j = 0; j < 15; j++) {
                F[j] = 0;
                for (int k = 0; k < 4; k++)
                    F[j] += 0.2 * e[2][s * 4 + k] * yf[k * 15 + j];
                bpre[j] = 1 / (1 + exp(-F[j])) * e[1][s * 15 + j];
            }
            for (int j = 0; j < 15; j++) {
                double R = 0;
                for (int i = 0; i < 15; i++)
                    R += bpre[i] * wr[j * 15 + i];
                sum += fabs(F[j] * (1 - e[1][s * 15 + j]) - R);
            }
        }
        if (step == 0)
            first = sum;
        last = sum;
        sq_rate_learner_step(l.learner, Bn, x, y, NULL);
    }
    ck_assert_msg(last < 0.25 * first, "burstprop |u| went from %g to %g, expected a 4-fold fall at least", first, last);
    for (int i = 0; i < 3; i++)
        free(e[i]);
    lib_free(&l);
}
END_TEST

/* Blocks of fixed width, whatever the thread count: 1 and 2 threads give the same bits. */
START_TEST(threads_give_the_same_bits)
{
    uint32_t sizes[] = {300, 260, 130, 10}, Bn = 32;
    sq_rate_sgd_spec sgd = {.lr = {0, 0.3f, 0.3f, 0.3f}, .momentum = 0.5f};
    float *w[2];
    for (int run = 0; run < 2; run++) {
        lib l = lib_make(&sq_rule_burstccn, NULL, 3, sizes, &sgd, Bn, run + 1);
        sq_rate_net_init(l.net, 9, 3.6);
        l.rule->init(l.state, l.net, 9);
        float x[32 * 300], y[32 * 10];
        for (int step = 0; step < 5; step++) {
            fill_uniform(x, sizeof x / sizeof *x, 40 + (unsigned)step);
            memset(y, 0, sizeof y);
            for (uint32_t s = 0; s < Bn; s++)
                y[s * 10 + (s + (uint32_t)step) % 10] = 1;
            sq_rate_learner_step(l.learner, Bn, x, y, NULL);
        }
        w[run] = malloc(260 * 300 * sizeof(float));
        memcpy(w[run], l.net->w[1], 260 * 300 * sizeof(float));
        lib_free(&l);
    }
    ck_assert(memcmp(w[0], w[1], 260 * 300 * sizeof(float)) == 0);
    free(w[0]), free(w[1]);
}
END_TEST

/* Each bad field of a rule's section is an error naming it. */
START_TEST(bad_sections_name_the_field)
{
    static const struct {
        const sq_rate_rule *rule;
        const char *section, *message;
    } cases[] = {
        {&sq_rule_burstccn, "{\"Y\": \"sideways\"}", "training.burstccn.Y: expected"},
        {&sq_rule_burstccn, "{\"Q\": \"random\"}", "training.burstccn.Q: expected"},
        {&sq_rule_burstccn, "{\"p_baseline\": 1.5}", "training.burstccn.p_baseline: expected"},
        {&sq_rule_burstccn, "{\"Y\": \"tied\", \"Y_lr\": 0.1}", "training.burstccn.Y_lr: expected 0 with Y = \"tied\""},
        {&sq_rule_burstccn, "{\"Qlr\": 0.1}", "training.burstccn.Qlr: unknown field"},
        {&sq_rule_burstprop, "{\"recurrent\": 3}", "training.burstprop.recurrent: expected"},
        {&sq_rule_burstprop, "{\"W_r_range\": -1}", "training.burstprop.W_r_range: expected"},
        {&sq_rule_backprop, "{\"lr\": 1}", "training.backprop.lr: unknown field"},
    };
    uint32_t sizes[] = {3, 2, 2};
    sq_rate_net *net;
    sq_err err = {0};
    ck_assert_int_eq(sq_rate_net_create(2, sizes, 1, &net, &err), 0);
    for (size_t i = 0; i < SQ_COUNT(cases); i++) {
        json_t *sec = json_loads(cases[i].section, 0, NULL);
        sq_layer_cfg c = {.origin = "cfg.json", .err = &err};
        void *state = (void *)1;
        err = (sq_err){0};
        int rc = cases[i].rule->create(&c, sec, net, 4, &state);
        ck_assert_msg(rc == SQ_ECONFIG, "case %zu: rc %d", i, rc);
        ck_assert_msg(strstr(err.msg, cases[i].message) && strstr(err.msg, "cfg.json"), "case %zu: %s", i, err.msg);
        ck_assert(state == NULL);
        json_decref(sec);
    }
    sq_rate_net_destroy(net);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("rate_rules");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, backprop_by_hand);
    tcase_add_test(tc, burstccn_by_hand);
    tcase_add_test(tc, burstprop_by_hand);
    tcase_add_test(tc, burstccn_tied_points_along_backprop);
    tcase_add_test(tc, q_learning_silences_the_apical_potential);
    tcase_add_test(tc, burstprop_recurrent_learning_drives_u_down);
    tcase_add_test(tc, threads_give_the_same_bits);
    tcase_add_test(tc, bad_sections_name_the_field);
    suite_add_tcase(s, tc);
    return sq_test_run(s);
}
