#!/bin/sh
# Fails if this test run left anything behind: a segment in /dev/shm or a
# process. A run's segments carry its tag, SEQSHM_TEST_RUN (tests/common/run_tag.h),
# and every process it starts inherits that variable: only those are looked
# at, so another run on the same host, or a user's own segments and
# processes, never count. A process left behind is named, then killed, so
# that it cannot hold the run's output open (make test | tee LOG returns).
run=${SEQSHM_TEST_RUN:-manual}
status=0
left=$(ls /dev/shm 2>/dev/null | grep -E "^seqshm-(t|s)-$run-")
if [ -n "$left" ]; then
    echo "tests left objects in /dev/shm:" >&2
    echo "$left" >&2
    status=1
fi

if [ "$run" != manual ] && [ -d /proc/self ]; then
    # this check and the processes that started it carry the tag too
    ancestors=" "
    p=$$
    while [ -n "$p" ] && [ "$p" -gt 1 ] 2>/dev/null; do
        ancestors="$ancestors$p "
        p=$(awk '/^PPid:/ { print $2 }' /proc/$p/status 2>/dev/null)
    done
    strays=""
    for d in /proc/[0-9]*; do
        pid=${d#/proc/}
        case "$ancestors" in *" $pid "*) continue ;; esac
        { tr '\0' '\n' <"$d/environ"; } 2>/dev/null |
            grep -qx "SEQSHM_TEST_RUN=$run" || continue
        # a process of this pipeline that has just started (the awk, tr, grep
        # above run as children of this shell: their parent is $$)
        ppid=$(awk '/^PPid:/ { print $2 }' "$d/status" 2>/dev/null)
        [ "$ppid" = $$ ] && continue
        [ -n "$ppid" ] || continue # gone meanwhile
        state=$(awk '/^State:/ { print $2 }' "$d/status" 2>/dev/null)
        cmd=$({ tr '\0' ' ' <"$d/cmdline"; } 2>/dev/null | cut -c1-100)
        strays="$strays$pid "
        echo "tests left a process: pid $pid, state $state, parent $ppid: $cmd" >&2
    done
    if [ -n "$strays" ]; then
        # shellcheck disable=SC2086
        kill -KILL $strays 2>/dev/null
        echo "(killed)" >&2
        status=1
    fi
fi
[ $status = 0 ] && echo "/dev/shm and processes: nothing left behind"
exit $status
