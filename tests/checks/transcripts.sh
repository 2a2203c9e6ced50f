#!/bin/sh
# The docs' transcript of the seqshm tool (docs/tool.md), from a real run of
# today's code, and the Python, bridge and serve figures (docs/python.md,
# docs/bridge.md, docs/serve.md), from bench/results/python.txt,
# bridge.txt and serve.txt. `check`
# runs the tool and compares what it prints with the page (numbers, which
# change from run to run, and runs of spaces compared loosely); `update`
# writes the fresh run into the page between its transcript markers.
#   tests/checks/transcripts.sh check|update
set -u
mode=${1:-check}
top=$(pwd)
# (make runs it in a /dev/shm of its own where it can: private-shm.sh, so
# the fixed name cannot collide)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; "$top/build/rel/seqshm" rm sensor >/dev/null 2>&1' EXIT
mkdir "$tmp/bin"
ln -s "$top/build/rel/seqshm" "$tmp/bin/seqshm"
PATH="$tmp/bin:$PATH"
export PATH
out="$tmp/transcript"
run() { # the command as shown, then what it printed
    printf '$ %s\n' "$1" >>"$out"
    sh -c "$1" >>"$out" 2>&1
}
run "seqshm create sensor --schema 'stamp_ns:u64 frame:u64 position:f64[3] attitude:f64[3] counters:u32[4]' --persist --mode 644"
run 'python3 -c "import struct,sys; sys.stdout.buffer.write(struct.pack(\"2Q6d4I\", 1000, 1, 1.5, -2.25, 0.5, 0, 0, 3.14, 7, 0, 0, 0))" | seqshm write sensor'
run 'seqshm ls'
run 'seqshm dump sensor'
run 'seqshm dump sensor --format hex | head -2'
# a C process publishes frames at 1 kHz meanwhile (not shown)
"$top/build/rel/pywriter" sensor 1000 1500 &
sleep 0.2
run 'seqshm watch sensor --count 3 --interval 200'
wait
run 'seqshm dump sensor --json'
run 'seqshm info sensor'
run 'seqshm info no-such-thing; echo "exit $?"'
run 'seqshm rm sensor'

# the page (README.md or docs/*.md) that holds a marker
page_with() {
    for f in "$top/README.md" "$top"/docs/*.md; do
        grep -qF "$1" "$f" 2>/dev/null && { echo "$f"; return 0; }
    done
    echo "transcripts: no page has the marker $1" >&2
    exit 1
}

# The Python, bridge and serve figures quoted in the docs are
# bench/results/python.txt, bridge.txt, bridge-loaded.txt and serve.txt
# (make bench-python, bench-bridge, bench-serve), indented as blocks.
figures() { # WHAT FILE
    pbegin="<!-- $1 figures: bench/results/$2 -->"
    pend="<!-- end of $1 figures -->"
    readme=$(page_with "$pbegin") || exit 1
    sed 's/^/    /' "$top/bench/results/$2" >"$tmp/fig"
    if [ "$mode" = update ]; then
        awk -v b="$pbegin" -v e="$pend" -v f="$tmp/fig" '
            $0 == b { print; while ((getline l < f) > 0) print l; skip = 1; next }
            $0 == e { skip = 0 }
            !skip' "$readme" >"$tmp/readme" && cp "$tmp/readme" "$readme"
    else
        awk -v b="$pbegin" -v e="$pend" '$0 == e { on = 0 } on { print } $0 == b { on = 1 }' \
            "$readme" >"$tmp/want"
        if ! cmp -s "$tmp/want" "$tmp/fig"; then
            echo "transcripts: the $1 figures of $readme are not bench/results/$2" >&2
            diff -u "$tmp/want" "$tmp/fig" >&2
            exit 1
        fi
    fi
}
figures python python.txt
figures bridge bridge.txt
figures bridge bridge-loaded.txt
figures serve serve.txt
begin='<!-- transcript: tool (tests/checks/transcripts.sh) -->'
end='<!-- end of transcript -->'
readme=$(page_with "$begin") || exit 1
grep -qF "$end" "$readme" ||
    { echo "transcripts: $readme has no end of transcript marker" >&2; exit 1; }
if [ "$mode" = update ]; then
    awk -v b="$begin" -v e="$end" -v f="$out" '
        $0 == b { print; print "```"; while ((getline l < f) > 0) print l;
                  print "```"; skip = 1; next }
        $0 == e { skip = 0 }
        !skip' "$readme" >"$tmp/readme" && cp "$tmp/readme" "$readme"
    echo "transcripts: $readme updated"
    exit 0
fi
# numbers as N (a float's digits too: 1.5 and 2 are both N), and the
# segment's owner, the user who ran it (root in the README), as OWNER
loose() { sed -E "s/(^| )$1( |\$)/\1OWNER\2/g; s/[0-9]+/N/g; s/N\.N/N/g; s/ +/ /g"; }
awk -v b="$begin" -v e="$end" '$0 == e { on = 0 } on && !/^```/ { print } $0 == b { on = 1 }' \
    "$readme" | loose root >"$tmp/want"
loose "$(id -un)" <"$out" >"$tmp/got"
if ! diff -u "$tmp/want" "$tmp/got" >"$tmp/diff"; then
    echo "transcripts: the tool transcript of $readme differs from what the tool prints now" >&2
    echo "(numbers shown as N; 'make readme-transcripts' rewrites it):" >&2
    cat "$tmp/diff" >&2
    exit 1
fi
echo "transcripts: the tool transcript ($(basename "$readme")) matches a run of today's code"
