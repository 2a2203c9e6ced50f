#!/bin/sh
# The README's picture of seqshm serve's page (docs/serve.png): the demo
# running, seqshm serve on a free port, the page in headless Chromium
# (tests/serve/page.js) after four seconds of the demo's frames.
set -eu
port=${PORT:-18780}
build/rel/demo >/dev/null &
demo=$!
sleep 0.3
build/rel/seqshm serve 'seqshm-demo-*' --max-rate 100 --port "$port" 2>/dev/null &
serve=$!
trap 'kill $serve 2>/dev/null; wait $demo 2>/dev/null' EXIT
sleep 0.5
node tests/serve/page.js "http://127.0.0.1:$port/" docs/serve.png 300 1000
