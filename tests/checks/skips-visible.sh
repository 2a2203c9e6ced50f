#!/bin/sh
# Runs a Criterion binary. Every test it skips must say so in its normal
# output, with its reason (a "SKIP" line): counts the skips Criterion reports
# in verbose mode against those lines, and fails if one went unsaid.
#   tests/checks/skips-visible.sh UNIT [criterion options]
set -u
bin=$1; shift
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$bin" "$@" --verbose >"$out" 2>&1
rc=$?
# what the normal output shows: skips, failures, the synthesis
grep -E '^SKIP |^\[(FAIL|----)\]|Synthesis' "$out" | grep -v '^\[----\] *$' |
    grep -vE '^\[----\] (Criterion|Running|Warning)'
skipped=$(grep -c '^\[SKIP\]' "$out")
said=$(grep -c '^SKIP ' "$out")
if [ "$skipped" -ne "$said" ]; then
    echo "skips: $skipped tests skipped, $said said why" >&2
    exit 1
fi
exit $rc
