// Atomicity: a reader of the target never sees a half-written file. A worker thread polls the
// final name in a tight loop (open, fstat, read the first and last MiB) while the direct transport
// copies 50 MB files over it; every observation must be "absent" or one complete version (each
// version is filled with its own byte and has its own size, so a truncated, growing or mixed
// file is detected). A control run writing in place (what lsyncd's `cp -p` does, docs/lsyncd-compat.md#direct-mode-operations) shows the
// poller does catch partial files.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createWriteStream, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { ctx, delay, roots, transport } from './helpers.js';

const MiB = 1024 * 1024;
const VERSIONS = [
  { fill: 1, size: 50 * MiB },
  { fill: 2, size: 50 * MiB + 12345 },
  { fill: 3, size: 50 * MiB + 12345 }, // same size, other content: only the bytes tell them apart
];

const POLLER = `
const { workerData, parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const { file, versions, stop } = workerData;
const flag = new Int32Array(stop);
const head = Buffer.alloc(1024 * 1024);
const tail = Buffer.alloc(1024 * 1024);
const counts = { absent: 0, complete: 0, bad: 0, examples: [] };
const uniform = (buf, n, v) => { for (let i = 0; i < n; i++) if (buf[i] !== v) return false; return true; };
while (Atomics.load(flag, 0) === 0) {
  let fd;
  try { fd = fs.openSync(file, 'r'); } catch (e) { if (e.code === 'ENOENT') { counts.absent++; continue; } throw e; }
  try {
    const size = fs.fstatSync(fd).size;
    const h = fs.readSync(fd, head, 0, head.length, 0);
    const t = fs.readSync(fd, tail, 0, tail.length, Math.max(0, size - tail.length));
    const v = versions.find((x) => x.size === size && uniform(head, h, x.fill) && uniform(tail, t, x.fill));
    if (v && h === Math.min(size, head.length)) counts.complete++;
    else { counts.bad++; if (counts.examples.length < 5) counts.examples.push({ size, h0: head[0], t0: tail[Math.max(0, t - 1)] }); }
  } finally { fs.closeSync(fd); }
}
parentPort.postMessage(counts);
`;

interface Counts {
  absent: number;
  complete: number;
  bad: number;
  examples: unknown[];
}

async function withPoller(file: string, body: () => Promise<void>): Promise<Counts> {
  const stop = new SharedArrayBuffer(4);
  const w = new Worker(POLLER, { eval: true, workerData: { file, versions: VERSIONS, stop } });
  const result = once(w, 'message') as Promise<[Counts]>;
  await new Promise((res) => setTimeout(res, 20));
  try {
    await body();
  } finally {
    Atomics.store(new Int32Array(stop), 0, 1);
  }
  const [counts] = await result;
  await w.terminate();
  return counts;
}

test('a 50 MB copy is never observed partially written on the target (temp name + rename)', async (t) => {
  const r = roots(t);
  mkdirSync(r.src, { recursive: true });
  const tr = transport(r);
  const counts = await withPoller(`${r.dst}/big`, async () => {
    for (const v of VERSIONS) {
      writeFileSync(`${r.src}/big`, Buffer.alloc(v.size, v.fill));
      const rep = await tr.batch([delay(v === VERSIONS[0] ? 'Create' : 'Modify', '/big')], ctx());
      assert.deepEqual(rep.outcome, { kind: 'ok' });
      await new Promise((res) => setTimeout(res, 30));
    }
  });
  t.diagnostic(JSON.stringify(counts));
  assert.equal(counts.bad, 0, JSON.stringify(counts.examples));
  assert.ok(counts.complete > 3, 'the poller saw the file');
  assert.deepEqual(readdirSync(r.dst), ['big'], 'no temp file left');
});

test('control: an in-place writer (like cp) IS caught by the poller', async (t) => {
  const r = roots(t);
  mkdirSync(r.dst, { recursive: true });
  const counts = await withPoller(`${r.dst}/big`, async () => {
    for (const v of VERSIONS) {
      const ws = createWriteStream(`${r.dst}/big`);
      const chunk = Buffer.alloc(MiB, v.fill);
      for (let done = 0; done < v.size; done += MiB) {
        if (!ws.write(done + MiB <= v.size ? chunk : chunk.subarray(0, v.size - done))) await once(ws, 'drain');
      }
      ws.end();
      await once(ws, 'close');
    }
  });
  t.diagnostic(JSON.stringify({ ...counts, examples: undefined }));
  assert.ok(counts.bad > 0, 'partial files observed');
});
