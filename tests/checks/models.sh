#!/bin/sh
# Model-checks the wait/wake, claim and origin-record protocols
# (models/*.pml) with spin:
# the protocols as built must have no error, and each variant that puts back
# an old mistake must have one (so the models can fail).
set -u
command -v spin >/dev/null 2>&1 || { echo "models: spin is missing (apt-get install spin)" >&2; exit 1; }
top=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bad=0
# check MODEL DEFINE EXPECT("ok"|"error") WHAT
check() {
    dir="$work/$(basename "$1" .pml)$2"
    mkdir -p "$dir" && cd "$dir" || exit 1
    spin -a $2 "$top/$1" >spin.log 2>&1 &&
        ${CC:-cc} -w -O2 -DSAFETY -o pan pan.c >cc.log 2>&1 ||
        { echo "models: $1 $2 did not build" >&2; cat spin.log cc.log >&2; bad=1; cd "$top"; return; }
    ./pan >pan.log 2>&1
    errors=$(sed -n 's/.*errors: \([0-9]*\).*/\1/p' pan.log)
    states=$(sed -n 's/^ *\([0-9][0-9]*\) states, stored.*/\1/p' pan.log)
    what=$(grep -m1 -E 'assertion violated|invalid end state' pan.log | sed 's/ (at depth.*//; s/^pan:1: //')
    if [ "$3" = ok ]; then
        verdict=$([ "$errors" = 0 ] && echo ok || echo FAIL)
        printf 'models: %-10s %-26s %9s states, errors %s  %s\n' "$1" "${2:-as built}" "$states" "$errors" "$verdict"
    else
        verdict=$([ -n "$errors" ] && [ "$errors" != 0 ] && echo "ok (found: $what)" || echo "FAIL (no error found)")
        printf 'models: %-10s %-26s %9s states, errors %s  %s\n' "$1" "$2" "$states" "$errors" "$verdict"
    fi
    case $verdict in ok*) ;; *) bad=1 ;; esac
    cd "$top"
}
check models/wait.pml "" ok
check models/wait.pml -DASYM ok
check models/wait.pml -DOLD_ORDER error
check models/wait.pml "-DASYM -DNO_HEAVY" error
check models/wait.pml "-DASYM -DHEAVY_IF_STORED" error
check models/claim.pml "" ok
check models/claim.pml -DPID_LIVENESS error
check models/claim.pml -DOLD_GONE error
check models/origin.pml "" ok
check models/origin.pml -DSAME_SLOT error
check models/origin.pml -DNO_RECHECK error
exit $bad
