#!/bin/sh
# experiments/bench.sh: runs one spikeq experiment under /usr/bin/time -v and prints one figure a line:
# wall time (simulation), real-time factor, synaptic events/s, bytes/synapse, peak RSS.
# The figures come from spikeq's end-of-run summary (`wall time (simulation): X s`, `real-time factor: Y`,
# `synapses: N`, `bytes/synapse: X`, `spikes: N`, `synaptic events: N`, matched loosely) and from
# /usr/bin/time (maximum resident set size); a figure spikeq did not print shows as n/a.
# Usage: experiments/bench.sh SPIKEQ CONFIG.json [extra spikeq run arguments, e.g. --t-stop 10000]
set -eu
if [ $# -lt 2 ]; then
    echo "usage: $0 SPIKEQ CONFIG.json [spikeq run arguments...]" >&2
    exit 2
fi
exe=$1 cfg=$2
shift 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
if ! /usr/bin/time -v -o "$tmp/time" "$exe" run "$cfg" --out "$tmp/spikes.h5" "$@" >"$tmp/out" 2>&1; then
    echo "bench.sh: spikeq failed:" >&2
    cat "$tmp/out" >&2
    exit 1
fi
# first number after a label (case-insensitive), or n/a
num() { grep -i -m1 -E "$1" "$tmp/out" | sed -E "s#.*($1)[^0-9.+-]*([-+0-9.eE]+).*#\2#I" | grep -E '^[-+0-9.eE]+$' || echo n/a; }
wall=$(num 'wall time \(simulation\)')
rtf=$(num 'real-time factor')
syn=$(num 'synapses:')
bps=$(num 'bytes/synapse')
spk=$(num 'spikes:')
ev=$(num 'synaptic events')
rate=n/a
if [ "$ev" != n/a ] && [ "$wall" != n/a ]; then
    rate=$(awk -v e="$ev" -v w="$wall" 'BEGIN { if (w > 0) printf "%.4g", e / w; else print "n/a" }')
fi
rss=$(grep -m1 'Maximum resident set size' "$tmp/time" | awk '{ printf "%.1f", $NF / 1024 }')
echo "config:               $cfg"
unit() { [ "$1" = n/a ] && echo n/a || echo "$1 $2"; }
echo "wall time (sim):      $(unit "$wall" s)"
echo "real-time factor:     $rtf"
echo "synaptic events/s:    $rate"
echo "synapses:             $syn"
echo "bytes/synapse:        $bps"
echo "spikes:               $spk"
echo "peak RSS:             $(unit "${rss:-n/a}" MiB)"
