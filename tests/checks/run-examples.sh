#!/bin/sh
# Runs every example in C and in C++ and checks what they print; the
# inter-process example runs as a real writer process and a real reader.
#   tests/checks/run-examples.sh [DIR [RUNNER [LANGS]]]
# DIR holds c/ and cpp/ (default build/examples); RUNNER runs each program
# (e.g. qemu-aarch64 -L /usr/aarch64-linux-gnu); LANGS default "c cpp".
set -u
base=${1:-build/examples}
run=${2:-}
langs=${3:-c cpp}
fail=0
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
expect() { # file, pattern, what
    grep -q "$2" "$1" || { echo "FAIL: $3: no '$2' in its output" >&2; fail=1; }
}
for lang in $langs; do
    dir=$base/$lang
    for ex in basic timeouts partial spans errors circular; do
        if ! $run "$dir/$ex" >"$out/$lang-$ex" 2>&1; then
            echo "FAIL: $lang/$ex exited with an error:" >&2
            cat "$out/$lang-$ex" >&2
            fail=1
        fi
    done
    expect "$out/$lang-basic" "Read message: Hello, World!" "$lang/basic"
    expect "$out/$lang-timeouts" "Read value: 123" "$lang/timeouts"
    expect "$out/$lang-partial" "Read ID: 42" "$lang/partial"
    expect "$out/$lang-partial" "values\[1\]: 2.71" "$lang/partial"
    expect "$out/$lang-spans" "Bytes read: 1024" "$lang/spans"
    expect "$out/$lang-circular" "Popped: 6" "$lang/circular"
    expect "$out/$lang-circular" "Consumed: 6 (version 7)" "$lang/circular"
    expect "$out/$lang-circular" "before this consumer read them: 3" "$lang/circular"

    $run "$dir/ipc_writer" >"$out/$lang-w" 2>&1 &
    writer=$!
    $run "$dir/ipc_reader" >"$out/$lang-r" 2>&1 || { echo "FAIL: $lang/ipc_reader" >&2; fail=1; }
    wait $writer || { echo "FAIL: $lang/ipc_writer" >&2; fail=1; }
    n=$(grep -c "Read message: Message" "$out/$lang-r")
    [ "$n" -eq 5 ] || { echo "FAIL: $lang/ipc_reader read $n of 5 messages" >&2; cat "$out/$lang-r" >&2; fail=1; }
done
# the C and C++ versions of an example say the same
[ "$langs" = "c cpp" ] && for ex in basic timeouts partial spans circular; do
    cmp -s "$out/c-$ex" "$out/cpp-$ex" || {
        echo "FAIL: examples/c/$ex and examples/cpp/$ex differ:" >&2
        diff "$out/c-$ex" "$out/cpp-$ex" >&2; fail=1; }
done
[ $fail -eq 0 ] && echo "examples: every example ($langs${run:+, under $run}) ran as expected"
exit $fail
