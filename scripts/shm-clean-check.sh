#!/bin/sh
# Fails if a test or stress run left anything in /dev/shm.
left=$(ls /dev/shm 2>/dev/null | grep -E '^seqshm-(t|s)-')
if [ -n "$left" ]; then
    echo "tests left objects in /dev/shm:" >&2
    echo "$left" >&2
    exit 1
fi
echo "/dev/shm: nothing left behind"
