/* tests/rate_oracle_driver.c: trains a rate network (step/rate_train.h) for tests/rate_oracle.py:
 *   rate_oracle_driver CONFIG.json INIT.h5 SAMPLES OUT.h5
 * starts from the weights of INIT.h5 (the network's and the rule's), trains on the first SAMPLES
 * training images in order (batches of training.batch) and writes every weight to OUT.h5 in the
 * weights-file layout. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "step/rate_train.h"

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: %s CONFIG.json INIT.h5 SAMPLES OUT.h5\n", argv[0]);
        return 2;
    }
    json_error_t jerr;
    json_t *config = json_load_file(argv[1], 0, &jerr);
    if (!config) {
        fprintf(stderr, "%s: %s\n", argv[1], jerr.text);
        return 1;
    }
    sq_train_options o = {.origin = argv[1], .weights = argv[2], .threads = 1, .seed = -1, .epochs = -1};
    sq_rate_trainer *t;
    sq_err err = {0};
    size_t n = strtoul(argv[3], NULL, 10);
    size_t *idx = malloc((n ? n : 1) * sizeof *idx);
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    int rc = sq_rate_trainer_create(config, &o, &t, &err);
    if (rc == 0) {
        if ((rc = sq_rate_trainer_train_samples(t, idx, n, &err)) == 0)
            rc = sq_rate_trainer_save(t, argv[4], &err);
        sq_rate_trainer_destroy(t);
    }
    if (rc < 0)
        fprintf(stderr, "%s\n", err.msg);
    free(idx);
    json_decref(config);
    return rc < 0 ? 1 : 0;
}
