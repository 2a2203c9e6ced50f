#!/bin/sh
# Installs what `make test` needs, with the system package manager where it
# can; otherwise says exactly what to install. Quiet when all is present.
#   Criterion (the unit tests), g++ (the C++ wrapper and examples), clang
#   with its sanitizer runtimes (the ThreadSanitizer build, the clang warning
#   check, clang++ for the wrapper, libFuzzer), pkg-config, strace (counts
#   the system calls of writes), valgrind (memcheck over the suite), spin
#   (model checking of the wait and claim protocols), the NATS C client and
#   nats-server (seqshm-bridge and its tests), and for the Python package's
#   tests the system Python with pytest, NumPy and matplotlib.
# `deps.sh bench` checks what `make bench` needs instead: Google Benchmark,
# the Boost headers, a C++ compiler, gnuplot and python3; `deps.sh arm64`
# what `make test-arm64` needs: the aarch64 cross compiler and qemu-user;
# `deps.sh windows` what `make test-windows` needs: mingw-w64 and wine.
set -u
missing=""
if [ "${1:-}" = windows ]; then
    command -v ${WIN_CC:-x86_64-w64-mingw32-gcc} >/dev/null 2>&1 ||
        missing="$missing gcc-mingw-w64-x86-64"
    [ -x /usr/lib/wine/wine64 ] || command -v wine64 >/dev/null 2>&1 ||
        command -v wine >/dev/null 2>&1 || missing="$missing wine64"
elif [ "${1:-}" = arm64 ]; then
    command -v ${ARM_CC:-aarch64-linux-gnu-gcc} >/dev/null 2>&1 ||
        missing="$missing gcc-aarch64-linux-gnu libc6-dev-arm64-cross"
    command -v qemu-aarch64 >/dev/null 2>&1 || missing="$missing qemu-user"
elif [ "${1:-}" = bench ]; then
    have() { printf '#include <%s>\nint main(){return 0;}\n' "$1" |
        ${CXX:-c++} -x c++ - -o /dev/null $2 >/dev/null 2>&1; }
    command -v ${CXX:-c++} >/dev/null 2>&1 || missing="$missing g++"
    have benchmark/benchmark.h "-lbenchmark -lpthread" || missing="$missing libbenchmark-dev"
    have boost/interprocess/sync/interprocess_mutex.hpp "" || missing="$missing libboost-dev"
    command -v gnuplot >/dev/null 2>&1 || missing="$missing gnuplot-nox"
    command -v python3 >/dev/null 2>&1 || missing="$missing python3"
else
    have_criterion() {
        printf '#include <criterion/criterion.h>\nTest(a, b) {}\n' |
            ${CC:-cc} -x c - -o /dev/null -lcriterion >/dev/null 2>&1
    }
    have_tsan() {
        printf 'int main(void) { return 0; }\n' |
            clang -fsanitize=thread -x c - -o /dev/null >/dev/null 2>&1
    }
    have_criterion || missing="$missing libcriterion-dev"
    command -v ${CXX:-c++} >/dev/null 2>&1 || missing="$missing g++"
    command -v clang >/dev/null 2>&1 || missing="$missing clang"
    command -v clang >/dev/null 2>&1 && ! have_tsan && missing="$missing libclang-rt-dev"
    command -v pkg-config >/dev/null 2>&1 || missing="$missing pkg-config"
    command -v strace >/dev/null 2>&1 || missing="$missing strace"
    command -v valgrind >/dev/null 2>&1 || missing="$missing valgrind"
    command -v spin >/dev/null 2>&1 || missing="$missing spin"
    printf '#include <nats/nats.h>\nint main(void){return 0;}\n' |
        ${CC:-cc} -x c - -o /dev/null -lnats >/dev/null 2>&1 ||
        missing="$missing libnats-dev"
    command -v nats-server >/dev/null 2>&1 ||
        [ -x /usr/sbin/nats-server ] || missing="$missing nats-server"
    # the Python package's tests run on the system's Python (Debian's
    # packages install for it), not on whatever python3 PATH finds first
    py=/usr/bin/python3
    [ -x "$py" ] || py=python3
    if command -v "$py" >/dev/null 2>&1; then
        "$py" -c 'import pytest' >/dev/null 2>&1 || missing="$missing python3-pytest"
        "$py" -c 'import numpy' >/dev/null 2>&1 || missing="$missing python3-numpy"
        "$py" -c 'import matplotlib' >/dev/null 2>&1 || missing="$missing python3-matplotlib"
    else
        missing="$missing python3 python3-pytest python3-numpy python3-matplotlib"
    fi
fi
[ -z "$missing" ] && exit 0

if command -v apt-get >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
        sudo=""
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        sudo="sudo"
    else
        echo "seqshm: missing build dependencies:$missing" >&2
        echo "seqshm: run as root:  apt-get update && apt-get install -y --no-install-recommends$missing" >&2
        exit 1
    fi
    echo "seqshm: installing$missing (apt-get, without recommends; log: /tmp/seqshm-deps.log)"
    export DEBIAN_FRONTEND=noninteractive
    # shellcheck disable=SC2086
    if ! { $sudo apt-get update -qq &&
           $sudo apt-get install -y -qq --no-install-recommends $missing; } \
           >/tmp/seqshm-deps.log 2>&1; then
        echo "seqshm: the install failed; its last lines:" >&2
        tail -n 15 /tmp/seqshm-deps.log >&2
        exit 1
    fi
    exit 0
fi
echo "seqshm: missing build dependencies:$missing" >&2
echo "seqshm: install these with your package manager:$missing" >&2
echo "  (Criterion: https://github.com/Snaipe/Criterion; clang with" >&2
echo "   its ThreadSanitizer runtime; pkg-config; spin)" >&2
exit 1
