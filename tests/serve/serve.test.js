// serve.test.js - seqshm serve against @foxglove/ws-protocol's own client:
// channels advertised with their schemas, every field of every message
// equal to what the C writer wrote, in order, all of them; --max-rate
// coalesces and the latest arrives; segments come and go while connected;
// bad clients do not disturb good ones, nor any segment.
"use strict";
const test = require("node:test");
const assert = require("node:assert");
const fs = require("node:fs");
const net = require("node:net");
const { execFileSync } = require("node:child_process");
const { TOOL, uniqueName, expected, waitFor, serve, writer, client } =
  require("./common.js");

function info(name) {
  return JSON.parse(execFileSync(TOOL, ["info", name, "--json"]));
}

test("channels carry the segment's schema as JSON Schema", async () => {
  const name = uniqueName("schema");
  const w = await writer(name, 0, 1);
  const srv = await serve(name);
  const c = client(srv.url);
  try {
    await waitFor(() => c.channels.has(name), 3000, "the channel");
    const ch = c.channels.get(name);
    assert.strictEqual(ch.encoding, "json");
    assert.strictEqual(ch.schemaEncoding, "jsonschema");
    assert.strictEqual(ch.schemaName, name);
    const schema = JSON.parse(ch.schema);
    assert.strictEqual(schema.type, "object");
    assert.deepStrictEqual(Object.keys(schema.properties),
                           Object.keys(expected(1)));
    assert.deepStrictEqual(schema.properties.n, { type: "integer" });
    assert.deepStrictEqual(schema.properties.x, { type: "number" });
    assert.deepStrictEqual(schema.properties.ok, { type: "boolean" });
    assert.deepStrictEqual(schema.properties.tag, { type: "string", maxLength: 8 });
    assert.deepStrictEqual(schema.properties.pos, {
      type: "array", minItems: 3, maxItems: 3, items: { type: "number" } });
    assert.match(c.info.name, /^seqshm /);
  } finally {
    c.close();
    await srv.stop();
    await w.close();
  }
});

test("every version arrives, in order, every field equal", async () => {
  const name = uniqueName("every");
  const w = await writer(name, 500, 500);
  const srv = await serve(name);
  const c = client(srv.url);
  try {
    await waitFor(() => c.channels.has(name), 3000, "the channel");
    const sub = c.subscribe(c.channels.get(name).id);
    await new Promise((r) => setTimeout(r, 300)); // the follower is on
    const t0 = BigInt(Date.now()) * 1000000n;
    w.go();
    await w.done;
    await waitFor(() => c.got(sub).length >= 500, 5000, "500 messages");
    await new Promise((r) => setTimeout(r, 200));
    const got = c.got(sub);
    assert.strictEqual(got.length, 500, "exactly the versions written");
    got.forEach((m, i) => {
      assert.deepStrictEqual(m.value, expected(i + 1), `message ${i + 1}`);
      assert.ok(m.time >= t0 - 1000000000n, "a realtime nanosecond stamp");
      if (i) assert.ok(m.time >= got[i - 1].time, "stamps in order");
    });
    assert.strictEqual(c.statuses.length, 0, JSON.stringify(c.statuses));
  } finally {
    c.close();
    await srv.stop();
    await w.close();
  }
});

test("--max-rate coalesces, and the latest arrives", async () => {
  const name = uniqueName("rate");
  const w = await writer(name, 1000, 1000);
  const srv = await serve(name, "--max-rate", "10");
  const c = client(srv.url);
  try {
    await waitFor(() => c.channels.has(name), 3000, "the channel");
    const sub = c.subscribe(c.channels.get(name).id);
    await new Promise((r) => setTimeout(r, 200));
    w.go();
    await w.done;
    await waitFor(() => c.got(sub).some((m) => m.value.n === 1000), 3000,
                  "the last version");
    const got = c.got(sub);
    // a second of writes at 10 a second: about 10, never hundreds
    assert.ok(got.length >= 5 && got.length <= 16, `${got.length} messages`);
    for (let i = 1; i < got.length; i++)
      assert.ok(got[i].value.n > got[i - 1].value.n, "in order");
    got.forEach((m) => assert.deepStrictEqual(m.value, expected(m.value.n)));
  } finally {
    c.close();
    await srv.stop();
    await w.close();
  }
});

test("segments made and removed while connected come and go", async () => {
  const stem = uniqueName("live");
  const srv = await serve(stem + "-*");
  const c = client(srv.url);
  try {
    await c.opened;
    await new Promise((r) => setTimeout(r, 300));
    assert.strictEqual(c.channels.size, 0);
    const w = await writer(stem + "-a", 3, 100);
    await waitFor(() => c.channels.has(stem + "-a"), 3000, "advertised");
    const sub = c.subscribe(c.channels.get(stem + "-a").id);
    await new Promise((r) => setTimeout(r, 200));
    w.go();
    await waitFor(() => c.got(sub).length === 3, 3000, "its messages");
    await w.close(); // removed
    await waitFor(() => c.gone.includes(stem + "-a"), 3000, "unadvertised");
    // made again: a new channel, with a new id
    const w2 = await writer(stem + "-a", 1, 100);
    await waitFor(() => c.channels.has(stem + "-a"), 3000, "advertised again");
    await w2.close();
  } finally {
    c.close();
    await srv.stop();
  }
});

