#!/bin/sh
# Installs the Python package for one Python, as `make install` does:
#   scripts/install-python.sh PYTHON PREFIX DESTDIR VERSION LIBRARY [MODULE]
#   scripts/install-python.sh --where PYTHON PREFIX   (the directory only)
# into that Python's own site-packages when PREFIX is its prefix (a venv),
# else where it looks under PREFIX (Debian's dist-packages for /usr and
# /usr/local). The package names LIBRARY (_libpath.py) and carries MODULE,
# the compiled module built for that Python, when there is one. A
# .dist-info directory with its RECORD makes it known to pip, which can
# list and uninstall it.
set -eu
where=
if [ "$1" = --where ]; then where=1; shift; fi
py=$1 prefix=$2
dir=$("$py" - "$prefix" <<'PY'
import os, sys, sysconfig
prefix = os.path.realpath(sys.argv[1])
ver = "%d.%d" % sys.version_info[:2]
debian = os.path.isdir("/usr/lib/python3/dist-packages")
if prefix == "/usr/local" and debian:
    print("/usr/local/lib/python%s/dist-packages" % ver)
elif prefix == "/usr" and debian:
    print("/usr/lib/python3/dist-packages")
elif prefix == os.path.realpath(sys.prefix):
    print(sysconfig.get_path("purelib"))        # a venv, or its own prefix
else:
    print("%s/lib/python%s/site-packages" % (prefix, ver))
PY
)
if [ -n "$where" ]; then echo "$dir"; exit 0; fi
dest=$3 version=$4 library=$5 module=${6:-}
pkg="$dest$dir/seqshm"
info="$dest$dir/seqshm-$version.dist-info"
install -d "$pkg" "$info"
for f in __init__.py _lib.py _why.py errors.py fields.py segment.py py.typed; do
    install -m 644 "python/seqshm/$f" "$pkg/"
done
echo "LIBRARY = \"$library\"" > "$pkg/_libpath.py"
files="__init__.py _lib.py _why.py errors.py fields.py segment.py py.typed _libpath.py"
if [ -n "$module" ] && [ -f "$module" ]; then
    install -m 755 "$module" "$pkg/"
    files="$files $(basename "$module")"
fi
printf 'Metadata-Version: 2.1\nName: seqshm\nVersion: %s\nSummary: Shared memory with a seqlock (the seqshm C library)\nLicense: MIT\n' \
    "$version" > "$info/METADATA"
echo "make install" > "$info/INSTALLER"
{
    for f in $files; do echo "seqshm/$f,,"; done
    for f in METADATA INSTALLER RECORD; do echo "seqshm-$version.dist-info/$f,,"; done
} > "$info/RECORD"
echo "Python package: $pkg (for $py)"
