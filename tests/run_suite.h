/* tests/run_suite.h: runs one Check suite and turns its result into the exit status meson reads. */
#ifndef SQ_TEST_RUN_SUITE_H
#define SQ_TEST_RUN_SUITE_H

#include <check.h>
#include <stdlib.h>

static inline int sq_test_run(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
