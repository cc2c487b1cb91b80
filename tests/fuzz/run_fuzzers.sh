#!/usr/bin/env bash
# tests/fuzz/run_fuzzers.sh BUILD_FUZZ_DIR SECONDS [READER...]: runs each reader's libFuzzer harness
# for SECONDS (one at a time, under nice), starting from the kept corpus, then merges what it found
# back into tests/fuzz/corpus/<reader>/ (libFuzzer's -merge keeps only inputs that add coverage).
# Build first: CC=clang-14 meson setup build-fuzz -Dfuzz=true -Db_lto=false -Dwerror=false -Dtests=false
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$1 secs=$2
shift 2
readers=("$@")
[ ${#readers[@]} -eq 0 ] && readers=(idx aedat nmnist)
for r in "${readers[@]}"; do
    work=$(mktemp -d)
    mkdir -p "$here/corpus/$r"
    cp "$here/corpus/$r"/* "$work"/ 2>/dev/null || true
    nice -n 10 "$build/tests/fuzz/fuzz_$r" -max_total_time="$secs" -malloc_limit_mb=256 -rss_limit_mb=1024 \
        -max_len=4096 -print_final_stats=1 -artifact_prefix="$build/crash-$r-" "$work" 2>&1 | tail -25
    nice -n 10 "$build/tests/fuzz/fuzz_$r" -merge=1 "$here/corpus/$r" "$work" 2>&1 | tail -2
    rm -rf "$work"
done
