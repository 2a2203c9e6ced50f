#!/bin/sh
# Installs what a make target needs, with the system package manager where
# it can (one apt-get run, without recommends, quietly); otherwise says
# exactly what to install. Quiet when all is present.
#   scripts/deps.sh [test|bench|arm64|windows|python|bridge|serve ...]
# test (the default, what `make test` needs): Criterion (the unit tests),
#   g++ (the C++ wrapper and examples), clang with its sanitizer runtimes
#   (the ThreadSanitizer build, the clang warning check, clang++ for the
#   wrapper, libFuzzer), pkg-config, strace (counts the system calls of
#   writes), valgrind (memcheck over the suite), spin (model checking of the
#   wait and claim protocols), and everything of `python`, `bridge` and
#   `serve`.
# python: the system Python with pytest, NumPy and matplotlib, its headers,
#   venv, setuptools and wheel (pip install ./python), and mypy.
# bridge: the NATS C client and nats-server (seqshm-bridge and its tests),
#   and the system Python with pytest.
# bench: Google Benchmark, the Boost headers, a C++ compiler, gnuplot and
#   python3; arm64: the aarch64 cross compiler and qemu-user; windows:
#   mingw-w64 and wine.
set -u
missing=""
need() { case " $missing " in *" $1 "*) ;; *) missing="$missing $1" ;; esac; }

# the Python tests run on the system's Python (Debian's packages install
# for it), not on whatever python3 PATH finds first
py=/usr/bin/python3
[ -x "$py" ] || py=python3
python_module() { # MODULE PACKAGE
    if command -v "$py" >/dev/null 2>&1; then
        "$py" -c "import $1" >/dev/null 2>&1 || need "$2"
    else
        need python3; need "$2"
    fi
}

deps_python() {
    python_module pytest python3-pytest
    python_module numpy python3-numpy
    python_module matplotlib python3-matplotlib
    # pip install ./python offline into a venv, and the compiled module
    python_module ensurepip python3-venv
    python_module setuptools python3-setuptools
    python_module wheel python3-wheel
    [ -f "$("$py" -c 'import sysconfig; print(sysconfig.get_paths()["include"])' 2>/dev/null)/Python.h" ] ||
        need python3-dev
    command -v mypy >/dev/null 2>&1 || need mypy
}

deps_bridge() {
    printf '#include <nats/nats.h>\nint main(void){return 0;}\n' |
        ${CC:-cc} -x c - -o /dev/null -lnats >/dev/null 2>&1 || need libnats-dev
    command -v nats-server >/dev/null 2>&1 ||
        [ -x /usr/sbin/nats-server ] || need nats-server
    python_module pytest python3-pytest
}

# serve: libwebsockets (seqshm serve) and libzstd (record --mcap --zstd);
#   for their tests Node.js with npm (the Foxglove and MCAP clients, pinned
#   in tests/serve/package-lock.json) and Chromium (the page, headless).
deps_serve() {
    command -v pkg-config >/dev/null 2>&1 || need pkg-config
    pkg-config --exists libwebsockets 2>/dev/null || need libwebsockets-dev
    pkg-config --exists libzstd 2>/dev/null || need libzstd-dev
    command -v node >/dev/null 2>&1 || need nodejs
    command -v npm >/dev/null 2>&1 || need npm
    command -v chromium >/dev/null 2>&1 || need chromium
}

deps_test() {
    printf '#include <criterion/criterion.h>\nTest(a, b) {}\n' |
        ${CC:-cc} -x c - -o /dev/null -lcriterion >/dev/null 2>&1 ||
        need libcriterion-dev
    command -v ${CXX:-c++} >/dev/null 2>&1 || need g++
    # clang alone does not bring the sanitizer runtimes (Debian only
    # recommends them): libclang-rt-dev comes too whenever TSan cannot link
    command -v clang >/dev/null 2>&1 || need clang
    printf 'int main(void) { return 0; }\n' |
        clang -fsanitize=thread -x c - -o /dev/null >/dev/null 2>&1 ||
        need libclang-rt-dev
    command -v pkg-config >/dev/null 2>&1 || need pkg-config
    command -v strace >/dev/null 2>&1 || need strace
    command -v valgrind >/dev/null 2>&1 || need valgrind
    command -v spin >/dev/null 2>&1 || need spin
    deps_bridge
    deps_python
    deps_serve
}

deps_bench() {
    have() { printf '#include <%s>\nint main(){return 0;}\n' "$1" |
        ${CXX:-c++} -x c++ - -o /dev/null $2 >/dev/null 2>&1; }
    command -v ${CXX:-c++} >/dev/null 2>&1 || need g++
    have benchmark/benchmark.h "-lbenchmark -lpthread" || need libbenchmark-dev
    have boost/interprocess/sync/interprocess_mutex.hpp "" || need libboost-dev
    command -v gnuplot >/dev/null 2>&1 || need gnuplot-nox
    command -v python3 >/dev/null 2>&1 || need python3
}

deps_arm64() {
    command -v ${ARM_CC:-aarch64-linux-gnu-gcc} >/dev/null 2>&1 ||
        { need gcc-aarch64-linux-gnu; need libc6-dev-arm64-cross; }
    command -v qemu-aarch64 >/dev/null 2>&1 || need qemu-user
}

deps_windows() {
    command -v ${WIN_CC:-x86_64-w64-mingw32-gcc} >/dev/null 2>&1 ||
        need gcc-mingw-w64-x86-64
    [ -x /usr/lib/wine/wine64 ] || command -v wine64 >/dev/null 2>&1 ||
        command -v wine >/dev/null 2>&1 || need wine64
}

[ $# -gt 0 ] || set -- test
for set in "$@"; do
    case $set in
        test|bench|arm64|windows|python|bridge|serve) "deps_$set" ;;
        *) echo "seqshm: deps.sh: unknown set '$set' (test bench arm64 windows python bridge serve)" >&2
           exit 2 ;;
    esac
done
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
