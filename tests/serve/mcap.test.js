// mcap.test.js - seqshm record --mcap read back with @mcap/core's indexed
// reader: schemas, channels, every message equal to what the C writers
// wrote, counts, CRCs (a damaged byte is caught), lost versions counted,
// zstd chunks; and seqshm replay of the file makes the segments again.
"use strict";
const test = require("node:test");
const assert = require("node:assert");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { spawn, execFileSync } = require("node:child_process");
const { McapIndexedReader } = require("@mcap/core");
const { crc32 } = require("@foxglove/crc");
const fzstd = require("fzstd");
const { TOOL, uniqueName, expected, waitFor, writer } = require("./common.js");

const decompressHandlers = {
  zstd: (buf, size) => {
    const out = fzstd.decompress(buf);
    assert.strictEqual(BigInt(out.length), size);
    return out;
  },
};

function fileReadable(file) {
  const data = fs.readFileSync(file);
  return {
    data,
    size: async () => BigInt(data.length),
    read: async (offset, size) =>
      new Uint8Array(data.buffer, data.byteOffset + Number(offset), Number(size)),
  };
}

// seqshm record --mcap FILE NAMES... until the writers are done.
async function record(file, names, ...opts) {
  const p = spawn(TOOL, ["record", "--mcap", file, ...names, ...opts],
                  { stdio: ["ignore", "ignore", "pipe"] });
  p.text = "";
  p.stderr.on("data", (d) => (p.text += d));
  await waitFor(() => p.text.includes("recording") || p.exitCode !== null,
                5000, "the recorder");
  assert.strictEqual(p.exitCode, null, p.text);
  p.stop = () => new Promise((resolve) => {
    p.on("exit", (code) => resolve(code));
    p.kill("SIGINT");
  });
  return p;
}

function tmpFile(what) {
  return path.join(os.tmpdir(), `${uniqueName(what)}.mcap`);
}

for (const zstd of [false, true]) {
  test(`record --mcap${zstd ? " --zstd" : ""}: the indexed reader reads it whole`,
       async () => {
    const a = uniqueName("mcap-a"), b = uniqueName("mcap-b");
    const file = tmpFile("rec");
    const wa = await writer(a, 200, 400), wb = await writer(b, 100, 200);
    const rec = await record(file, [a, b], ...(zstd ? ["--zstd"] : []));
    try {
      wa.go();
      wb.go();
      await Promise.all([wa.done, wb.done]);
      await new Promise((r) => setTimeout(r, 200));
      assert.strictEqual(await rec.stop(), 0, rec.text);
      assert.match(rec.text, new RegExp(`recorded 200 versions of ${a} .*\\(0 lost\\)`));
      const readable = fileReadable(file);
      const r = await McapIndexedReader.Initialize({ readable, decompressHandlers });
      assert.match(r.header.library, /^seqshm /);
      // the data section's CRC (the summary's and the chunks' are checked
      // by the reader itself)
      assert.strictEqual(
        crc32(readable.data.subarray(0, Number(r.dataEndOffset))),
        r.dataSectionCrc, "data section CRC");
      assert.ok(r.chunkIndexes.length >= 1);
      r.chunkIndexes.forEach((c) => assert.strictEqual(c.compression, zstd ? "zstd" : ""));
      const topics = [...r.channelsById.values()].map((c) => c.topic).sort();
      assert.deepStrictEqual(topics, [a, b].sort());
      for (const ch of r.channelsById.values()) {
        assert.strictEqual(ch.messageEncoding, "json");
        assert.match(ch.metadata.get("seqshm.schema"), /^n:u64 a:i8/);
        const schema = r.schemasById.get(ch.schemaId);
        assert.strictEqual(schema.encoding, "jsonschema");
        const js = JSON.parse(new TextDecoder().decode(schema.data));
        assert.deepStrictEqual(Object.keys(js.properties), Object.keys(expected(1)));
      }
      assert.strictEqual(r.statistics.messageCount, 300n);
      const got = new Map([[a, []], [b, []]]);
      for await (const m of r.readMessages()) {
        const topic = r.channelsById.get(m.channelId).topic;
        got.get(topic).push(m);
      }
      for (const [topic, n] of [[a, 200], [b, 100]]) {
        const ms = got.get(topic);
        assert.strictEqual(ms.length, n, topic);
        ms.forEach((m, i) => {
          const v = JSON.parse(new TextDecoder().decode(m.data));
          assert.deepStrictEqual(v, expected(i + 1));
          assert.strictEqual(m.sequence, i + 1, "sequence = version");
          assert.strictEqual(m.logTime, m.publishTime);
          if (i) assert.ok(m.logTime >= ms[i - 1].logTime);
        });
      }
      const meta = [];
      for await (const m of r.readMetadata({ name: "seqshm" })) meta.push(m);
      assert.strictEqual(meta.length, 1);
      assert.strictEqual(meta[0].metadata.get(`versions ${a}`), "200");
      assert.strictEqual(meta[0].metadata.get(`lost ${b}`), "0");
      // a damaged byte in a chunk is caught by its CRC
      const bad = Buffer.from(readable.data);
      const at = Number(r.chunkIndexes[0].chunkStartOffset) + 80;
      bad[at] ^= 0x20;
      const damaged = {
        size: async () => BigInt(bad.length),
        read: async (o, s) => new Uint8Array(bad.buffer, bad.byteOffset + Number(o), Number(s)),
      };
      const r2 = await McapIndexedReader.Initialize({ readable: damaged, decompressHandlers });
      await assert.rejects(async () => { for await (const m of r2.readMessages()) void m; },
                           /crc|CRC|decompress|Unknown|invalid|Invalid/);
      // replay makes the segments again, every version
      const out = execFileSync(TOOL, ["replay", file, "--prefix", "r-", "--speed", "0"],
                               { stdio: ["ignore", "pipe", "pipe"] });
      void out;
      for (const [topic, n] of [[a, 200], [b, 100]]) {
        const info = JSON.parse(execFileSync(TOOL, ["info", "r-" + topic, "--json"]));
        assert.strictEqual(info.version, n);
        const last = JSON.parse(execFileSync(TOOL, ["dump", "r-" + topic, "--json"]));
        assert.deepStrictEqual(last.data, expected(n));
      }
    } finally {
      for (const topic of [a, b])
        try { execFileSync(TOOL, ["rm", "r-" + topic], { stdio: "ignore" }); } catch (e) { /* not made */ }
      if (rec.exitCode === null) await rec.stop();
      await wa.close();
      await wb.close();
      fs.rmSync(file, { force: true });
    }
  });
}

