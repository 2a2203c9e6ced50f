#!/bin/sh
# The shared library exports the API (every function seqshm.h declares)
# and nothing else.
set -eu
lib=${1:-build/rel/libseqshm.so}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBRW]$/ { print $3 }' | sort > "$out/exported"
grep -o 'SEQSHM_API [^;(]*(' include/seqshm.h | grep -o 'seqshm_[a-z_]*(' |
    tr -d '(' | sort > "$out/declared"
if ! cmp -s "$out/exported" "$out/declared"; then
    echo "FAIL: exported symbols differ from the API (< exported, > declared):" >&2
    diff "$out/exported" "$out/declared" >&2 || true
    exit 1
fi
echo "exports: the $(wc -l < "$out/declared") functions of seqshm.h and nothing else"