test("bad clients: garbage, unknown ids, floods, cut sockets", async () => {
  const name = uniqueName("bad");
  const w = await writer(name, 200, 200);
  const srv = await serve(name);
  const good = client(srv.url);
  const bad = client(srv.url);
  try {
    await waitFor(() => good.channels.has(name) && bad.channels.has(name),
                  3000, "the channel");
    const id = good.channels.get(name).id;
    const sub = good.subscribe(id);
    const before = info(name);
    // garbage and wrong requests: each answered with a status
    const raw = bad.ws;
    raw.send("not json at all");
    raw.send('{"op": "subscribe", "subscriptions": [{"id": 1, "channelId": 99999}]}');
    raw.send('{"op": "subscribe", "subscriptions": [{"id": -1, "channelId": 1}]}');
    raw.send('{"op": "unsubscribe", "subscriptionIds": [12345]}');
    raw.send('{"op": "advertise", "channels": []}');
    raw.send('{"no": "op"}');
    raw.send(Buffer.from([1, 0, 0, 0, 0, 42])); // client publishing
    // a flood: one channel under 2000 ids (one subscription per channel)
    for (let i = 0; i < 2000; i++)
      raw.send(JSON.stringify({ op: "subscribe",
                                subscriptions: [{ id: 100 + i, channelId: id }] }));
    await waitFor(() => bad.statuses.length >= 2006, 5000,
                  "a status for each bad request");
    const text = bad.statuses.map((s) => s.message).join("\n");
    assert.match(text, /not a JSON object/);
    assert.match(text, /no channel 99999/);
    assert.match(text, /ids are integers/);
    assert.match(text, /no subscription 12345/);
    assert.match(text, /not supported/);
    assert.match(text, /subscribed already/);
    assert.match(text, /binary messages/);
    // a request too long: that client is closed, no other
    const closed = new Promise((r) => raw.on("close", r));
    raw.send("{" + " ".repeat(70000) + "}");
    await closed;
    // a socket cut in the middle of a frame
    await new Promise((resolve) => {
      const s = net.connect(srv.port, "127.0.0.1", () => {
        s.write("GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n" +
                "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
                "Sec-WebSocket-Version: 13\r\n" +
                "Sec-WebSocket-Protocol: foxglove.websocket.v1\r\n\r\n");
        setTimeout(() => { s.write(Buffer.from([0x81, 0xfe, 0x10])); s.destroy(); resolve(); }, 100);
      });
      s.on("error", resolve);
    });
    // the good client still gets every version
    w.go();
    await w.done;
    await waitFor(() => good.got(sub).some((m) => m.value.n === 200), 5000,
                  "the good client's last message");
    assert.deepStrictEqual(good.got(sub).at(-1).value, expected(200));
    assert.strictEqual(good.statuses.length, 0);
    // and nothing the server did reached the segment: 200 writes, no more
    const after = info(name);
    assert.strictEqual(after.version - before.version, 200);
  } finally {
    good.close();
    try { bad.close(); } catch (e) { /* closed by the server */ }
    await srv.stop();
    await w.close();
  }
});

test("the page is served, and nothing else", async () => {
  const srv = await serve("no-such-segment-*");
  try {
    const page = await fetch(`http://127.0.0.1:${srv.port}/`);
    assert.strictEqual(page.status, 200);
    assert.match(page.headers.get("content-type"), /text\/html/);
    const html = await page.text();
    assert.match(html, /foxglove\.websocket\.v1/);
    assert.doesNotMatch(html, /https?:\/\/(?!json-schema)/, "nothing from elsewhere");
    const other = await fetch(`http://127.0.0.1:${srv.port}/etc/passwd`);
    assert.strictEqual(other.status, 404);
  } finally {
    await srv.stop();
  }
});

test("serve binds to loopback unless told", async () => {
  const srv = await serve("none-*");
  try {
    const lines = fs.readFileSync("/proc/net/tcp", "utf8").split("\n");
    const hex = srv.port.toString(16).toUpperCase().padStart(4, "0");
    const mine = lines.filter((l) => l.includes(":" + hex + " ") && / 0A /.test(l));
    assert.ok(mine.length >= 1, "listening");
    mine.forEach((l) => assert.match(l.trim().split(/\s+/)[1], /^0100007F:/));
  } finally {
    await srv.stop();
  }
});
