#!/bin/sh
# Every code block of README.md and docs/*.md is a complete program: each
# ```c, ```cpp and ```python block is compiled (C and C++ against this
# checkout's library, Python byte-compiled) with warnings as errors, and run
# where its fence says so:
#   ```c run                the program runs alone and must exit 0;
#   ```c run-with-previous  it runs beside the block before it (a reader
#                           beside its writer): both must exit 0;
#   ```python run-follow    it follows the segment named by its argument,
#                           which a C process (tests/common/pywriter.c) writes the
#                           demo's frames into meanwhile.
# Each run has 30 s. make runs it in a /dev/shm of its own where it can
# (private-shm.sh), so the fixed names of the examples meet nobody else's.
#   tests/checks/snippets.sh [DOC...]
set -u
top=$(pwd)
[ $# -gt 0 ] || set -- README.md $(ls docs/*.md 2>/dev/null)
out=build/snippets
rm -rf "$out" && mkdir -p "$out"
CC=${CC:-cc}
CXX=${CXX:-c++}
PY=${PYTHON:-$(command -v /usr/bin/python3 || echo python3)}
FRAME='stamp_ns:u64 frame:u64 position:f64[3] attitude:f64[3] counters:u32[4]'
failed=0 built=0 ran=0
bad() { failed=$((failed + 1)); echo "snippets: FAIL $*" >&2; }
pending="" pending_what=""
finish() { # waits for the run in the background, if any
    [ -n "$pending" ] || return 0
    wait "$pending" || bad "$pending_what exited with $?"
    pending=""
}
run_bg() { # WHAT COMMAND...
    pending_what=$1
    shift
    timeout 30 "$@" >"$out/$(basename "$pending_what").out" 2>&1 &
    pending=$!
    ran=$((ran + 1))
}

for doc in "$@"; do
    # split the document into its blocks: build/snippets/<doc>-<n>.<lang>,
    # with the fence's words in <doc>-<n>.how
    awk -v dir="$out" -v base="$(basename "$doc" .md)" '
        /^```(c|cpp|python)( |$)/ && !on {
            n++; on = 1; lang = $1; sub(/^```/, "", lang)
            ext = lang == "python" ? "py" : lang
            f = sprintf("%s/%s-%02d.%s", dir, base, n, ext)
            how = $0; sub(/^```[a-z]+ */, "", how)
            print how > sprintf("%s/%s-%02d.how", dir, base, n)
            next
        }
        /^```/ && on { on = 0; close(f); next }
        on { print > f }' "$doc"
    for src in $(ls "$out"/"$(basename "$doc" .md)"-*.c "$out"/"$(basename "$doc" .md)"-*.cpp \
                    "$out"/"$(basename "$doc" .md)"-*.py 2>/dev/null | sort); do
        stem=${src%.*}
        how=$(cat "$stem.how")
        what="$doc block $(basename "$stem" | sed 's/.*-0*//') ($(basename "$src"))"
        case $src in
            *.c) $CC -std=gnu11 -Wall -Wextra -Wpedantic -Werror -Iinclude "$src" \
                     build/rel/libseqshm.a -o "$stem" -lpthread -lrt 2>"$stem.err" ;;
            *.cpp) $CXX -std=c++20 -Wall -Wextra -Werror -Iinclude "$src" \
                     build/rel/libseqshm.a -o "$stem" -lpthread -lrt 2>"$stem.err" ;;
            *.py) $PY -m py_compile "$src" 2>"$stem.err" ;;
        esac || { bad "$what does not compile:"; cat "$stem.err" >&2; continue; }
        built=$((built + 1))
        case $src in *.py) cmd="env PYTHONPATH=$top/python $PY $src" ;; *) cmd=$stem ;; esac
        case $how in
            run) finish; run_bg "$what" $cmd ;;
            run-with-previous)
                [ -n "$pending" ] || { bad "$what: no block before it runs"; continue; }
                first=$pending first_what=$pending_what
                run_bg "$what" $cmd
                finish
                pending=$first pending_what=$first_what
                finish ;;
            run-follow)
                finish
                seg="seqshm-s-${SEQSHM_TEST_RUN:-manual}-$$-follow"
                build/rel/seqshm create "$seg" --schema "$FRAME" --slots 1024 --persist ||
                    { bad "$what: could not create its segment"; continue; }
                build/rel/pywriter "$seg" 10000 3000 &
                writer=$!
                run_bg "$what" $cmd "$seg"
                finish
                wait $writer || bad "$what: its writer exited with $?"
                build/rel/seqshm rm "$seg" >/dev/null ;;
            "") ;;
            *) bad "$what: unknown fence words '$how'" ;;
        esac
    done
done
finish
left=$(ls /dev/shm 2>/dev/null | grep -E '^robot-pose' || true)
[ -z "$left" ] || bad "the examples left segments behind: $left"
echo "snippets: $built blocks compiled, $ran run, $failed failed"
[ $failed = 0 ]
