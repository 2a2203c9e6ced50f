// bench.js - what seqshm serve costs, on loopback, side by side in one run
// (make bench-serve):
//   - write-to-client latency at 1 kHz, p50 and p99, against the floor: the
//     same WebSocket library sending the same bytes from a plain loop, no
//     seqshm (serve_bench floor); medians of REPEATS runs, interleaved;
//   - seqshm serve's CPU per 1000 messages a second (8 channels at 1 kHz);
//   - how many 1 kHz channels one server carries within one core: more and
//     more channels until fewer than 99 % of the versions arrive or serve
//     takes a whole core.
// The client is this Node.js process (the ws package), the same for both.
//   node bench.js [LABEL]
"use strict";
const { spawn } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");
const readline = require("node:readline");
const WebSocket = require("ws");
const { ROOT, TOOL, freePort, waitFor } = require("./common.js");

const ENDS = path.join(ROOT, "build", "serve", "serve_bench");
const CLK = 100; // sysconf(_SC_CLK_TCK) on Linux
const REPEATS = 3;
const LAT_SECONDS = 4;
const label = process.argv[2];

function cpuSeconds(pid) {
  const f = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(f[11]) + Number(f[12])) / CLK;
}

function start(cmd, args) {
  const p = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
  p.err = "";
  p.stderr.on("data", (d) => (p.err += d));
  p.ready = new Promise((resolve, reject) => {
    readline.createInterface({ input: p.stdout }).on("line", (l) => {
      if (l === "ready") resolve();
    });
    p.on("exit", (c) => reject(new Error(`${cmd} exited ${c}: ${p.err}`)));
  });
  p.ready.catch(() => {});
  return p;
}

async function serveOn(pattern) {
  const port = await freePort();
  const p = spawn(TOOL, ["serve", pattern, "--port", String(port)],
                  { stdio: ["ignore", "ignore", "pipe"] });
  p.err = "";
  p.stderr.on("data", (d) => (p.err += d));
  await waitFor(() => p.err.includes("serving"), 5000, "seqshm serve");
  p.port = port;
  return p;
}

