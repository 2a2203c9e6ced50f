#!/bin/sh
# Records the runs whose output the README quotes, into bench/results: the
# demo (demo.txt), the random-kill test (killer.txt) and a 60 s soak
# (soak.txt). tests/checks/figures.py (make test) checks the README's excerpts
# against these files; run this (make record-runs) after changing what they
# print, then update the excerpts.
set -eu
out=bench/results
build/rel/demo >"$out/demo.txt"
build/rel/killer --kills 150 >"$out/killer.txt"
build/rel/soak --seconds 60 >"$out/soak.txt"
echo "recorded: $out/demo.txt $out/killer.txt $out/soak.txt"
