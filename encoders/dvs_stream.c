/* encoders/dvs_stream.c: the growable event array of encoders/dvs_events.h. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "dvs_events.h"

void sq_dvs_stream_free(sq_dvs_stream *s)
{
    if (!s)
        return;
    free(s->ev);
    memset(s, 0, sizeof *s);
}

/* A first, large array (a reader sizing it for a whole file) is aligned to 2 MiB and marked for
 * transparent huge pages: the decoder then takes one page fault per 2 MiB instead of per 4 KiB, which
 * was a third of the time of reading a recording. */
static void *alloc_events(size_t bytes)
{
    enum { HUGE = 2u << 20 };
    void *p;
    if (bytes < 2 * HUGE)
        return malloc(bytes);
    if (posix_memalign(&p, HUGE, bytes) != 0)
        return NULL;
    madvise(p, bytes, MADV_HUGEPAGE); /* a hint; ignoring its failure only costs speed */
    return p;
}

int sq_dvs_stream_reserve(sq_dvs_stream *s, size_t n)
{
    if (n <= s->cap)
        return 0;
    if (n > SIZE_MAX / sizeof *s->ev)
        return SQ_ENOMEM;
    sq_dvs_event *ev = s->ev ? realloc(s->ev, n * sizeof *ev) : alloc_events(n * sizeof *ev);
    if (!ev)
        return SQ_ENOMEM;
    s->ev = ev;
    s->cap = n;
    return 0;
}

int sq_dvs_stream_push(sq_dvs_stream *s, sq_dvs_event e)
{
    if (s->n == s->cap) {
        int rc = sq_dvs_stream_reserve(s, s->cap ? 2 * s->cap : 1024);
        if (rc < 0)
            return rc;
    }
    s->ev[s->n++] = e;
    return 0;
}
