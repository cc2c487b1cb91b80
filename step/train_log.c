/* step/train_log.c: a training run's log.jsonl (step/train_log.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "train_log.h"

int sq_train_log_append(const char *out_dir, const sq_epoch_report *r, sq_err *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/log.jsonl", out_dir);
    FILE *f = fopen(path, "a");
    if (!f)
        return sq_fail(err, SQ_EIO, "%s: cannot append to the log: %s", path, strerror(errno));
    fprintf(f,
            "{\"epoch\": %u, \"lr\": %.9g, \"train_loss\": %.9g, \"train_accuracy\": %.6f, \"test_loss\": %.9g, "
            "\"test_accuracy\": %.6f, \"test_correct\": %zu, \"test_samples\": %zu, \"train_samples\": %zu, "
            "\"train_seconds\": %.3f, \"test_seconds\": %.3f, \"best\": %s",
            r->epoch, r->lr, r->train_loss, r->train_accuracy, r->test_loss, r->test_accuracy, r->test_correct,
            r->test_samples, r->train_samples, r->train_seconds, r->test_seconds, r->best ? "true" : "false");
    for (uint32_t l = 0; l < r->n_alignment; l++)
        fprintf(f, "%s%.6f", l ? ", " : ", \"alignment\": [", r->alignment[l]);
    fputs(r->n_alignment ? "]}\n" : "}\n", f);
    return fclose(f) == 0 ? 0 : sq_fail(err, SQ_EIO, "%s: cannot write the log", path);
}

int sq_train_log_truncate(const char *out_dir, uint32_t epochs, sq_err *err)
{
    char path[4096], tmp[4200];
    snprintf(path, sizeof path, "%s/log.jsonl", out_dir);
    FILE *in = fopen(path, "r");
    if (!in)
        return errno == ENOENT ? 0 : sq_fail(err, SQ_EIO, "%s: cannot read the log: %s", path, strerror(errno));
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *out = fopen(tmp, "w");
    if (!out) {
        fclose(in);
        return sq_fail(err, SQ_EIO, "%s: cannot write: %s", tmp, strerror(errno));
    }
    char line[4096];
    for (uint32_t kept = 0; kept < epochs && fgets(line, sizeof line, in);)
        if (fputs(line, out) >= 0 && strchr(line, '\n'))
            kept++;
    fclose(in);
    if (fclose(out) != 0 || rename(tmp, path) != 0)
        return sq_fail(err, SQ_EIO, "%s: cannot rewrite the log", path);
    return 0;
}
