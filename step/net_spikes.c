/* step/net_spikes.c: layer spikes of a forward pass as a SONATA spike report (step/net_spikes.h). The
 * writer's loop runs on this thread after every spike is pushed: the report of a few samples fits in
 * the writer's queue, so push never waits for the loop. */
#include <stdio.h>
#include <stdlib.h>
#include <uv.h>

#include "../io/sonata_writer.h"
#include "net_spikes.h"

/* Spikes of population p (layer l, batch position n) at step t, in node order, appended to out. */
static size_t collect(const sq_layer *l, uint32_t N, uint32_t n, uint32_t t, uint32_t p, double dt, sq_spike *out)
{
    sq_fshape s = l->shape;
    size_t image = (size_t)t * N + n, k = 0;
    for (uint32_t c = 0; c < s.c; c++)
        for (size_t pix = 0; pix < (size_t)s.h * s.w; pix++)
            for (float v = sq_tensor_get(&l->out, image, pix * s.c + c); v >= 1.0f; v -= 1.0f)
                out[k++] = (sq_spike){.t = t * dt, .pop = p, .id = (uint32_t)(c * (size_t)s.h * s.w + pix)};
    return k;
}

int sq_net_write_spikes(sq_net *net, const char *path, const int *layers, size_t n_layers, const uint32_t *pos,
                        const uint64_t *ids, size_t n_samples, double dt, sq_err *err)
{
    size_t n_pops = n_layers * n_samples, max_f = 0;
    uint32_t N = 0;
    for (size_t i = 0; i < n_layers; i++) {
        const sq_layer *l = sq_net_layer(net, (size_t)layers[i]);
        if (!l || l->values == SQ_VALUES_REAL)
            return sq_fail(err, SQ_EINVAL, "%s: layer %s: expected a spiking layer (lif, or an add of spikes), got %s",
                           path, l ? l->name : "?", l ? l->type->name : "no layer");
        size_t f = sq_fshape_size(l->shape) * 8; /* counts above 1 give several spikes */
        max_f = f * n_pops > max_f ? f * n_pops : max_f;
    }
    N = sq_net_batch(net);
    for (size_t k = 0; k < n_samples; k++)
        if (pos[k] >= N)
            return sq_fail(err, SQ_EINVAL, "%s: sample position %u: expected one of the %u of the last pass", path, pos[k], N);
    char **names = calloc(n_pops ? n_pops : 1, sizeof *names);
    uint64_t *sizes = calloc(n_pops ? n_pops : 1, sizeof *sizes);
    sq_spike *buf = malloc((max_f ? max_f : 1) * sizeof *buf);
    int rc = names && sizes && buf ? 0 : sq_fail(err, SQ_ENOMEM, "out of memory");
    for (size_t i = 0; rc == 0 && i < n_layers; i++)
        for (size_t k = 0; k < n_samples; k++) {
            const sq_layer *l = sq_net_layer(net, (size_t)layers[i]);
            size_t p = i * n_samples + k;
            sizes[p] = sq_fshape_size(l->shape);
            if (!(names[p] = malloc(SQ_LAYER_NAME + 24)))
                rc = sq_fail(err, SQ_ENOMEM, "out of memory");
            else
                snprintf(names[p], SQ_LAYER_NAME + 24, "%s_s%llu", l->name, (unsigned long long)ids[k]);
        }
    uv_loop_t loop;
    sq_spike_writer *w = NULL;
    uint32_t T = n_layers ? sq_net_layer(net, (size_t)layers[0])->T : 0;
    if (rc == 0 && uv_loop_init(&loop) != 0)
        rc = sq_fail(err, SQ_EIO, "%s: cannot start the writer's loop", path);
    else if (rc == 0) {
        rc = sq_spike_writer_open(&loop, path, (const char *const *)names, sizes, n_pops, NULL, &w, err);
        /* Spikes go in (time, population, id) order: step by step, population by population. */
        for (uint32_t t = 0; rc == 0 && t < T; t++)
            for (size_t p = 0; p < n_pops; p++) {
                const sq_layer *l = sq_net_layer(net, (size_t)layers[p / n_samples]);
                size_t n = collect(l, N, pos[p % n_samples], t, (uint32_t)p, dt, buf);
                sq_spike_writer_push(w, buf, n);
            }
        if (w) {
            int crc = sq_spike_writer_close(w, 0.0, T * dt, rc == 0 ? err : NULL);
            rc = rc == 0 ? crc : rc;
        }
        uv_run(&loop, UV_RUN_DEFAULT);
        uv_loop_close(&loop);
    }
    for (size_t p = 0; names && p < n_pops; p++)
        free(names[p]);
    free(names), free(sizes), free(buf);
    return rc;
}
