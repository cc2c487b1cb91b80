#!/bin/sh
# experiments/bench.sh: runs one spikeq experiment at each thread count under /usr/bin/time -v and
# prints one figure a line: wall time (simulation), real-time factor, synaptic events/s (in all and
# per core), bytes/synapse, build time, peak RSS, and the speed-up of each thread count over the
# first. The figures come from spikeq's end-of-run summary and from /usr/bin/time (maximum resident
# set size); a figure spikeq did not print shows as n/a. Each thread count runs BENCH_REPEAT times
# (default 1) and the fastest simulation counts, since this machine's run-to-run spread is large.
# Usage: [BENCH_THREADS="1 2"] [BENCH_REPEAT=N] experiments/bench.sh SPIKEQ CONFIG.json [spikeq run arguments...]
set -eu
if [ $# -lt 2 ]; then
    echo "usage: $0 SPIKEQ CONFIG.json [spikeq run arguments...]" >&2
    exit 2
fi
exe=$1 cfg=$2
shift 2
threads=${BENCH_THREADS:-1 2}
repeat=${BENCH_REPEAT:-1}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
# first number after a label (case-insensitive) in file $2, or n/a
num() { grep -i -m1 -E "$1" "$2" | sed -E "s#.*($1)[^0-9.+-]*([-+0-9.eE]+).*#\2#I" | grep -E '^[-+0-9.eE]+$' || echo n/a; }
unit() { [ "$1" = n/a ] && echo n/a || echo "$1 $2"; }
echo "config:                        $cfg $*"
base=""
for t in $threads; do
    best=""
    for r in $(seq "$repeat"); do
        if ! /usr/bin/time -v -o "$tmp/time" "$exe" run "$cfg" --out "$tmp/spikes.h5" --threads "$t" -q "$@" >"$tmp/out" 2>&1; then
            echo "bench.sh: spikeq failed:" >&2
            cat "$tmp/out" >&2
            exit 1
        fi
        w=$(num 'wall time \(simulation\)' "$tmp/out")
        if [ -z "$best" ] || awk -v a="$w" -v b="$best" 'BEGIN { exit !(a < b) }'; then
            best=$w
            cp "$tmp/out" "$tmp/best"
            cp "$tmp/time" "$tmp/best_time"
        fi
    done
    wall=$best
    ev=$(num 'synaptic events:' "$tmp/best")
    rate=$(awk -v e="$ev" -v w="$wall" 'BEGIN { if (e != "n/a" && w > 0) printf "%.4g", e / w; else print "n/a" }')
    core=$(awk -v r="$rate" -v t="$t" 'BEGIN { if (r != "n/a") printf "%.4g", r / t; else print "n/a" }')
    rss=$(grep -m1 'Maximum resident set size' "$tmp/best_time" | awk '{ printf "%.1f", $NF / 1024 }')
    echo "threads $t: wall time (sim):     $(unit "$wall" s)"
    echo "threads $t: real-time factor:    $(num 'real-time factor' "$tmp/best")"
    echo "threads $t: synaptic events/s:   $rate"
    echo "threads $t: events/s per core:   $core"
    echo "threads $t: build time:          $(unit "$(num 'build time' "$tmp/best")" s)"
    echo "threads $t: peak RSS:            $(unit "${rss:-n/a}" MiB)"
    [ -z "$base" ] && base=$wall && {
        echo "synapses:                      $(num 'synapses:' "$tmp/best")"
        echo "bytes/synapse:                 $(num 'bytes/synapse' "$tmp/best")"
        echo "spikes:                        $(num 'spikes:' "$tmp/best")"
        grep -q '^plastic synapses' "$tmp/best" &&
            echo "bytes/plastic synapse:         $(sed -n 's/^plastic synapses: [0-9]*, \([0-9.]*\) bytes each.*/\1/p' "$tmp/best")"
    }
    echo "threads $t: speed-up:            $(awk -v a="$base" -v b="$wall" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')"
done
