/* cli/emulate.h: what `spikeq dataset emulate`'s option parsing (cli/cmd_emulate.c) and its run
 * (cli/emulate_run.c: recording in worker threads, progress line, summary) share. Internal to the
 * spikeq command. */
#ifndef SQ_CLI_EMULATE_H
#define SQ_CLI_EMULATE_H

#include "../encoders/idx.h"
#include "../encoders/saccade.h"

typedef struct {
    const char *from, *split, *labels, *out;
    int nmnist;                   /* --format nmnist */
    unsigned long long samples, first;
    int has_samples, quiet;
    unsigned threads;             /* >= 1 */
    sq_saccade_params par;
    char images_path[4096], labels_path[4096];
} sq__emulate_options;

/* Records images [o->first, o->first + n) into o->out (which exists and is empty), printing the
 * progress line on a terminal and the summary at the end, or the error. Returns 0 or -1. */
int sq__emulate_run(const sq__emulate_options *o, const sq_idx_images *im, const sq_idx_labels *lb,
                    unsigned long long n);

#endif
