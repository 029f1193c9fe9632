// sd_notify through the addon reaches a real AF_UNIX datagram socket (a Python receiver stands in
// for systemd's NOTIFY_SOCKET; Node itself cannot bind one), by path and in the abstract namespace.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import test from 'node:test';

import { sdNotify } from '../../src/system/system_calls.js';
import { tempDir } from '../helpers/temp_tree.js';

function receiver(socketPath: string, count: number): { ready: Promise<void>; messages: Promise<string[]> } {
  const script = `
import socket, sys, json
p = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind('\\0' + p[1:] if p.startswith('@') else p)
print('ready', flush=True)
out = [s.recv(4096).decode() for _ in range(int(sys.argv[2]))]
print(json.dumps(out), flush=True)
`;
  const child = spawn('python3', ['-c', script, socketPath, String(count)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let buf = '';
  let readyResolve!: () => void;
  const ready = new Promise<void>((r) => (readyResolve = r));
  const messages = new Promise<string[]>((resolve) => {
    child.stdout.on('data', (c: Buffer) => {
      buf += c.toString();
      if (buf.startsWith('ready\n')) readyResolve();
      const lines = buf.split('\n');
      if (lines.length >= 3 && lines[1]) resolve(JSON.parse(lines[1]) as string[]);
    });
  });
  return { ready, messages };
}

test('sdNotify sends datagrams to a path socket and an abstract one', async (t) => {
  const dir = tempDir(t);
  for (const sock of [path.join(dir, 'notify.sock'), `@lsyncd-ts-test-${process.pid}`]) {
    const r = receiver(sock, 2);
    await r.ready;
    assert.equal(sdNotify('READY=1\nSTATUS=watching 3 dirs', sock), true);
    assert.equal(sdNotify('WATCHDOG=1', sock), true);
    assert.deepEqual(await r.messages, ['READY=1\nSTATUS=watching 3 dirs', 'WATCHDOG=1']);
  }
});

test('no NOTIFY_SOCKET: nothing sent; a dead socket: a clear error', (t) => {
  assert.equal(sdNotify('READY=1', undefined), false);
  const dir = tempDir(t);
  assert.throws(() => sdNotify('READY=1', path.join(dir, 'nobody-listens')), /sd_notify to .* failed: errno/);
});
