#!/usr/bin/env bash
# tests/fuzz/run_fuzzers.sh BUILD_FUZZ_DIR SECONDS [READER...]: runs each reader's libFuzzer harness
# for SECONDS (one at a time, under nice), starting from the kept corpus, then rewrites
# tests/fuzz/corpus/<reader>/ as the smallest set of old and new inputs that covers every edge reached
# (libFuzzer's -merge without hit counts).
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
    # keep the corpus small: only inputs that reach edges no smaller kept input reaches
    kept=$(mktemp -d)
    nice -n 10 "$build/tests/fuzz/fuzz_$r" -merge=1 -use_counters=0 "$kept" "$here/corpus/$r" "$work" 2>&1 | tail -1
    rm -f "$here/corpus/$r"/*
    cp "$kept"/* "$here/corpus/$r"/
    rm -rf "$work" "$kept"
done
