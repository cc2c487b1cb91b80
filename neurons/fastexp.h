/* neurons/fastexp.h: exp(-x) for the short intervals between a neuron's inputs.
 * Event-driven neurons decay by exp(-dt/tau) at every input, and dt/tau is usually tiny (a neuron
 * with 70,000 inputs a second and tau = 20 ms sees dt/tau ~ 7e-4). The Taylor series is cut where
 * its remainder is below 1e-19 relative, under half an ulp, so the result is as accurate as
 * libm's exp: degree 5 for x < 2^-9 (x^6/6! < 1e-19), degree 8 for x < 1/32 (x^9/9! < 1e-19);
 * above that, libm's exp is called. */
#ifndef SQ_FASTEXP_H
#define SQ_FASTEXP_H

#include <math.h>

static inline double sq_exp_neg(double x)
{
    if (x < 0x1p-9 && x >= 0.0) {
        double y = -x;
        return 1.0 + y * (1.0 + y * (0.5 + y * (1.0 / 6 + y * (1.0 / 24 + y * (1.0 / 120)))));
    }
    if (x < 0.03125 && x >= 0.0) {
        double y = -x;
        return 1.0 + y * (1.0 + y * (0.5 + y * (1.0 / 6 + y * (1.0 / 24 + y * (1.0 / 120 +
                     y * (1.0 / 720 + y * (1.0 / 5040 + y * (1.0 / 40320))))))));
    }
    return exp(-x);
}

/* 1 - e^{-x} for 0 <= x < 1/64: Taylor series to x^8 in Estrin's scheme, remainder below
 * (1/64)^8/9! < 1e-20 relative. */
static inline double sq_one_minus_exp_neg_small(double x)
{
    double x2 = x * x;
    double lo = (1.0 - x * (1.0 / 2)) + x2 * (1.0 / 6 - x * (1.0 / 24));
    double hi = (1.0 / 120 - x * (1.0 / 720)) + x2 * (1.0 / 5040 - x * (1.0 / 40320));
    return x * (lo + (x2 * x2) * hi);
}

/* 1 - e^{-x}, x >= 0, to full relative precision however small x is: the series above, else expm1. */
static inline double sq_one_minus_exp_neg(double x)
{
    return x < 0.015625 ? sq_one_minus_exp_neg_small(x) : -expm1(-x);
}

#endif
