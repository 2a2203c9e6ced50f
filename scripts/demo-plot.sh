#!/bin/sh
# The README's picture of examples/python/plot.py following `make demo`'s
# sensor frames: runs the demo, plots two of its fields for 4 seconds into
# docs/demo-plot.png (or $1), and says what the plot saw.
#   scripts/demo-plot.sh [FILE]
set -u
out=${1:-docs/demo-plot.png}
py=${PYTHON:-/usr/bin/python3}
mkdir -p "$(dirname "$out")"
tmp=$(mktemp -d)
trap 'kill $demo 2>/dev/null; rm -rf "$tmp"' EXIT
build/rel/demo >"$tmp/demo" 2>&1 & demo=$!
i=0
while ! grep -q "^seqshm demo: segment" "$tmp/demo" && [ $i -lt 50 ]; do
    sleep 0.1; i=$((i + 1))
done
name=$(sed -n 's|^seqshm demo: segment /\([^,]*\),.*|\1|p' "$tmp/demo")
[ -n "$name" ] || { echo "demo-plot: the demo did not start" >&2; cat "$tmp/demo" >&2; exit 1; }
PYTHONPATH=python MPLBACKEND=Agg "$py" examples/python/plot.py "$name" \
    position attitude[2] --png "$out" --seconds 4 --window 4 || exit 1
wait $demo
echo "demo-plot: wrote $out"
