#!/bin/sh
# Installs what `make test` needs, with the system package manager where it
# can; otherwise says exactly what to install. Quiet when all is present.
#   Criterion (the unit tests), clang with its sanitizer runtimes (the
#   ThreadSanitizer build and the clang warning check), pkg-config, strace
#   (counts the system calls of writes).
set -u
missing=""
have_criterion() {
    printf '#include <criterion/criterion.h>\nTest(a, b) {}\n' |
        ${CC:-cc} -x c - -o /dev/null -lcriterion >/dev/null 2>&1
}
have_tsan() {
    printf 'int main(void) { return 0; }\n' |
        clang -fsanitize=thread -x c - -o /dev/null >/dev/null 2>&1
}
have_criterion || missing="$missing libcriterion-dev"
command -v clang >/dev/null 2>&1 || missing="$missing clang"
command -v clang >/dev/null 2>&1 && ! have_tsan && missing="$missing libclang-rt-dev"
command -v pkg-config >/dev/null 2>&1 || missing="$missing pkg-config"
command -v strace >/dev/null 2>&1 || missing="$missing strace"
[ -z "$missing" ] && exit 0

echo "seqshm: missing build dependencies:$missing"
if command -v apt-get >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
        sudo=""
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        sudo="sudo"
    else
        echo "seqshm: run as root:  apt-get install -y$missing" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq || exit 1
    # shellcheck disable=SC2086
    $sudo apt-get install -y -qq $missing || exit 1
    exit 0
fi
echo "seqshm: install these with your package manager:$missing" >&2
echo "  (Criterion: https://github.com/Snaipe/Criterion; clang with" >&2
echo "   its ThreadSanitizer runtime; pkg-config)" >&2
exit 1
