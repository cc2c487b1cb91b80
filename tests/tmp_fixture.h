/* tests/tmp_fixture.h: a scratch directory per test process for the fixture files the dataset
 * tests write (removed with its contents at the end), and a helper to write raw bytes. */
#ifndef SQ_TEST_TMP_FIXTURE_H
#define SQ_TEST_TMP_FIXTURE_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char sq_tmp_dir[256];

/* Path of a file in the scratch directory (a static buffer per call site: copy it if kept). */
static inline const char *sq_tmp_path(char *buf, size_t len, const char *name)
{
    if (!sq_tmp_dir[0]) {
        snprintf(sq_tmp_dir, sizeof sq_tmp_dir, "/tmp/spikeq_test_XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(sq_tmp_dir));
    }
    snprintf(buf, len, "%s/%s", sq_tmp_dir, name);
    return buf;
}

static inline void sq_tmp_write(const char *path, const void *bytes, size_t n)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(bytes, 1, n, f), n);
    ck_assert_int_eq(fclose(f), 0);
}

/* Removes the scratch directory and everything in it (Check forks each test, so each test cleans
 * up its own directory). */
static inline void sq_tmp_cleanup(void)
{
    if (!sq_tmp_dir[0])
        return;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", sq_tmp_dir);
    if (system(cmd) != 0)
        fprintf(stderr, "warning: could not remove %s\n", sq_tmp_dir);
    sq_tmp_dir[0] = 0;
}

#endif