test("versions lost while recording are counted and said", async () => {
  const a = uniqueName("mcap-lost");
  const file = tmpFile("lost");
  const w = await writer(a, 200000, 1e9, 1); // one slot, as fast as it goes
  const rec = await record(file, [a]);
  try {
    w.go();
    await w.done;
    await new Promise((r) => setTimeout(r, 200));
    assert.strictEqual(await rec.stop(), 0, rec.text);
    const r = await McapIndexedReader.Initialize({ readable: fileReadable(file) });
    const meta = [];
    for await (const m of r.readMetadata({ name: "seqshm" })) meta.push(m);
    const kept = Number(meta[0].metadata.get(`versions ${a}`));
    const lost = Number(meta[0].metadata.get(`lost ${a}`));
    assert.ok(lost > 0, "the writer lapped the recorder: " + rec.text);
    assert.strictEqual(kept, Number(r.statistics.messageCount));
    let last = 0;
    for await (const m of r.readMessages()) last = m.sequence;
    assert.strictEqual(kept + lost, last, "every version either kept or counted lost");
    assert.match(rec.text, new RegExp(`\\(${lost} lost\\)`));
    assert.match(rec.text, /versions lost in all/);
  } finally {
    if (rec.exitCode === null) await rec.stop();
    await w.close();
    fs.rmSync(file, { force: true });
  }
});

test("record --mcap refuses a segment without a schema, and says why", async () => {
  const name = uniqueName("noschema");
  execFileSync(TOOL, ["create", name, "8", "--persist"]);
  try {
    let err = null;
    try {
      execFileSync(TOOL, ["record", "--mcap", tmpFile("no"), name], { stdio: "pipe" });
    } catch (e) {
      err = e;
    }
    assert.ok(err && err.status === 1);
    assert.match(err.stderr.toString(), /has no schema/);
  } finally {
    execFileSync(TOOL, ["rm", name]);
  }
});
