// The addon works inside worker_threads, and a worker terminated with a watcher still open
// stops the reader thread cleanly (env cleanup hook) without crashing the process.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

import { tempDir } from '../helpers/temp_tree.js';

const watcherModule = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/watcher/index.js');

function startWorker(root: string, closeItself: boolean): Worker {
  const code = `
    const { parentPort } = require('node:worker_threads');
    import(${JSON.stringify(watcherModule)}).then(async ({ Watcher }) => {
      const w = new Watcher({ settleMs: 5 }, (b) => {
        for (const r of b) parentPort.postMessage(r.kind + ' ' + r.path);
        if (${closeItself}) { w.close(); parentPort.postMessage('closed'); }
      });
      await w.add(${JSON.stringify(root)});
      parentPort.postMessage('ready');
    });
  `;
  return new Worker(code, { eval: true });
}

function next(worker: Worker, want: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const on = (m: string) => {
      if (m === want) {
        worker.off('message', on);
        resolve();
      }
    };
    worker.on('message', on);
    worker.once('error', reject);
  });
}

test('watching inside a worker, then terminating it with the watcher open', async (t) => {
  const root = tempDir(t);
  const w = startWorker(root, false);
  await next(w, 'ready');
  const seen = next(w, 'Create f');
  writeFileSync(path.join(root, 'f'), 'x');
  await seen;
  const code = await w.terminate();
  assert.equal(code, 1);
});

test('a worker whose watcher closes itself exits on its own', async (t) => {
  const root = tempDir(t);
  const w = startWorker(root, true);
  await next(w, 'ready');
  const closed = next(w, 'closed');
  const exited = new Promise<number>((r) => w.once('exit', r));
  writeFileSync(path.join(root, 'g'), 'x');
  await closed;
  assert.equal(await exited, 0, 'no handle keeps the worker alive after close()');
});
