// page.js - opens seqshm serve's page in headless Chromium (Debian's
// chromium, driven over its DevTools protocol with the ws package), waits
// until the page has received at least MIN messages, waits WAIT ms more
// for the plot, and saves a screenshot. Exits 1 if the page got no data.
//   node page.js URL OUT.png [MIN] [WAIT]
"use strict";
const { spawn } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const WebSocket = require("ws");

const [url, out, min = "20", wait = "1500"] = process.argv.slice(2);
const CHROMIUM = process.env.CHROMIUM || "chromium";

function fail(msg) {
  console.error("page.js: " + msg);
  process.exitCode = 1;
}

async function main() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "seqshm-chromium-"));
  const browser = spawn(CHROMIUM, [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-extensions", "--remote-debugging-port=0",
    "--user-data-dir=" + profile, "about:blank"], { stdio: ["ignore", "ignore", "pipe"] });
  try {
    let text = "";
    const endpoint = await new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error("chromium did not start: " + text)), 20000);
      browser.stderr.on("data", (d) => {
        text += d;
        const m = /DevTools listening on (ws:\/\/\S+)/.exec(text);
        if (m) { clearTimeout(t); resolve(m[1]); }
      });
      browser.on("exit", () => reject(new Error("chromium exited: " + text)));
    });
    const port = new URL(endpoint).port;
    const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
    const page = targets.find((t) => t.type === "page");
    const ws = new WebSocket(page.webSocketDebuggerUrl);
    await new Promise((r, j) => { ws.on("open", r); ws.on("error", j); });
    let id = 0;
    const pending = new Map();
    ws.on("message", (m) => {
      const msg = JSON.parse(m);
      if (msg.id && pending.has(msg.id)) {
        pending.get(msg.id)(msg);
        pending.delete(msg.id);
      }
    });
    const call = (method, params = {}) => new Promise((resolve) => {
      pending.set(++id, resolve);
      ws.send(JSON.stringify({ id, method, params }));
    });
    await call("Emulation.setDeviceMetricsOverride",
               { width: 1100, height: 560, deviceScaleFactor: 1, mobile: false });
    await call("Page.enable");
    await call("Page.navigate", { url });
    let got = 0;
    const end = Date.now() + 15000;
    while (Date.now() < end && got < +min) {
      await new Promise((r) => setTimeout(r, 100));
      const r = await call("Runtime.evaluate",
                           { expression: "+(document.body && document.body.dataset.messages || 0)",
                             returnByValue: true });
      got = r.result && r.result.result ? r.result.result.value : 0;
    }
    if (got < +min) {
      fail(`the page received ${got} messages within 15 s (wanted ${min})`);
    } else {
      await new Promise((r) => setTimeout(r, +wait));
      const shot = await call("Page.captureScreenshot", { format: "png" });
      fs.writeFileSync(out, Buffer.from(shot.result.data, "base64"));
      console.log(`page.js: ${got}+ messages received; screenshot ${out}`);
    }
    ws.close();
  } finally {
    browser.kill("SIGKILL");
    await new Promise((r) => (browser.exitCode !== null ? r() : browser.on("exit", r)));
    // Chromium's helpers may still be writing into the profile as they go
    try {
      fs.rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    } catch (e) {
      console.error("page.js: " + profile + " left behind: " + e.message);
    }
  }
}
main().catch((e) => fail(e.message));
