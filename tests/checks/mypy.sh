#!/bin/sh
# mypy in strict mode over the Python package and over every Python block
# of the README and the guide (```python ...): the public API's type hints
# are what a typed user program checks against.
set -u
command -v mypy >/dev/null 2>&1 || { echo "mypy: missing (apt-get install mypy)" >&2; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
n=0
for doc in README.md docs/*.md; do
    awk -v dir="$dir" -v doc="$(basename "$doc" .md)" '
        /^```python/ { n++; f = dir "/" doc "_" n ".py"; inside = 1; next }
        /^```/ { inside = 0; next }
        inside { print > f }' "$doc"
done
n=$(ls "$dir" | wc -l)
[ "$n" -gt 0 ] || { echo "mypy: no Python block found in the docs" >&2; exit 1; }
MYPYPATH=python mypy --strict --no-error-summary --cache-dir "$dir/.cache" \
    python/seqshm "$dir"/*.py || { echo "mypy: FAILED" >&2; exit 1; }
echo "mypy: strict, the package and $n Python blocks of the docs: no issue"
