#!/bin/sh
# The library keeps no global mutable state: no writable data, zero-filled
# data or thread-local symbol in any object of the release build (read-only
# tables are fine). Backs the README's claim.
set -eu
lib=${1:-build/rel/libseqshm.a}
found=$(nm "$lib" | awk '$2 ~ /^[bBdDcCvV]$/ { print }')
tls=$(readelf -sW "$lib" | awk '$4 == "TLS" { print }')
if [ -n "$found$tls" ]; then
    echo "FAIL: writable or thread-local data in $lib:" >&2
    printf '%s\n%s\n' "$found" "$tls" >&2
    exit 1
fi
echo "globals: no writable data in $lib"
