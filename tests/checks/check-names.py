#!/usr/bin/env python3
"""Comments name files and functions that exist.

Reads the comments of the project's C, C++, Python, shell and Promela files
(and the Makefile) and checks two kinds of names in them: a file name
(`segment.c`, `src/linux/wake.c`, `tests/stress/killer.c`) must be a file of the
tree (a bare name: some file of that name; a path: that path, from the top
or from the commenting file's folder), and a function name written as
`name()` must be defined or called somewhere in the tree's code (comments
left out), or be a C library or system function (`man 3`/`man 2`, as far
as the list below knows them).

    tests/checks/check-names.py        exit 0 when every name resolves
"""
import os
import re
import subprocess
import sys

CODE_EXT = (".c", ".h", ".cc", ".cpp", ".hpp", ".py", ".sh", ".pml")
FILE_REF = re.compile(
    r"(?<![\w/.<-])((?:[\w.-]+/)*[\w-]+\.(?:c|h|cc|cpp|hpp|py|sh|pml|gp))(?![\w])")
FUNC_REF = re.compile(r"(?<![\w.>-])([A-Za-z_]\w*)\(\)")
# in C comments, a snake_case word (two parts or more) is a name of the
# code: a function, a field, a macro's lower-case kin
SNAKE_REF = re.compile(r"(?<![\w.>/$-])([a-z][a-z0-9]*(?:_[a-z0-9]+)+)(?![\w(/.-]|\.[a-z])")
# files a build or an install makes
GENERATED = {"_libpath.py"}
# functions of the C library, POSIX, Windows and the tools, named in
# comments without being called by the tree
KNOWN = set("""
    abort exit _exit fork vfork clone exec execve posix_spawn wait waitpid
    kill raise signal sigaction longjmp setjmp memcpy memset malloc free
    calloc realloc mmap munmap madvise mprotect open close read write dup
    dup2 dup3 fcntl flock ftruncate fstat stat unlink shm_open shm_unlink
    posix_fallocate fchmod futex membarrier sched_yield nanosleep
    clock_gettime pthread_atfork pthread_exit pthread_cancel pthread_create
    pthread_mutex_lock pthread_mutex_timedlock pthread_mutex_consistent
    pthread_mutex_unlock getpid gettid printf fprintf snprintf strerror
    CreateFileMapping CreateFileMappingA OpenFileMapping MapViewOfFile
    CreateEvent OpenEvent SetEvent ResetEvent WaitForSingleObject
    TerminateProcess FlushProcessWriteBuffers CreateMutex ReleaseMutex
    main sizeof offsetof alignof typeof static_assert _Static_assert seq_cst
    op
    time sleep usleep select poll epoll_wait ioctl syscall
    os.register_at_fork multiprocessing register_at_fork
""".split())


def tracked(top):
    out = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"],
                         cwd=top, capture_output=True, text=True, check=True)
    return [f for f in out.stdout.split("\n")
            if f and os.path.isfile(os.path.join(top, f))]


def comments(path, text):
    """The comment text of a file, line by line: (line number, text)."""
    if path.endswith((".py", ".sh")) or os.path.basename(path) == "Makefile":
        for no, line in enumerate(text.split("\n"), 1):
            i = line.find("#")
            if i >= 0 and not line[:i].rstrip().endswith(("'", '"', "$")):
                yield no, line[i + 1:]
        if path.endswith(".py"):  # docstrings
            for m in re.finditer(r'"""(.*?)"""', text, re.S):
                start = text.count("\n", 0, m.start()) + 1
                for k, line in enumerate(m.group(1).split("\n")):
                    yield start + k, line
        return
    for m in re.finditer(r"/\*(.*?)\*/|//([^\n]*)", text, re.S):
        body = m.group(1) if m.group(1) is not None else m.group(2)
        start = text.count("\n", 0, m.start()) + 1
        for k, line in enumerate(body.split("\n")):
            yield start + k, line


def code_only(path, text):
    if path.endswith((".py", ".sh")) or os.path.basename(path) == "Makefile":
        return re.sub(r"#[^\n]*", "", text)
    return re.sub(r"/\*.*?\*/|//[^\n]*", "", text, flags=re.S)


def main():
    top = os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))))
    files = [f for f in tracked(top)
             if f.endswith(CODE_EXT) or os.path.basename(f) == "Makefile"]
    files = [f for f in files if not f.startswith(("tests/fuzz/corpus",))]
    every = set(tracked(top))
    basenames = {os.path.basename(f) for f in every}
    texts = {}
    for f in files:
        try:
            with open(os.path.join(top, f), encoding="utf-8") as fh:
                texts[f] = fh.read()
        except (OSError, UnicodeDecodeError):
            continue
    called = set()
    idents = set()
    for f, t in texts.items():
        code = code_only(f, t)
        called |= set(re.findall(r"\b([A-Za-z_]\w*)\s*\(", code))
        idents |= set(re.findall(r"\b([A-Za-z_]\w*)\b", code))
        if f.endswith(".pml"):
            called |= set(re.findall(r"\b(?:proctype|inline)\s+(\w+)", t))
    errors = []
    for f, t in texts.items():
        here = os.path.dirname(f)
        for no, line in comments(f, t):
            for m in FILE_REF.finditer(line):
                ref = m.group(1)
                if "/" in ref:
                    ok = (ref in every or os.path.normpath(os.path.join(here, ref)) in every
                          or any(e.endswith("/" + ref) for e in every))
                else:
                    ok = ref in basenames or ref in GENERATED
                if not ok:
                    errors.append("%s:%d: names %s, which is not in the tree"
                                  % (f, no, ref))
            if f.endswith((".c", ".h")):
                for m in SNAKE_REF.finditer(line):
                    name = m.group(1)
                    if (name not in idents and "seqshm_" + name not in idents
                            and name not in KNOWN):
                        errors.append("%s:%d: names %s, which is not in the code"
                                      % (f, no, name))
            for m in FUNC_REF.finditer(line):
                name = m.group(1)
                if name not in called and name not in KNOWN:
                    errors.append("%s:%d: names %s(), which nothing defines or calls"
                                  % (f, no, name))
    for e in errors:
        print("names: " + e, file=sys.stderr)
    if errors:
        print("names: %d stale name(s) in comments" % len(errors), file=sys.stderr)
        return 1
    print("names: every file and function the comments name exists (%d files read)"
          % len(texts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
