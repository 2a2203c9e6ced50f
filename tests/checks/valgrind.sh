#!/bin/sh
# valgrind memcheck over the Criterion suite (every process it forks or
# execs) and the C examples. Criterion does not pass a worker's valgrind
# exit status on, so the verdict comes from each process's own log.
set -u
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
vg() {
    valgrind --trace-children=yes --leak-check=full \
        --errors-for-leak-kinds=definite,indirect \
        --show-leak-kinds=definite,indirect --log-file="$dir/vg.%p" "$@"
}
fail=0
vg build/fault/unit --jobs 2 >"$dir/unit.out" 2>&1 ||
    { echo "FAIL: the suite under valgrind:" >&2; tail -20 "$dir/unit.out" >&2; fail=1; }
for ex in basic timeouts partial spans errors circular; do
    vg "build/examples/c/$ex" >/dev/null 2>&1 || { echo "FAIL: examples/c/$ex" >&2; fail=1; }
done
n=$(ls "$dir"/vg.* | wc -l)
bad=$(grep -l "ERROR SUMMARY: [1-9]" "$dir"/vg.* 2>/dev/null)
if [ -n "$bad" ]; then
    for f in $bad; do echo "--- $f" >&2; grep -A25 -m1 '==[0-9]*== [A-Z]' "$f" >&2; done
    fail=1
fi
errors=$(cat "$dir"/vg.* | grep -o "ERROR SUMMARY: [0-9]*" | awk '{ s += $3 } END { print s + 0 }')
echo "valgrind: $n processes checked, $errors errors"
exit $fail
