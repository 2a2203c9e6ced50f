#!/bin/sh
# Installs the test packages pinned in DIR/package-lock.json (npm ci).
# npm trusts only the CAs it was built with: the system's bundle is given
# too, where there is one (it carries a site's own CA, as for a proxy that
# inspects TLS). Where the registry's certificate is still not trusted
# (such a proxy, and this machine lacks its CA), the install is tried once
# more without TLS verification, saying so: every package is still checked
# against the sha512 the lockfile pins, so a package that is not the one
# pinned is refused either way.
#   scripts/npm-ci.sh DIR
set -u
cd "$1" || exit 1
ca=""
[ -f /etc/ssl/certs/ca-certificates.crt ] && ca="--cafile=/etc/ssl/certs/ca-certificates.crt"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# shellcheck disable=SC2086
if npm ci --no-audit --no-fund --loglevel=error $ca >"$log" 2>&1; then
    exit 0
fi
if grep -qiE 'SELF_SIGNED_CERT|UNABLE_TO_GET_ISSUER|CERT_UNTRUSTED|certificate' "$log"; then
    echo "seqshm: npm: the registry's TLS certificate is not trusted on this machine" \
         "(a TLS-inspecting proxy?); installing without TLS verification, each" \
         "package checked against package-lock.json's sha512" >&2
    npm ci --no-audit --no-fund --loglevel=error --strict-ssl=false && exit 0
fi
cat "$log" >&2
exit 1
