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

import { startDatagramReceiver } from '../helpers/datagram_receiver.js';
import { tempDir } from '../helpers/temp_tree.js';
import { waitFor } from '../helpers/wait_for.js';

const createLogUrl = new URL('../../src/log/create_log.js', import.meta.url).href;

function skipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root for a private mount namespace (unshare -m)';
  if (spawnSync('python3', ['-c', 'pass']).status !== 0) return 'python3 is not available for the datagram receiver';
  const probe = spawnSync('unshare', ['-m', 'true']);
  if (probe.error || probe.status !== 0) return `unshare -m does not work here: ${probe.error?.message ?? probe.stderr.toString().trim()}`;
  return undefined;
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
  const r = await startDatagramReceiver(t, sock);
  const child = spawn(
    'unshare',
    ['-m', 'sh', '-c', NAMESPACE_SETUP, 'sh', sock, dir, process.execPath, '--input-type=module', '-e', CHILD, createLogUrl],
    { stdio: ['ignore', 'inherit', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  assert.equal(code, 0, `child failed: ${stderr}`);
  await waitFor(() => r.messages().length >= 4, 'four syslog datagrams', 10_000);
  const got = r.messages();
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