// A client that subscribes to every channel advertised and counts (and,
// when latencies is given, times) the messages.
function listen(port, latencies) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`, ["foxglove.websocket.v1"]);
  const c = { ws, count: 0, channels: 0 };
  let sub = 0;
  ws.on("message", (data, binary) => {
    if (!binary) {
      const m = JSON.parse(data.toString());
      if (m.op === "advertise" && m.channels.length) {
        ws.send(JSON.stringify({ op: "subscribe", subscriptions:
          m.channels.map((ch) => ({ id: ++sub, channelId: ch.id })) }));
        c.channels += m.channels.length;
      }
      return;
    }
    c.count++;
    if (latencies && c.timing) {
      const now = process.hrtime.bigint(); // CLOCK_MONOTONIC, as the stamps
      const m = /"stamp_ns": (\d+)/.exec(data.toString("latin1", 13, 60));
      if (m) latencies.push(Number(now - BigInt(m[1])) / 1000);
    }
  });
  c.opened = new Promise((r, j) => { ws.on("open", r); ws.on("error", j); });
  return c;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pct = (a, q) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length * q)]; };
const median = (a) => pct(a, 0.5);

async function latencyServe(tag) {
  const prefix = `seqshm-bs-${process.pid}-${tag}`;
  const w = start(ENDS, ["writer", prefix, "1", "1000", String(LAT_SECONDS + 2)]);
  await w.ready;
  const srv = await serveOn(prefix + "-*");
  const lat = [];
  const c = listen(srv.port, lat);
  await c.opened;
  await waitFor(() => c.count > 200, 5000, "messages from seqshm serve");
  c.timing = true;
  await sleep(LAT_SECONDS * 1000);
  c.timing = false;
  c.ws.close();
  srv.kill("SIGTERM");
  await new Promise((r) => w.on("exit", r));
  return lat;
}

async function latencyFloor() {
  const port = await freePort();
  const f = start(ENDS, ["floor", String(port), "1000", String(LAT_SECONDS + 2)]);
  await f.ready;
  const lat = [];
  const c = listen(port, lat);
  await c.opened;
  await waitFor(() => c.count > 200, 5000, "messages from the floor");
  c.timing = true;
  await sleep(LAT_SECONDS * 1000);
  c.timing = false;
  c.ws.close();
  f.kill("SIGTERM");
  return lat;
}

// K channels at 1 kHz for SECONDS: [messages received / written, serve's
// share of a core].
async function channels(k, seconds) {
  const prefix = `seqshm-bs-${process.pid}-k${k}`;
  const srv = await serveOn(prefix + "-*");
  const c = listen(srv.port);
  await c.opened;
  const w = start(ENDS, ["writer", prefix, String(k), "1000", String(seconds + 2)]);
  await w.ready;
  await waitFor(() => c.channels === k, 5000, `${k} channels advertised`);
  await sleep(1000); // subscribed, followers on
  const n0 = c.count, c0 = cpuSeconds(srv.pid), t0 = process.hrtime.bigint();
  await sleep(seconds * 1000);
  const n1 = c.count, c1 = cpuSeconds(srv.pid);
  const dt = Number(process.hrtime.bigint() - t0) / 1e9;
  c.ws.close();
  srv.kill("SIGTERM");
  await new Promise((r) => w.on("exit", r));
  return { share: (n1 - n0) / (k * 1000 * dt), cpu: (c1 - c0) / dt };
}

async function main() {
  const runs = { serve: [], floor: [] };
  for (let i = 0; i < REPEATS; i++) { // side by side, interleaved
    const s = await latencyServe("l" + i);
    runs.serve.push([pct(s, 0.5), pct(s, 0.99)]);
    const f = await latencyFloor();
    runs.floor.push([pct(f, 0.5), pct(f, 0.99)]);
  }
  const med = (r, k) => median(r.map((x) => x[k]));
  const [s50, s99] = [med(runs.serve, 0), med(runs.serve, 1)];
  const [f50, f99] = [med(runs.floor, 0), med(runs.floor, 1)];
  const eight = await channels(8, 3);
  let carried = 0, at = null;
  for (const k of [16, 32, 64, 128, 256]) {
    const r = await channels(k, 3);
    if (r.share < 0.99 || r.cpu > 0.95) break;
    carried = k;
    at = r;
  }
  const perChannel = eight.cpu / 8; // of a core, one 1 kHz channel
  const out = [
    `seqshm serve over loopback, the demo's 80-byte frame as JSON, medians of ${REPEATS} runs` +
      (label ? ", " + label : ""),
    `  write to client at 1 kHz        p50 ${s50.toFixed(0)} us  p99 ${s99.toFixed(0)} us  (read-only follower: wakes within 1 ms)`,
    `  libwebsockets floor             p50 ${f50.toFixed(0)} us  p99 ${f99.toFixed(0)} us  (the same bytes from a plain loop, no seqshm)`,
    `  ratio serve / floor             p50 ${(s50 / f50).toFixed(1)}x  p99 ${(s99 / f99).toFixed(1)}x`,
    `  CPU of seqshm serve             ${(eight.cpu * 1000 / 8).toFixed(0)} ms per second per 1000 messages/s (8 channels at 1 kHz, ${(eight.share * 100).toFixed(1)}% delivered)`,
    `  1 kHz channels within one core  ${carried || "fewer than 16"} carried whole` +
      (at ? ` (serve at ${(at.cpu * 100).toFixed(0)}% of a core, ${(at.share * 100).toFixed(1)}% delivered)` : "") +
      `; about ${Math.floor(1 / perChannel)} by its CPU per channel`,
  ];
  console.log(out.join("\n"));
}

main().catch((e) => { console.error("bench.js: " + e.message); process.exit(1); });
