// common.js - what the serve and MCAP tests share: the tool, the C writer
// (writer.c) and the values it writes, servers on free ports, clients.
"use strict";
const { spawn } = require("node:child_process");
const net = require("node:net");
const path = require("node:path");
const readline = require("node:readline");
const { FoxgloveClient } = require("@foxglove/ws-protocol");
const WebSocket = require("ws");

const ROOT = path.resolve(__dirname, "..", "..");
const TOOL = path.join(ROOT, "build", "rel", "seqshm");
const WRITER = path.join(ROOT, "build", "serve", "writer");
const RUN = process.env.SEQSHM_TEST_RUN || "manual";

// A name unique to this run, under the test suite's stem.
let seq = 0;
function uniqueName(what) {
  return `seqshm-t-${RUN}-${process.pid}-${what}-${++seq}`;
}

// The frame writer.c writes as version n, as JSON decodes it.
function expected(n) {
  const f32 = new Float32Array([n * 0.25])[0];
  return {
    n,
    a: (n % 200) - 100,
    b: n % 256,
    c: -((n * 7) % 30000),
    d: (n * 3) % 65536,
    e: -(n * 1000),
    f: (n * 100000) % 4294967296,
    g: -n * 1000000000,
    h: f32,
    x: n / 3,
    ok: n % 2 === 1,
    tag: "n" + (n % 1000),
    pos: [n, -n, n * 0.5],
  };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

function waitFor(cond, ms, what) {
  const end = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const look = () => {
      const v = cond();
      if (v) return resolve(v);
      if (Date.now() > end) return reject(new Error("timed out waiting for " + what));
      setTimeout(look, 10);
    };
    look();
  });
}

// seqshm serve with args on a free port; resolves once it listens.
async function serve(...args) {
  const port = await freePort();
  const p = spawn(TOOL, ["serve", "--port", String(port), ...args], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  p.stderrText = "";
  p.stderr.on("data", (d) => (p.stderrText += d));
  await waitFor(() => p.stderrText.includes("serving") || p.exitCode !== null,
                5000, "seqshm serve to listen");
  if (p.exitCode !== null) throw new Error("seqshm serve exited: " + p.stderrText);
  p.port = port;
  p.url = `ws://127.0.0.1:${port}`;
  p.stop = () => new Promise((resolve) => {
    if (p.exitCode !== null) return resolve(p.exitCode);
    p.on("exit", (code) => resolve(code));
    p.kill("SIGTERM");
  });
  return p;
}

// The C writer: resolves when its segment exists; w.go() starts the
// writes, w.done resolves when they are all written, w.close() removes it.
async function writer(name, count, rate, slots = 256) {
  const p = spawn(WRITER, [name, String(count), String(rate), String(slots)],
                  { stdio: ["pipe", "pipe", "inherit"] });
  const lines = readline.createInterface({ input: p.stdout });
  let ready, done;
  const isReady = new Promise((r) => (ready = r));
  p.done = new Promise((r) => (done = r));
  lines.on("line", (l) => (l === "ready" ? ready() : l === "done" ? done() : 0));
  p.on("exit", (code) => { ready(); done(); p.code = code; });
  await isReady;
  if (p.code !== undefined) throw new Error("the writer failed");
  p.go = () => p.stdin.write("go\n");
  p.close = () => new Promise((resolve) => {
    if (p.exitCode !== null) return resolve();
    p.on("exit", () => resolve());
    p.stdin.end();
  });
  return p;
}

// A Foxglove client of the server: channels by topic, messages by
// subscription, status messages, all kept as they come.
function client(url) {
  const ws = new WebSocket(url, [FoxgloveClient.SUPPORTED_SUBPROTOCOL]);
  const c = new FoxgloveClient({ ws });
  c.ws = ws;
  c.channels = new Map();
  c.gone = [];
  c.messages = new Map();
  c.statuses = [];
  c.on("serverInfo", (i) => (c.info = i));
  c.on("advertise", (chs) => chs.forEach((ch) => c.channels.set(ch.topic, ch)));
  c.on("unadvertise", (ids) => {
    for (const [topic, ch] of c.channels) if (ids.includes(ch.id)) {
      c.channels.delete(topic);
      c.gone.push(topic);
    }
  });
  c.on("status", (s) => c.statuses.push(s));
  c.on("error", () => {});
  c.on("message", (m) => {
    if (!c.messages.has(m.subscriptionId)) c.messages.set(m.subscriptionId, []);
    c.messages.get(m.subscriptionId).push({
      time: m.timestamp,
      value: JSON.parse(new TextDecoder().decode(m.data)),
    });
  });
  c.opened = new Promise((resolve, reject) => {
    ws.on("open", resolve);
    ws.on("error", reject);
  });
  c.got = (sub) => c.messages.get(sub) || [];
  return c;
}

module.exports = { ROOT, TOOL, uniqueName, expected, freePort, waitFor, serve,
                   writer, client };
