#!/bin/sh
# Checks what scripts/deps.sh says and does when something is missing, with
# a stand-in apt-get that records its arguments and prints dpkg-like noise:
# one line about what it installs, no recommends, apt-get update first, the
# noise kept out of the terminal; and, for a user who cannot install, the
# exact commands to run (apt-get update included).
set -u
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
failed=0
ok() { pass=$((pass + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*" >&2; }
mkdir -p "$tmp/bin"
cat > "$tmp/bin/apt-get" <<STUB
#!/bin/sh
echo "\$*" >> "$tmp/calls"
i=0; while [ \$i -lt 200 ]; do echo "Unpacking something (\$i) ..."; i=\$((i + 1)); done
STUB
chmod 755 "$tmp/bin/apt-get"
chmod 755 "$tmp"
# CC=false: Criterion looks missing, nothing else does
if [ "$(id -u)" = 0 ]; then
    PATH="$tmp/bin:$PATH" CC=false sh scripts/deps.sh >"$tmp/out" 2>&1; rc=$?
    [ $rc -eq 0 ] && ok || bad "deps.sh exit $rc"
    [ "$(wc -l < "$tmp/out")" -eq 1 ] && ok || { bad "one line of output, not $(wc -l < "$tmp/out"):"; head -5 "$tmp/out" >&2; }
    grep -q "^seqshm: installing libcriterion-dev" "$tmp/out" && ok || bad "says what it installs"
    head -1 "$tmp/calls" | grep -q "^update" && ok || bad "apt-get update first"
    grep -q -- "install -y -qq --no-install-recommends libcriterion-dev" "$tmp/calls" && ok || bad "installs without recommends: $(cat "$tmp/calls")"
    if command -v setpriv >/dev/null 2>&1; then
        PATH="$tmp/bin:$PATH" CC=false setpriv --reuid=65534 --regid=65534 --clear-groups \
            sh scripts/deps.sh >"$tmp/out" 2>&1; rc=$?
        [ $rc -eq 1 ] && ok || bad "as a user: exit $rc"
        grep -q "run as root:  apt-get update && apt-get install -y --no-install-recommends libcriterion-dev" "$tmp/out" && ok ||
            { bad "as a user, the exact commands:"; cat "$tmp/out" >&2; }
    else
        echo "SKIP deps: no setpriv to run as an ordinary user"
    fi
else
    echo "SKIP deps: the install path needs root"
fi
echo "deps: $pass passed, $failed failed"
[ "$failed" -eq 0 ]
