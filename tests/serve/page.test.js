// page.test.js - the page in headless Chromium (page.js): it connects,
// subscribes, receives the C writer's messages and plots them; a page
// that shows no data fails.
"use strict";
const test = require("node:test");
const assert = require("node:assert");
const fs = require("node:fs");
const path = require("node:path");
const { execFile } = require("node:child_process");
const { ROOT, uniqueName, serve, writer } = require("./common.js");

test("the page plots live data in headless Chromium", async () => {
  const name = uniqueName("page");
  const w = await writer(name, 3000, 500);
  const srv = await serve(name, "--max-rate", "100");
  const out = path.join(ROOT, "build", "serve", "page.png");
  fs.rmSync(out, { force: true });
  try {
    w.go();
    const r = await new Promise((resolve) => {
      execFile("node", [path.join(__dirname, "page.js"),
                        `http://127.0.0.1:${srv.port}/`, out, "50", "500"],
               (err, stdout, stderr) => resolve({ code: err ? err.code : 0, stdout, stderr }));
    });
    assert.strictEqual(r.code, 0, r.stderr);
    assert.match(r.stdout, /messages received/);
    assert.ok(fs.statSync(out).size > 10000, "a screenshot with something in it");
  } finally {
    await srv.stop();
    await w.close();
  }
});
