#!/bin/sh
# Fails if this test run left anything in /dev/shm. A run's segments carry
# its tag, SEQSHM_TEST_RUN (tests/run_tag.h): only those are looked at, so
# another run on the same host, or a user's own segments, never count.
run=${SEQSHM_TEST_RUN:-manual}
left=$(ls /dev/shm 2>/dev/null | grep -E "^seqshm-(t|s)-$run-")
if [ -n "$left" ]; then
    echo "tests left objects in /dev/shm:" >&2
    echo "$left" >&2
    exit 1
fi
echo "/dev/shm: nothing left behind"
