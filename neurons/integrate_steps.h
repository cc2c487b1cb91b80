/* neurons/integrate_steps.h: the reference implementation of sq_neuron_model.integrate() in terms
 * of a model's own advance(), input() and next_check(): merge the two input lists, one advance()
 * and one input() per input, then model.h's lazy end. A model's integrate() can call it for the
 * cases its own fast loop does not cover. Static inline so that the model's functions, passed by
 * name, are called directly. */
#ifndef SQ_INTEGRATE_STEPS_H
#define SQ_INTEGRATE_STEPS_H

#include <stddef.h>

typedef int (*sq_advance_fn)(const double *p, const double *d, double *s, double t, double *t_spike);
typedef int (*sq_input_fn)(const double *p, const double *d, double *s, double w);
typedef double (*sq_next_check_fn)(const double *p, const double *d, const double *s);

static inline double sq_integrate_steps(sq_advance_fn advance, sq_input_fn input, sq_next_check_fn next_check,
                                        const double *p, const double *d, double *s, const double *ta,
                                        const float *wa, size_t na, const double *tb, const float *wb, size_t nb,
                                        double t_end, void (*emit)(void *ctx, double t_spike), void *ctx)
{
    double t_spike;
    size_t i = 0, j = 0;
    for (size_t k = 0; k < na + nb; k++) {
        int take_b = tb[j] < ta[i]; /* both lists end in an INFINITY sentinel */
        double tk = take_b ? tb[j] : ta[i], wk = take_b ? wb[j++] : wa[i++];
        while (advance(p, d, s, tk, &t_spike))
            emit(ctx, t_spike);
        if (input(p, d, s, wk))
            emit(ctx, tk);
    }
    double next = next_check(p, d, s);
    if (next < t_end) {
        while (advance(p, d, s, t_end, &t_spike))
            emit(ctx, t_spike);
        next = next_check(p, d, s);
    }
    return next;
}

#endif
