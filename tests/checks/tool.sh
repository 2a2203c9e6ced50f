#!/bin/sh
# Tests of the seqshm command-line tool against live segments, of its
# errors and exit codes, and of `make install` used from another build
# through pkg-config.
#   tests/checks/tool.sh [TOOL] [PEER]
set -u
T=${1:-build/rel/seqshm}
PEER=${2:-build/fault/peer}
P="seqshm-t-${SEQSHM_TEST_RUN:-manual}-$$"
tmp=$(mktemp -d)
pass=0
failed=0
cleanup() {
    for n in a b c d e f g h; do "$T" rm --force "$P-$n" >/dev/null 2>&1; done
    rm -f "/dev/shm/$P-foreign"
    rm -rf "$tmp"
}
trap cleanup EXIT

ok() { pass=$((pass + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*" >&2; }
# expect STATUS DESCRIPTION -- COMMAND...: exit status as told
expect() {
    want=$1; what=$2; shift 3
    "$@" >"$tmp/out" 2>"$tmp/err"; got=$?
    if [ "$got" -eq "$want" ]; then ok; else
        bad "$what: exit $got, wanted $want"; cat "$tmp/err" >&2; fi
}
has() { # FILE PATTERN DESCRIPTION
    if grep -q -- "$2" "$1"; then ok; else bad "$3: no '$2' in:"; cat "$1" >&2; fi
}

# --- create, write, dump, info, ls ------------------------------------------
expect 0 "create --persist" -- "$T" create "$P-a" 64 --persist --mode 640
[ "$(stat -c %a "/dev/shm/$P-a")" = 640 ] && ok || bad "mode 640"
head -c 64 /dev/urandom > "$tmp/payload"
expect 0 "write" -- sh -c "'$T' write '$P-a' < '$tmp/payload'"
expect 0 "dump raw" -- "$T" dump "$P-a" --format raw
cmp -s "$tmp/out" "$tmp/payload" && ok || bad "dump raw gives back what was written"
expect 0 "dump hex" -- "$T" dump "$P-a"
[ "$(wc -l < "$tmp/out")" -eq 4 ] && ok || bad "hex dump of 64 bytes is 4 lines"
printf '\001\000\000\000\002\000\000\000' > "$tmp/two"
head -c 56 /dev/zero >> "$tmp/two"
expect 0 "write ints" -- sh -c "'$T' write '$P-a' < '$tmp/two'"
expect 0 "dump i32" -- "$T" dump "$P-a" --format i32
has "$tmp/out" "^\[1\] 2$" "dump i32"
[ "$(wc -l < "$tmp/out")" -eq 16 ] && ok || bad "16 i32 elements"
for f in u8 u64 f32 f64; do expect 0 "dump $f" -- "$T" dump "$P-a" --format $f; done
expect 0 "dump --json" -- "$T" dump "$P-a" --json --format u8
python3 -m json.tool "$tmp/out" >/dev/null && ok || bad "dump --json is JSON"
has "$tmp/out" '"version": 2' "dump --json version"
expect 0 "info" -- "$T" info "$P-a"
has "$tmp/out" "payload size    64 bytes" "info size"
has "$tmp/out" "version         2" "info version"
has "$tmp/out" "state           consistent" "info state"
expect 0 "info --json" -- "$T" info "$P-a" --json
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['size']==64 and d['version']==2 and d['mode']=='0640' and d['layout']=='single', d" "$tmp/out" && ok || bad "info --json fields"
expect 0 "create --double-buffer" -- "$T" create "$P-b" 1000 --double-buffer --persist
expect 0 "create --mutex" -- "$T" create "$P-c" 8 --mutex --persist
expect 0 "ls" -- "$T" ls
has "$tmp/out" "^$P-a .* 64 single .* 2 00640" "ls row of a"
has "$tmp/out" "^$P-b .* 1000 double" "ls row of b"
has "$tmp/out" "^$P-c .* 8 mutex" "ls row of c"
printf 'not a segment at all, but long enough to pass the size check.%0500d' 0 > "/dev/shm/$P-foreign"
expect 0 "ls with a foreign file" -- "$T" ls --json
python3 -c "
import json,sys
rows={r['name']: r for r in json.load(open(sys.argv[1]))}
assert sys.argv[2]+'-a' in rows and sys.argv[2]+'-foreign' not in rows, rows
assert rows[sys.argv[2]+'-b']['layout']=='double'" "$tmp/out" "$P" && ok || bad "ls --json lists ours and skips the foreign file"

# --- watch on a segment another process writes -----------------------------
"$PEER" spin "$P-a" 7 1500 & spinner=$!
expect 0 "watch" -- "$T" watch "$P-a" --count 4 --interval 100
wait $spinner
[ "$(wc -l < "$tmp/out")" -eq 4 ] && ok || bad "watch --count 4 prints 4 lines"
has "$tmp/out" "0707 0707" "watch shows the payload's first bytes"
awk '{ for (i = 1; i <= NF; i++) if ($i == "writes/s") r = $(i + 1) } r > 100 { n++ } END { exit n >= 2 ? 0 : 1 }' "$tmp/out" && ok || bad "watch sees writes per second"

# --- a sole writer: info names it; other writers are refused -----------------
"$PEER" spin "$P-a" 9 800 sole & spinner=$!
sleep 0.3
expect 0 "info with a sole writer" -- "$T" info "$P-a"
has "$tmp/out" "^sole writer     pid $spinner (in its PID namespace), alive" "info names the sole writer"
expect 0 "info --json with a sole writer" -- "$T" info "$P-a" --json
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['sole_writer_pid']==int(sys.argv[2]) and d['sole_writer_alive'] is True, d" "$tmp/out" "$spinner" && ok || bad "info --json sole writer fields"
expect 1 "write beside a sole writer" -- sh -c "'$T' write '$P-a' < '$tmp/payload'"
has "$tmp/err" "another live handle is the sole writer (SEQSHM_EBUSY)" "the tool says why"
wait $spinner && ok || bad "the sole writer's peer"
expect 0 "info after the sole writer closed" -- "$T" info "$P-a"
has "$tmp/out" "^sole writer     none" "the role was given back"
"$PEER" spin "$P-a" 9 5000 sole & spinner=$!
sleep 0.3
kill -9 $spinner; wait $spinner 2>/dev/null
expect 0 "info after the sole writer was killed" -- "$T" info "$P-a"
has "$tmp/out" "^sole writer     pid $spinner (in its PID namespace), dead" "a dead sole writer is reported dead"
expect 0 "write after the sole writer died" -- sh -c "'$T' write '$P-a' < '$tmp/payload'"
expect 0 "info after the takeover" -- "$T" info "$P-a"
has "$tmp/out" "^sole writer     none" "the next writer ended the dead writer's role"

# --- schemas: fields by name ------------------------------------------------
expect 0 "create --schema without a size" -- "$T" create "$P-h" --schema 'x:f64 y:f64 theta:f64 stamp:u64 cov:f32[9] ok:bool label:char[8]' --persist
python3 -c "import struct,sys; sys.stdout.buffer.write(struct.pack('<3dQ9f?8s3x', 1.5, -2.25, 0.5, 42, *[i / 4 for i in range(9)], True, b'robot'))" > "$tmp/pose"
expect 0 "write a schema'd payload" -- sh -c "'$T' write '$P-h' < '$tmp/pose'"
expect 0 "dump by field" -- "$T" dump "$P-h"
[ "$(cat "$tmp/out")" = "x=1.5
y=-2.25
theta=0.5
stamp=42
cov=[0 0.25 0.5 0.75 1 1.25 1.5 1.75 2]
ok=true
label=\"robot\"" ] && ok || { bad "dump by field"; cat "$tmp/out" >&2; }
expect 0 "dump --json by field" -- "$T" dump "$P-h" --json
python3 -c "
import json,sys
d=json.load(open(sys.argv[1]))
v=d['data']
assert d['format']=='fields' and d['size']==80, d
assert v['x']==1.5 and v['y']==-2.25 and v['stamp']==42 and v['ok'] is True and v['label']=='robot', v
assert v['cov'][1]==0.25 and len(v['cov'])==9, v" "$tmp/out" && ok || bad "dump --json fields"
expect 0 "dump --format hex still" -- "$T" dump "$P-h" --format hex
has "$tmp/out" "^00000000: 0000 0000 0000 f83f" "hex on request"
expect 0 "info shows the schema" -- "$T" info "$P-h"
has "$tmp/out" "^schema          x:f64 y:f64 theta:f64 stamp:u64 cov:f32\[9\] ok:bool label:char\[8\]" "info schema line"
has "$tmp/out" "^      32     36  cov: f32\[9\]" "info field offsets"
has "$tmp/out" "^      69      8  label: char\[8\]" "info char field"
expect 0 "info --json fields" -- "$T" info "$P-h" --json
python3 -c "
import json,sys
d=json.load(open(sys.argv[1]))
f={x['name']: x for x in d['fields']}
assert d['schema'].startswith('x:f64 ') and f['cov']['offset']==32 and f['cov']['count']==9 and f['ok']['offset']==68, d" "$tmp/out" && ok || bad "info --json fields"
expect 0 "watch by field" -- "$T" watch "$P-h" --count 1 --interval 10
has "$tmp/out" "x=1.5 y=-2.25 theta=0.5 stamp=42 cov=\[0 0.25" "watch shows fields"
"$T" tail "$P-h" --count 2 --json >"$tmp/tailj" 2>&1 & tailer=$!
sleep 0.3
expect 0 "write again" -- sh -c "'$T' write '$P-h' < '$tmp/pose'"
expect 0 "and again" -- sh -c "'$T' write '$P-h' < '$tmp/pose'"
wait $tailer && ok || bad "tail --json exits after --count"
python3 -c "
import json,sys
rows=[json.loads(l) for l in open(sys.argv[1])]
assert len(rows)==2 and rows[0]['version']==2 and rows[1]['version']==3 and rows[1]['lost']==0, rows
assert rows[0]['data']['label']=='robot', rows" "$tmp/tailj" && ok || { bad "tail --json lines"; cat "$tmp/tailj" >&2; }
expect 1 "a bad schema" -- "$T" create "$P-g" --schema 'x:f16 y:u8'
has "$tmp/err" "bad schema: field 1: unknown type 'f16'" "the tool says what is wrong"
expect 1 "a size the schema does not have" -- "$T" create "$P-g" 12 --schema 'x:f64'
has "$tmp/err" "the schema describes 8 bytes" "the tool says the schema's size"
expect 1 "--format fields without a schema" -- "$T" dump "$P-a" --format fields
has "$tmp/err" "has no schema" "says there is no schema"
expect 2 "create without size or schema" -- "$T" create "$P-g"
expect 0 "rm the schema'd segment" -- "$T" rm "$P-h"

# --- slots: tail, record, replay -------------------------------------------------
expect 0 "create --slots" -- "$T" create "$P-f" 64 --slots 8 --persist
expect 0 "ls shows the slots" -- "$T" ls
grep -q "^$P-f .* ring  *8 " "$tmp/out" && ok || { bad "ls: ring with 8 slots"; cat "$tmp/out" >&2; }
expect 0 "ls --json" -- "$T" ls --json
grep -q "\"name\": \"$P-f\", \"size\": 64, \"layout\": \"ring\", \"slots\": 8" "$tmp/out" && ok || bad "ls --json has the slots"
"$T" tail "$P-f" --count 50 --format u64 >"$tmp/tail" 2>&1 &
tailer=$!
"$T" record "$P-f" "$tmp/rec" --count 50 2>"$tmp/recerr" &
recorder=$!
sleep 0.3
"$PEER" spin "$P-f" 7 300 >/dev/null 2>&1
wait $tailer && ok || bad "tail exits 0 after --count"
wait $recorder && ok || bad "record exits 0 after --count"
[ "$(wc -l < "$tmp/tail")" -eq 50 ] && ok || bad "tail printed 50 versions"
head -1 "$tmp/tail" | grep -q "^version [0-9]* .*506381209866536711" && ok || { bad "tail line"; head -2 "$tmp/tail" >&2; }
has "$tmp/recerr" "recorded 50 versions" "record says what it recorded"
[ "$(stat -c %s "$tmp/rec")" -eq $((32 + 50 * (24 + 64))) ] && ok || bad "recording size"
expect 0 "replay" -- "$T" replay "$tmp/rec" "$P-g" --speed 0
has "$tmp/err" "replayed 50 versions" "replay says what it wrote"
expect 0 "the replayed segment" -- "$T" info "$P-g"
has "$tmp/out" "version         50 " "every recorded version written back"
has "$tmp/out" "slots           8 x" "the recorded slots"
expect 2 "bad --slots" -- "$T" create "$P-e" 8 --slots 3
expect 1 "replay of a file that is no recording" -- "$T" replay /etc/hostname "$P-e"
# crafted recordings: header only (a 1 GiB payload claimed), a layout byte
# out of range, and a clock that steps back (a wait of centuries before)
rec() { # FILE SIZE SLOTS LAYOUT TIMES...
    python3 - "$@" <<'PY'
import struct, sys
path, size, slots, layout = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
with open(path, "wb") as f:
    f.write(b"SQSHREC1" + struct.pack("<QQII", size, 0, slots, layout))
    for v, t in enumerate(sys.argv[5:], 1):
        f.write(struct.pack("<QQQ", v, int(t), 0) + bytes([v % 256]) * size)
PY
}
rec "$tmp/empty" 1073741824 1 0
expect 1 "replay of a recording with no version" -- "$T" replay "$tmp/empty" "$P-h"
has "$tmp/err" "holds no version; nothing created" "says why"
[ ! -e "/dev/shm/$P-h" ] && ok || bad "a header-only recording left a segment"
rec "$tmp/badlayout" 8 1 255 1000
expect 1 "replay of a recording with layout 0xff" -- "$T" replay "$tmp/badlayout" "$P-h"
[ ! -e "/dev/shm/$P-h" ] && ok || bad "a bad layout left a segment"
rec "$tmp/backwards" 8 1 0 5000000000 1000000000 1010000000
for speed in 2 0.5; do
    expect 0 "replay at --speed $speed of a recording whose clock stepped back" -- \
        timeout 5 "$T" replay "$tmp/backwards" "$P-h" --speed $speed
    has "$tmp/err" "replayed 3 versions" "all three, at once"
done
"$T" rm "$P-h" >/dev/null 2>&1

# --- create without --persist holds the segment until interrupted ----------
"$T" create "$P-d" 16 2>/dev/null & holder=$!
i=0; while [ ! -e "/dev/shm/$P-d" ] && [ $i -lt 100 ]; do sleep 0.02; i=$((i + 1)); done
[ -e "/dev/shm/$P-d" ] && ok || bad "create holds the segment"
kill -TERM $holder; wait $holder; st=$?
[ $st -eq 0 ] && ok || bad "create exits 0 on SIGTERM"
[ ! -e "/dev/shm/$P-d" ] && ok || bad "create removes the segment when interrupted"

# --- errors and exit codes ---------------------------------------------------
for c in info dump watch write rm; do
    expect 1 "$c of a missing segment" -- "$T" $c "$P-zz"
    has "$tmp/err" "SEQSHM_ENOENT" "$c names the status"
done
expect 1 "info of a foreign file" -- "$T" info "$P-foreign"
has "$tmp/err" "SEQSHM_EBADSEG" "foreign file named as such"
expect 1 "rm of a foreign file" -- "$T" rm "$P-foreign"
[ -e "/dev/shm/$P-foreign" ] && ok || bad "rm leaves a foreign file alone"
expect 0 "rm --force" -- "$T" rm "$P-foreign" --force
expect 1 "write of the wrong size" -- sh -c "echo abc | '$T' write '$P-a'"
has "$tmp/err" "has 4 bytes, the payload 64" "wrong size message"
expect 1 "write of too much" -- sh -c "head -c 100 /dev/zero | '$T' write '$P-a'"
expect 1 "create existing" -- "$T" create "$P-a" 64 --persist
has "$tmp/err" "SEQSHM_EEXIST" "create existing names the status"
expect 1 "create with a bad name" -- "$T" create "bad/name" 64 --persist
has "$tmp/err" "invalid name 'bad/name': a name is 1 to 200 characters of A-Z a-z 0-9 . _ -" "the bad name is explained"
expect 1 "info of a name that would leave /dev/shm" -- "$T" info ../etc
has "$tmp/err" "invalid name '../etc'" "the bad name is named"
expect 1 "create of size 0" -- "$T" create "$P-e" 0
has "$tmp/err" "the size must be 1 to 1073741824 bytes (1 GiB), not 0" "the size rule is said"
expect 1 "create of more than 1 GiB" -- "$T" create "$P-e" 1073741825
has "$tmp/err" "the size must be 1 to 1073741824 bytes" "the size rule is said"
expect 2 "no command" -- "$T"
expect 2 "unknown command" -- "$T" frobnicate
expect 2 "unknown option" -- "$T" ls --frob
expect 2 "missing NAME" -- "$T" info
expect 2 "extra argument" -- "$T" info a b
expect 2 "bad format" -- "$T" dump "$P-a" --format hex16
expect 2 "bad SIZE" -- "$T" create "$P-e" 12x --persist
expect 2 "bad mode" -- "$T" create "$P-e" 12 --mode 999 --persist
expect 2 "two layouts" -- "$T" create "$P-e" 12 --mutex --double-buffer
expect 2 "bad count" -- "$T" watch "$P-a" --count 0
expect 2 "--json where it means nothing" -- "$T" watch "$P-a" --json
for c in ls info dump watch create write rm; do
    expect 0 "$c --help" -- "$T" $c --help
    has "$tmp/out" "usage: seqshm $c" "$c --help"
done
expect 0 "--help" -- "$T" --help
expect 0 "--version" -- "$T" --version
grep -qx "seqshm $(sed -n 's/^#define SEQSHM_VERSION "\(.*\)"/\1/p' include/seqshm.h)" "$tmp/out" &&
    ok || bad "--version prints the header's SEQSHM_VERSION: $(cat "$tmp/out")"
expect 0 "rm" -- "$T" rm "$P-a"
[ ! -e "/dev/shm/$P-a" ] && ok || bad "rm removes"

# --- install, and build another program against it with pkg-config ---------
expect 0 "make install (DESTDIR)" -- make -s install DESTDIR="$tmp/stage" PREFIX=/usr
for f in lib/libseqshm.a lib/libseqshm.so lib/libseqshm.so.2 lib/pkgconfig/seqshm.pc \
         include/seqshm.h include/seqshm/inline.h include/seqshm.hpp bin/seqshm \
         share/man/man1/seqshm.1; do
    [ -e "$tmp/stage/usr/$f" ] && ok || bad "installed $f"
done
if [ -x build/rel/seqshm-bridge ]; then
    [ -x "$tmp/stage/usr/bin/seqshm-bridge" ] && ok || bad "installed bin/seqshm-bridge"
    [ -f "$tmp/stage/usr/share/man/man1/seqshm-bridge.1" ] && ok || bad "installed the bridge's man page"
fi
grep -qx 'License: MIT' "$tmp/stage/usr/lib/pkgconfig/seqshm.pc" && ok || bad "seqshm.pc names the license"
# the Python package, where Debian's Python looks for /usr, pointing at the
# library it was installed with (or carrying its compiled module)
pkg="$tmp/stage/usr/lib/python3/dist-packages/seqshm"
[ -e "$pkg/__init__.py" ] && [ -e "$pkg/segment.py" ] && ok || bad "installed the Python package"
grep -qx 'LIBRARY = "/usr/lib/libseqshm.so.2"' "$pkg/_libpath.py" && ok || bad "the package names the installed library"
expect 0 "make uninstall (DESTDIR)" -- make -s uninstall DESTDIR="$tmp/stage" PREFIX=/usr
[ -z "$(find "$tmp/stage" -type f -o -type l)" ] && ok || bad "uninstall removes every file"
expect 0 "make install (PREFIX)" -- make -s install PREFIX="$tmp/usr"
pyv=$(/usr/bin/python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')
expect 0 "the installed Python package finds the installed library" -- \
    env PYTHONPATH="$tmp/usr/lib/python$pyv/site-packages" /usr/bin/python3 -c \
    "import os, seqshm, sys; p = seqshm.library_path; assert p == sys.argv[1] or os.path.dirname(p) == os.path.dirname(seqshm.__file__), p; seqshm.parse_schema('x:f64')" \
    "$tmp/usr/lib/libseqshm.so.2"
cat > "$tmp/app.c" <<'APP'
#include <seqshm.h>
#include <stdlib.h>
#include <stdio.h>
#include <unistd.h>
int main(void)
{
    char name[64];
    snprintf(name, sizeof name, "seqshm-t-%s-%d-app", getenv("SEQSHM_TEST_RUN") ? getenv("SEQSHM_TEST_RUN") : "manual", (int)getpid());
    seqshm *s;
    long v = 7, r = 0;
    if (seqshm_open(&s, name, sizeof v, SEQSHM_CREATE) != SEQSHM_OK ||
        seqshm_write(s, &v, 0) != SEQSHM_OK || seqshm_read(s, &r, 0) != SEQSHM_OK)
        return 1;
    seqshm_close(s);
    printf("app read %ld\n", r);
    return r == 7 ? 0 : 1;
}
APP
export PKG_CONFIG_PATH="$tmp/usr/lib/pkgconfig"
flags=$(pkg-config --cflags --libs seqshm) && ok || bad "pkg-config knows seqshm"
expect 0 "compile against the install" -- sh -c "cc -std=c11 '$tmp/app.c' $flags -o '$tmp/app'"
# a prefix outside the loader's path: seqshm.pc carries an rpath, so the
# program runs as built, with no LD_LIBRARY_PATH
expect 0 "run against the installed shared library" -- env -u LD_LIBRARY_PATH "$tmp/app"
has "$tmp/out" "app read 7" "the installed library works"
env -u LD_LIBRARY_PATH ldd "$tmp/app" | grep -q "libseqshm.so.2 => $tmp/usr/lib" && ok || bad "linked by soname to the installed library"
# make with no C++ compiler: everything C builds, installs and runs
mkdir -p "$tmp/conly" && cp -r Makefile seqshm.pc.in include src tools examples scripts python "$tmp/conly/"
expect 0 "make all without a C++ compiler" -- make -s -C "$tmp/conly" all CXX=no-such-c++
has "$tmp/out" "no C++ compiler" "the skipped C++ parts are said once"
expect 0 "make install without a C++ compiler" -- make -s -C "$tmp/conly" install CXX=no-such-c++ DESTDIR="$tmp/conly-stage"
[ -x "$tmp/conly-stage/usr/local/bin/seqshm" ] && [ -f "$tmp/conly-stage/usr/local/lib/libseqshm.so.2" ] && ok || bad "the C library and tool installed"
expect 0 "make demo without a C++ compiler" -- make -s -C "$tmp/conly" demo CXX=no-such-c++
has "$tmp/out" "seqshm demo" "the demo ran"
if command -v man >/dev/null 2>&1; then
    expect 0 "the installed man page renders" -- man -l "$tmp/usr/share/man/man1/seqshm.1"
    has "$tmp/out" "seqshm - list, inspect" "man page NAME line"
else
    echo "SKIP tool: the man page is not rendered: no man command (apt-get install man-db)"
fi

# --- make bench writes a user's results under build/, not over the committed ones
for t in bench bench-python bench-bridge bench-serve; do
    make -n $t 2>/dev/null | grep -qE '(^|[ =])bench/results' &&
        bad "make $t writes into bench/results" || ok
done

# --- the leftover check looks at its own run only ------------------------------
touch "/dev/shm/seqshm-t-other$$-1-x"
SEQSHM_TEST_RUN="mine$$" sh tests/checks/shm-clean-check.sh >/dev/null 2>&1 && ok ||
    bad "another run's segment failed this run's leftover check"
touch "/dev/shm/seqshm-t-mine$$-1-x"
SEQSHM_TEST_RUN="mine$$" sh tests/checks/shm-clean-check.sh >/dev/null 2>&1 && bad "a leftover of this run went unseen" || ok
rm -f "/dev/shm/seqshm-t-other$$-1-x" "/dev/shm/seqshm-t-mine$$-1-x"

echo "tool: $pass passed, $failed failed"
[ "$failed" -eq 0 ]
