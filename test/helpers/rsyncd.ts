// A real rsync daemon on 127.0.0.1 for the tests (rsync:// targets): `rsync --daemon
// --no-detach` with a generated config exporting one writable module, `mirror`, whose path is a
// temp dir. Started on a free port, ready once it answers with its `@RSYNCD:` greeting; killed
// and its temp dir removed when the test ends.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';

import { freePort } from './free_port.js';

export interface Rsyncd {
  readonly port: number;
  /** The module's directory (what rsync://127.0.0.1:PORT/mirror/ writes into). */
  readonly dir: string;
  /** `rsync://127.0.0.1:PORT/mirror` */
  readonly url: string;
}

function greets(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    const done = (ok: boolean): void => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(2000, () => done(false));
    sock.once('data', (c: Buffer) => done(c.toString('latin1').startsWith('@RSYNCD:')));
    sock.once('error', () => done(false));
  });
}

export async function startRsyncd(t: TestContext): Promise<Rsyncd> {
  const base = mkdtempSync(path.join(os.tmpdir(), 'lsyncd-ts-rsyncd-'));
  const dir = path.join(base, 'module');
  const conf = path.join(base, 'rsyncd.conf');
  mkdirSync(dir);
  writeFileSync(
    conf,
    [
      `pid file = ${path.join(base, 'rsyncd.pid')}`,
      'use chroot = false',
      // As root the daemon would switch to nobody for the module; keep root's identity so the
      // test's archive transfer may set owners. Not root: it runs as the test user anyway.
      ...(process.getuid?.() === 0 ? ['uid = 0', 'gid = 0'] : []),
      '[mirror]',
      `  path = ${dir}`,
      '  read only = false',
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const child = spawn('rsync', ['--daemon', '--no-detach', `--config=${conf}`, '--address=127.0.0.1', `--port=${port}`, `--log-file=${path.join(base, 'rsyncd.log')}`], {
    stdio: 'ignore',
  });
  let exited = false;
  child.once('exit', () => (exited = true));
  t.after(async () => {
    if (!exited) {
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await gone;
    }
    rmSync(base, { recursive: true, force: true });
  });
  for (const t0 = Date.now(); !(await greets(port)); ) {
    if (exited) throw new Error('rsync --daemon exited at start (is rsync installed?)');
    if (Date.now() - t0 > 30_000) throw new Error('timed out after 30000 ms waiting for the rsync daemon to listen');
    await new Promise((r) => setTimeout(r, 20));
  }
  return { port, dir, url: `rsync://127.0.0.1:${port}/mirror` };
}
