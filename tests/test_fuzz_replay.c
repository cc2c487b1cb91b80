/* tests/test_fuzz_replay.c: every input of the kept fuzz corpus (tests/fuzz/corpus/<reader>/) fed
 * again to its harness (tests/fuzz/fuzz_<reader>.c, compiled here without libFuzzer), so each run of
 * the normal suite re-checks what the fuzzers once found: the reader returns 0 or an error, and the
 * harness's invariants hold (a violated one traps, which Check reports as this test failing). Under
 * ./run sanitize this also replays the corpus under ASan and UBSan. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encoders/file_bytes.h"
#include "run_suite.h"

int sq_fuzz_one_idx(const uint8_t *data, size_t size);
int sq_fuzz_one_aedat(const uint8_t *data, size_t size);
int sq_fuzz_one_nmnist(const uint8_t *data, size_t size);

/* Replays every file of tests/fuzz/corpus/<reader>/ and returns how many there were. */
static size_t replay(const char *reader, int (*one)(const uint8_t *, size_t))
{
    const char *src = getenv("SQ_SOURCE_DIR");
    ck_assert_msg(src != NULL, "SQ_SOURCE_DIR is not set (run through meson test)");
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/tests/fuzz/corpus/%s", src, reader);
    DIR *d = opendir(dir);
    ck_assert_msg(d != NULL, "cannot open %s", dir);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        uint8_t *buf;
        size_t len;
        sq_err err = {0};
        ck_assert_msg(sq__file_read_all(path, &buf, &len, &err) == 0, "%s", err.msg);
        ck_assert_int_eq(one(buf, len), 0);
        free(buf);
        n++;
    }
    closedir(d);
    return n;
}

START_TEST(every_idx_corpus_input_decodes_or_fails_cleanly)
{
    ck_assert_uint_ge(replay("idx", sq_fuzz_one_idx), 5);
}
END_TEST

START_TEST(every_aedat_corpus_input_decodes_or_fails_cleanly_and_frames_hold_every_event)
{
    ck_assert_uint_ge(replay("aedat", sq_fuzz_one_aedat), 4);
}
END_TEST

START_TEST(every_nmnist_corpus_input_decodes_or_fails_cleanly_and_frames_hold_every_event)
{
    ck_assert_uint_ge(replay("nmnist", sq_fuzz_one_nmnist), 3);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("fuzz_replay");
    TCase *tc = tcase_create("fuzz_replay");
    tcase_add_test(tc, every_idx_corpus_input_decodes_or_fails_cleanly);
    tcase_add_test(tc, every_aedat_corpus_input_decodes_or_fails_cleanly_and_frames_hold_every_event);
    tcase_add_test(tc, every_nmnist_corpus_input_decodes_or_fails_cleanly_and_frames_hold_every_event);
    suite_add_tcase(s, tc);
    return sq_test_run(s);
}
