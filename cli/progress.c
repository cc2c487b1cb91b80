/* cli/progress.c: the progress line of long runs (simulated time, real-time factor, spikes, ETA),
 * shown only on a terminal so that logs and pipes stay clean. */
#include <stdio.h>
#include <unistd.h>

#include "cli.h"

void sq_cli_progress(double t_ms, double t_stop_ms, double wall_s, unsigned long long spikes)
{
    if (!isatty(STDERR_FILENO) || t_stop_ms <= 0.0)
        return;
    double frac = t_ms / t_stop_ms;
    double rtf = t_ms > 0.0 ? wall_s / (t_ms * 1e-3) : 0.0;
    double eta = frac > 0.0 ? wall_s * (1.0 - frac) / frac : 0.0;
    fprintf(stderr, "\r[%3.0f%%] t = %.1f / %.1f ms   real-time factor %.3g   spikes %llu   ETA %.0f s   ",
            100.0 * frac, t_ms, t_stop_ms, rtf, spikes, eta);
    fflush(stderr);
}

void sq_cli_progress_done(void)
{
    if (isatty(STDERR_FILENO))
        fputs("\r\033[K", stderr);
}
