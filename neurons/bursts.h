/* neurons/bursts.h: classification of one neuron's spikes into events, burst markers and later spikes
 * of a burst, as burst-dependent plasticity reads them (Payeur, Guerguiev, Zenke, Richards & Naud
 * 2021, Nat Neurosci 24:1010; apayeur/spikingburstprop src/BCPConnection.cpp compute_burst_rate;
 * spec learning.md §2.1.1).
 *   A detector trace z decays with tau_burst (16 ms) and gains 1 per spike. At a spike, z is read
 *   before the spike is added: z < e^-1 (no spike in roughly the last tau_burst) makes an EVENT and
 *   clears burst_state; z > e^-1 with burst_state 0 makes the BURST marker (the burst's second spike)
 *   and sets burst_state; anything else (later spikes of the burst, and z == e^-1 exactly, which
 *   satisfies neither of the code's strict tests) is INBURST and leaves burst_state alone.
 * z decays exactly and lazily, z(t) = z(t_last) e^{-(t - t_last)/tau_burst} (spec §0.3). Spikes are
 * fed in time order. Static inline: plasticity rules and recorders keep one detector per neuron.
 * Tested in tests/test_bursts.c on hand-made spike trains, the e^-1 boundary included, and used on
 * the two_compartment model's spikes in tests/test_two_compartment.c. */
#ifndef SQ_BURSTS_H
#define SQ_BURSTS_H

#include <math.h>

/* The detector time constant of Payeur et al. (2021), ms. */
#define SQ_BURST_TAU_MS 16.0

typedef enum {
    SQ_SPIKE_EVENT,  /* first spike after a silence: an event */
    SQ_SPIKE_BURST,  /* second spike of a burst: the burst marker */
    SQ_SPIKE_INBURST /* a later spike of a burst: neither event nor marker */
} sq_spike_class;

typedef struct {
    double z;         /* the trace at t_last, after that spike was added */
    double t_last;    /* time of the last spike (ms) */
    double tau_burst; /* ms */
    int burst_state;  /* 1 once the current burst's marker was given */
} sq_burst_detector;

/* A detector that has seen no spike. Thread: the owner of b. */
static inline void sq_burst_init(sq_burst_detector *b, double tau_burst)
{
    b->z = 0.0;
    b->t_last = 0.0;
    b->tau_burst = tau_burst;
    b->burst_state = 0;
}

/* The trace just before a spike at t >= t_last (what the classification reads). Thread: any. */
static inline double sq_burst_trace(const sq_burst_detector *b, double t)
{
    return b->z * exp(-(t - b->t_last) / b->tau_burst);
}

/* Classifies a spike at t (t >= the previous spike's time) and adds it to the trace. Thread: the
 * owner of b. */
static inline sq_spike_class sq_burst_classify(sq_burst_detector *b, double t)
{
    const double thr = exp(-1.0);
    double z = sq_burst_trace(b, t);
    sq_spike_class c = SQ_SPIKE_INBURST;
    if (z < thr) {
        c = SQ_SPIKE_EVENT;
        b->burst_state = 0;
    } else if (z > thr && b->burst_state == 0) {
        c = SQ_SPIKE_BURST;
        b->burst_state = 1;
    }
    b->z = z + 1.0;
    b->t_last = t;
    return c;
}

#endif
