// Real syslog delivery: createLog in daemon mode without a logfile sends through syslog(3) to
// /dev/log. A Python receiver binds an AF_UNIX datagram socket (Node cannot) and a child process
// runs in a private mount namespace (`unshare -m`) where that socket is bind-mounted on /dev/log,
// so the host's syslog is neither needed nor touched. If the machine has no /dev/log, the
// namespace gets a tmpfs /dev holding the few device nodes Node needs (bind-mounted from the real
// /dev) plus the mount point. Needs root (CAP_SYS_ADMIN) and unshare(1): skipped otherwise.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import test from 'node:test';

import { tempDir } from '../helpers/temp_tree.js';

const createLogUrl = new URL('../../src/log/create_log.js', import.meta.url).href;

function skipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root for a private mount namespace (unshare -m)';
  if (spawnSync('python3', ['-c', 'pass']).status !== 0) return 'python3 is not available for the datagram receiver';
  const probe = spawnSync('unshare', ['-m', 'true']);
  if (probe.error || probe.status !== 0) return `unshare -m does not work here: ${probe.error?.message ?? probe.stderr.toString().trim()}`;
  return undefined;
}

function receiver(socketPath: string, count: number): { ready: Promise<void>; messages: Promise<string[]> } {
  const script = `
import socket, sys, json
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(30)
print('ready', flush=True)
out = []
try:
    for _ in range(int(sys.argv[2])):
        out.append(s.recv(65536).decode())
except socket.timeout:
    pass
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
      if (lines.length >= 3) resolve(JSON.parse(lines[1]!) as string[]);
    });
  });
  return { ready, messages };
}

// Runs in the namespace: $1 socket, $2 scratch dir, then the node command line.
const NAMESPACE_SETUP = `
set -e
sock="$1"; scratch="$2"; shift 2
if [ -e /dev/log ] || [ -L /dev/log ]; then
  mount --bind "$sock" /dev/log
else
  mkdir -p "$scratch/olddev"
  mount --rbind /dev "$scratch/olddev"
  mount -t tmpfs -o mode=755 tmpfs /dev
  for n in null zero full random urandom tty; do
    if [ -e "$scratch/olddev/$n" ]; then touch "/dev/$n"; mount --bind "$scratch/olddev/$n" "/dev/$n"; fi
  done
  touch /dev/log
  mount --bind "$sock" /dev/log
fi
exec "$@"
`;

const CHILD = `
const { createLog } = await import(process.argv[1]);
const log = createLog({
  settings: { logfile: undefined, logfacility: 'local5', logident: 'lsyncd-ts-test', nodaemon: false, logFormat: 'text' },
  categories: ['Exec'],
  foreground: false,
});
if (log.destinations.join() !== 'syslog') throw new Error('expected syslog, got ' + log.destinations.join());
log.normal('hello from the daemon');
log.warn('careful');
log.error('broken');
log.debug('Exec', '/usr/bin/rsync -lts');
await log.close();
`;

test('daemon without logfile: lines reach /dev/log through syslog(3) with ident, priority and `Cat, msg`', async (t) => {
  const why = skipReason();
  if (why) {
    t.skip(why);
    return;
  }
  const dir = tempDir(t);
  const sock = path.join(dir, 'log.sock');
  const r = receiver(sock, 4);
  await r.ready;
  const child = spawn(
    'unshare',
    ['-m', 'sh', '-c', NAMESPACE_SETUP, 'sh', sock, dir, process.execPath, '--input-type=module', '-e', CHILD, createLogUrl],
    { stdio: ['ignore', 'inherit', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  assert.equal(code, 0, `child failed: ${stderr}`);
  const got = await r.messages;
  const local5 = 21 << 3;
  const expected: [number, string][] = [
    [local5 | 5, 'Normal, hello from the daemon'],
    [local5 | 4, 'Warn, careful'],
    [local5 | 3, 'Error, broken'],
    [local5 | 7, 'Exec, /usr/bin/rsync -lts'],
  ];
  assert.equal(got.length, expected.length, `received: ${JSON.stringify(got)}`);
  expected.forEach(([pri, text], i) => {
    const m = got[i]!;
    assert.ok(m.startsWith(`<${pri}>`), `priority <${pri}> in ${m}`);
    assert.match(m, /lsyncd-ts-test\[\d+\]: /, `ident with pid in ${m}`);
    assert.ok(m.endsWith(text), `${text} in ${m}`);
  });
});

