#!/bin/sh
# The README's transcript of the seqshm tool, from a real run of today's
# code. `check` runs it and compares it with the README (numbers, which
# change from run to run, and runs of spaces compared loosely); `update`
# writes the fresh run into the README between its transcript markers.
#   scripts/transcripts.sh check|update
set -u
mode=${1:-check}
top=$(pwd)
# As root, run in a private /dev/shm so the fixed name cannot collide.
if [ "${SEQSHM_TRANSCRIPT_INNER:-}" != 1 ] && [ "$(id -u)" = 0 ] &&
    unshare -m true 2>/dev/null; then
    exec env SEQSHM_TRANSCRIPT_INNER=1 unshare -m sh -c \
        'mount --make-rprivate / && mount -t tmpfs none /dev/shm && exec sh "$0" "$1"' \
        "$0" "$mode"
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; "$top/build/rel/seqshm" rm robot-pose >/dev/null 2>&1' EXIT
mkdir "$tmp/bin"
ln -s "$top/build/rel/seqshm" "$tmp/bin/seqshm"
PATH="$tmp/bin:$PATH"
export PATH
out="$tmp/transcript"
run() { # the command as shown, then what it printed
    printf '$ %s\n' "$1" >>"$out"
    sh -c "$1" >>"$out" 2>&1
}
run 'seqshm create robot-pose 32 --persist --mode 644'
run 'python3 -c "import struct,sys; sys.stdout.buffer.write(struct.pack(\"4d\", 1.5, -2.25, 0.5, 42))" | seqshm write robot-pose'
run 'seqshm ls'
run 'seqshm dump robot-pose --format f64'
run 'seqshm dump robot-pose'
"$top/build/fault/peer" spin robot-pose 7 1500 &
sleep 0.2
run 'seqshm watch robot-pose --count 3 --interval 200'
wait
run 'seqshm info robot-pose'
run 'seqshm info no-such-thing; echo "exit $?"'
run 'seqshm rm robot-pose'

readme="$top/README.md"
begin='<!-- transcript: tool (scripts/transcripts.sh) -->'
end='<!-- end of transcript -->'
grep -qF "$begin" "$readme" && grep -qF "$end" "$readme" ||
    { echo "transcripts: README.md has no transcript markers" >&2; exit 1; }
if [ "$mode" = update ]; then
    awk -v b="$begin" -v e="$end" -v f="$out" '
        $0 == b { print; print "```"; while ((getline l < f) > 0) print l;
                  print "```"; skip = 1; next }
        $0 == e { skip = 0 }
        !skip' "$readme" >"$tmp/readme" && cp "$tmp/readme" "$readme"
    echo "transcripts: README.md updated"
    exit 0
fi
loose() { sed -E 's/[0-9]+/N/g; s/ +/ /g'; }
awk -v b="$begin" -v e="$end" '$0 == e { on = 0 } on && !/^```/ { print } $0 == b { on = 1 }' \
    "$readme" | loose >"$tmp/want"
loose <"$out" >"$tmp/got"
if ! diff -u "$tmp/want" "$tmp/got" >"$tmp/diff"; then
    echo "transcripts: the README's tool transcript differs from what the tool prints now" >&2
    echo "(numbers shown as N; 'make readme-transcripts' rewrites it):" >&2
    cat "$tmp/diff" >&2
    exit 1
fi
echo "transcripts: the README's tool transcript matches a run of today's code"
