#!/bin/sh
# The aarch64 code of the read and write fast paths has the barriers the
# protocol needs (seqlock.h says why each is there):
#   read:  the first load of the sequence is an acquire load (ldar or
#          ldapr); after the copy and before the reload of the sequence
#          from the same address, an acquire barrier (dmb ishld, or dmb ish);
#   write: the store of BUSY is a release store (stlr) followed by a release
#          barrier (dmb ish) before any payload store; the publish is a
#          release store (stlr) after the payload.
# Checked in the library's read (read.o), its history reads (history.o),
# the write (write.o), and the inline read a caller compiles from seqshm.h.
# A compiler or code change that drops one of them fails here.
#   tests/checks/arm64-fences.sh BUILD_DIR [CC]   (objects in BUILD_DIR)
set -u
dir=$1
cc=${2:-aarch64-linux-gnu-gcc}
objdump=${cc%gcc}objdump
bad=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# the instructions of function $2 in object $1, one per line
body() {
    "$objdump" -d --no-show-raw-insn "$1" |
        awk -v f="<$2>:" '$2 == f { on = 1; next } on && /^$/ { exit } on' |
        sed 's/^ *[0-9a-f]*:[[:space:]]*//'
}

# read: ldar/ldapr from [xB] ... dmb ishld|ish ... ldr from [xB]
check_read() { # OBJECT FUNCTION
    body "$1" "$2" >"$tmp/f"
    if awk '
        /^(ldar|ldapr)[ \t]/ && !reg { split($0, a, "["); reg = a[2]; next }
        reg && /^dmb[ \t]+ish(ld)?$/ { fence = 1; next }
        reg && fence && /^ldr[ \t]/ && index($0, "[" reg) { ok = 1; exit }
        END { exit ok ? 0 : 1 }' "$tmp/f"; then
        echo "arm64 fences: $2 ($(basename "$1")): acquire load, copy, acquire barrier, reload: ok"
    else
        echo "FAIL: arm64 fences: $2 ($(basename "$1")): no acquire load / acquire barrier / reload sequence" >&2
        bad=1
    fi
}

# write: stlr (BUSY), dmb ish right after, ..., stlr (publish)
check_write() { # OBJECT FUNCTION
    body "$1" "$2" >"$tmp/f"
    if awk '
        /^stlr[ \t]/ && !busy { busy = 1; next }
        busy == 1 { busy = /^dmb[ \t]+ish$/ ? 2 : -1; next }
        busy == 2 && /^stlr[ \t]/ { ok = 1; exit }
        END { exit ok ? 0 : 1 }' "$tmp/f"; then
        echo "arm64 fences: $2 ($(basename "$1")): release store of BUSY, release barrier, payload, release publish: ok"
    else
        echo "FAIL: arm64 fences: $2 ($(basename "$1")): no stlr / dmb ish / ... / stlr sequence" >&2
        bad=1
    fi
}

# a caller of the header's inline read
printf '#include "seqshm.h"\nint inline_read(const seqshm *s, void *d)\n{ return seqshm_read(s, d, 0); }\n' >"$tmp/caller.c"
"$cc" ${ARM64_CPPFLAGS:--Iinclude} -std=c11 -O2 -c "$tmp/caller.c" -o "$tmp/caller.o" || exit 1

check_read "$dir/read.o" seqshm_read_versioned
check_read "$dir/history.o" fetch
check_read "$tmp/caller.o" inline_read
check_write "$dir/write.o" write_held
exit $bad
