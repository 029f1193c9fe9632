// The daemon starts the status writer and the metrics endpoint from settings and re-applies them
// on HUP without a restart (their content is tested in test/status and test/metrics).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';

import { tempDir } from '../helpers/temp_tree.js';
import { startBin, waitFor, writeConfig } from './daemon_harness.js';

async function get(url: string): Promise<{ status: number; body: string }> {
  const r = await fetch(url);
  return { status: r.status, body: await r.text() };
}

test('statusFile and metrics are served, and a HUP moves them', async (t) => {
  const root = tempDir(t);
  const src = path.join(root, 'src');
  const dst = path.join(root, 'dst');
  mkdirSync(src);
  const conf = path.join(root, 'lsyncd-ts.json');
  const status1 = path.join(root, 'status1');
  const status2 = path.join(root, 'status2');
  const sync = [{ name: 'web', source: src, target: dst }];
  writeConfig(conf, sync, { statusFile: status1, statusInterval: 1, metrics: '127.0.0.1:0' });
  const d = startBin(t, ['run', conf, '--nodaemon']);
  await waitFor(() => /Startup of .* finished/.test(d.output()), 'start-up');
  const port = (): number[] => [...d.output().matchAll(/metrics: serving \/metrics and \/healthz on http:\/\/127\.0\.0\.1:(\d+)\//g)].map((m) => Number(m[1]));
  await waitFor(() => port().length === 1, 'the metrics endpoint');
  const first = port()[0]!;
  await waitFor(() => existsSync(status1), 'the status file');
  const h = await get(`http://127.0.0.1:${first}/healthz`);
  assert.equal(h.status, 200, h.body);
  assert.match((await get(`http://127.0.0.1:${first}/metrics`)).body, /web/);

  writeConfig(conf, sync, { statusFile: status2, statusInterval: 1, metrics: '127.0.0.1:0' });
  d.child.kill('SIGHUP');
  await waitFor(() => /--- reload done ---/.test(d.output()), 'the reload');
  await waitFor(() => existsSync(status2), 'the new status file');
  assert.match(d.output(), /reload: web: unchanged/);
  assert.match(d.output(), /reload: settings\.statusFile changed .*: applied/);
  // metrics unchanged ("127.0.0.1:0" both times): the endpoint stays where it was
  assert.equal(port().length, 1);
  assert.equal((await get(`http://127.0.0.1:${first}/healthz`)).status, 200);
  d.child.kill('SIGTERM');
  assert.equal(await d.exited, 143);
  assert.match(readFileSync(status2, 'utf8'), /web|stopped/);
});
