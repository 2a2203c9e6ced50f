#!/bin/sh
# Every relative link of README.md and docs/*.md ([text](path) and
# ![alt](path)) names a file of the tree.
set -u
bad=0 n=0
for page in README.md docs/*.md; do
    dir=$(dirname "$page")
    for target in $(sed 's/`[^`]*`//g' "$page" | grep -o '\]([^)#]*' | sed 's/^](//' | grep -v '^[a-z]*:'); do
        n=$((n + 1))
        [ -e "$dir/$target" ] || { echo "doc-links: $page links to $target, which is not there" >&2; bad=$((bad + 1)); }
    done
done
[ $bad = 0 ] && echo "doc-links: the $n links of README.md and docs/ resolve"
[ $bad = 0 ]
