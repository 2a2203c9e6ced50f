#!/bin/sh
# Runs a command with a /dev/shm of its own where it can (as root, in a new
# mount namespace), so that the fixed names of the docs' examples and
# transcripts cannot meet anyone else's; elsewhere runs it as it is.
#   tests/checks/private-shm.sh COMMAND [ARGS...]
if [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
    exec unshare -m sh -c 'mount --make-rprivate / 2>/dev/null ||
        mount --make-private /dev/shm; mount -t tmpfs none /dev/shm && exec "$@"' \
        sh "$@"
fi
exec "$@"
