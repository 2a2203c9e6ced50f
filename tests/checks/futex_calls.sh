#!/bin/sh
# Counts the futex system calls of 100 000 writes with strace:
#   - with nobody waiting there must be none;
#   - with a waiter there must be some (so the count can see them at all);
#   - after a waiter was killed in its sleep, at most one;
# and every system call of a sole writer's writes: 100 000 of them make as
# many as 10 do (the open and close), so a write makes none.
set -eu
bin=${1:-build/rel/writes}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
count() { # the "calls" column of strace -c's futex row, 0 if none
    awk '$NF == "futex" { print $4; found = 1 } END { if (!found) print 0 }' "$out"
}
strace -f -c -e trace=futex -o "$out" "$bin" 100000
idle=$(count)
strace -c -e trace=futex -o "$out" "$bin" 100000 --waiter
woken=$(count)
strace -c -e trace=futex -o "$out" "$bin" 100000 --dead-waiter
dead=$(count)
total() { # the "calls" column of strace -c's total row
    awk '$NF == "total" { print $4 }' "$out"
}
strace -c -o "$out" "$bin" 10 --sole
few=$(total)
strace -c -o "$out" "$bin" 100000 --sole
many=$(total)
echo "futex calls: 100000 writes, no waiter: $idle; with a waiter: $woken; after a waiter died asleep: $dead (writer only)"
echo "system calls of a sole writer's process: 10 writes $few, 100000 writes $many"
[ "$many" -eq "$few" ] || { echo "FAIL: a sole writer's writes made system calls" >&2; exit 1; }
[ "$dead" -le 1 ] || { echo "FAIL: a dead waiter costs every write a futex call" >&2; exit 1; }
[ "$idle" -eq 0 ] || { echo "FAIL: writes without a waiter made futex calls" >&2; exit 1; }
[ "$woken" -gt 0 ] || { echo "FAIL: strace saw no futex call at all" >&2; exit 1; }
