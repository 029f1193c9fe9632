// The Debian package end to end: `npm run package:deb`'s script builds the .deb (shared with the
// other packaging tests: test/helpers/built_package.ts), dpkg installs it on this machine, and
// the INSTALLED files are exercised — /usr/bin/lsyncd-ts -version on the bundled runtime (a
// `node` on PATH is never used), check-config on the shipped example, a real sync through the
// installed binary (its own node, node_modules and addon under /usr/lib/lsyncd-ts, nothing
// from the checkout), TERM → 143.
// Then `dpkg -r` must keep configs and logs, and `dpkg --purge` must leave nothing behind.
// Needs root (dpkg); skipped otherwise, and skipped when lsyncd-ts is already installed here (a
// person's installation is never purged by a test). The package is always purged in t.after.
// The sync is a -direct one (local copies done in-process by the installed daemon; its init
// transfer is an rsync run).
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtPackage, REPO } from '../helpers/built_package.js';
import { waitFor } from '../helpers/wait_for.js';

const isRoot = process.getuid?.() === 0;
const EXAMPLE = '/etc/lsyncd-ts/lsyncd-ts.conf.example';
const UNITS = ['/lib/systemd/system/lsyncd-ts.service', '/lib/systemd/system/lsyncd-ts@.service'];
const LEFTOVERS = ['/usr/lib/lsyncd-ts', '/etc/lsyncd-ts', '/var/log/lsyncd-ts', '/usr/bin/lsyncd-ts', '/etc/logrotate.d/lsyncd-ts', '/usr/share/man/man1/lsyncd-ts.1.gz', '/usr/share/doc/lsyncd-ts', ...UNITS];

function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; timeout?: number } = {}): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { encoding: 'utf8', timeout: opts.timeout ?? 120_000, env: opts.env ?? process.env });
}
const show = (r: SpawnSyncReturns<string>): string => `exit ${r.status}${r.signal ? ` (${r.signal})` : ''}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;

/** dpkg fails at once when another dpkg/apt holds its lock (shared machine): retry for a while. */
async function dpkg(args: string[]): Promise<SpawnSyncReturns<string>> {
  for (let i = 0; ; i++) {
    const r = run('dpkg', args);
    if (r.status === 0 || !/lock/i.test(r.stderr) || i >= 60) return r;
    await new Promise((res) => setTimeout(res, 1000));
  }
}
const installed = (): boolean => /^install ok installed|^deinstall ok config-files/.test(run('dpkg-query', ['-W', '-f=${Status}', 'lsyncd-ts']).stdout);

const skip = !isRoot
  ? 'needs root (dpkg -i)'
  : installed()
    ? 'lsyncd-ts is already installed on this machine; not touching it'
    : false;

test('deb: build, install with dpkg, run the installed binary, remove, purge', { skip, timeout: 900_000 }, async (t) => {
  let purgeNeeded = false;
  t.after(async () => {
    if (purgeNeeded || installed()) await dpkg(['--purge', 'lsyncd-ts']);
  });

  // Build (the test run has compiled the TypeScript already).
  const deb = builtPackage('deb');
  assert.match(path.basename(deb), /^lsyncd-ts_\d+\.\d+\.\d+[^_]*_[a-z0-9]+\.deb$/);
  assert.ok(existsSync(deb), deb);

  const control = run('dpkg-deb', ['-f', deb]).stdout;
  assert.match(control, /^Depends: libc6 \(>= \d+\.\d+\), libstdc\+\+6 \(>= \d+\), rsync$/m, 'only libc, libstdc++ and rsync: the package brings its own Node.js');
  assert.match(control, /^Recommends: .*openssh-client/m);
  assert.deepEqual(run('dpkg-deb', ['--ctrl-tarfile', deb]).status, 0);
  const conffiles = run('sh', ['-c', `dpkg-deb --info "${deb}" conffiles`]).stdout;
  assert.match(conffiles, /^\/etc\/lsyncd-ts\/lsyncd-ts\.conf\.example$/m, 'the example config is a conffile');

  purgeNeeded = true;
  const inst = await dpkg(['-i', deb]);
  assert.equal(inst.status, 0, `dpkg -i failed\n${show(inst)}`);
  assert.ok(installed(), 'dpkg says installed');
  for (const f of ['/usr/bin/lsyncd-ts', '/usr/lib/lsyncd-ts/build/Release/lsyncd_ts_native.node', EXAMPLE, '/etc/logrotate.d/lsyncd-ts', '/var/log/lsyncd-ts', '/usr/share/man/man1/lsyncd-ts.1.gz']) {
    assert.ok(existsSync(f), `${f} installed`);
  }
  for (const u of UNITS) {
    if (existsSync(path.join(REPO, 'packaging/systemd', path.basename(u)))) assert.ok(existsSync(u), `${u} installed`);
  }
  assert.ok(!existsSync('/usr/lib/lsyncd-ts/node_modules/@types/node'), 'no dev dependencies shipped');
  for (const buildOnly of ['node-gyp', 'node-addon-api']) assert.ok(!existsSync(`/usr/lib/lsyncd-ts/node_modules/${buildOnly}`), `${buildOnly} (build only) not shipped`);
  const runtimeVersion = /^NODE_VERSION=(\S+)$/m.exec(readFileSync(path.join(REPO, 'packaging/runtime.conf'), 'utf8'))![1];
  const nodeV = run('/usr/lib/lsyncd-ts/node', ['--version']);
  assert.equal(nodeV.stdout.trim(), `v${runtimeVersion}`, `the bundled runtime is the pinned one\n${show(nodeV)}`);
  assert.match(readFileSync('/usr/share/doc/lsyncd-ts/node-LICENSE', 'utf8'), /Node\.js is licensed for use as follows/, "Node.js's LICENSE ships");
  assert.match(readFileSync('/usr/share/doc/lsyncd-ts/node-version', 'utf8'), new RegExp(`^Node\\.js ${runtimeVersion.replace(/\./g, '\\.')} `));
  assert.ok(!existsSync('/etc/lsyncd-ts/lsyncd-ts.conf'), 'no active config: the service must not be startable by the package alone');
  const man = run('sh', ['-c', 'zcat /usr/share/man/man1/lsyncd-ts.1.gz | head -n 5']).stdout;
  assert.match(man, /^\.TH LSYNCD\\-TS 1 /m);

  const version = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')).version as string;
  // A `node` first on PATH that fails: the installed program must not run on it.
  const fakeBin = mkdtempSync(path.join(tmpdir(), 'lsyncd-ts-fakenode-'));
  t.after(() => rmSync(fakeBin, { recursive: true, force: true }));
  writeFileSync(path.join(fakeBin, 'node'), '#!/bin/sh\necho "system node used" >&2\nexit 99\n');
  chmodSync(path.join(fakeBin, 'node'), 0o755);
  const v = run('/usr/bin/lsyncd-ts', ['-version'], { env: { ...process.env, PATH: `${fakeBin}:${process.env.PATH}` } });
  assert.equal(v.status, 0, show(v));
  assert.equal(v.stdout.trim(), `Version: ${version}`);

  const cc = run('/usr/bin/lsyncd-ts', ['check-config', EXAMPLE]);
  assert.equal(cc.status, 0, `the shipped example must be valid\n${show(cc)}`);
  assert.match(cc.stdout, /configuration is valid/);

  // A real sync through the installed binary, from a directory the checkout has nothing to do with.
  const dir = mkdtempSync(path.join(tmpdir(), 'lsyncd-ts-deb-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const src = path.join(dir, 'src');
  const tgt = path.join(dir, 'tgt');
  mkdirSync(src);
  mkdirSync(tgt);
  writeFileSync(path.join(src, 'before.txt'), 'present at start-up\n');
  const child = spawn('/usr/bin/lsyncd-ts', ['-nodaemon', '-delay', '0', '-direct', src, tgt], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  try {
    await waitFor(() => existsSync(path.join(tgt, 'before.txt')), 'the init transfer to copy before.txt', 30_000);
    writeFileSync(path.join(src, 'after.txt'), 'written while watching\n');
    await waitFor(() => existsSync(path.join(tgt, 'after.txt')) && readFileSync(path.join(tgt, 'after.txt'), 'utf8') === 'written while watching\n', 'after.txt on the target', 30_000);
  } catch (e) {
    throw new Error(`${(e as Error).message}\ndaemon output:\n${output}`);
  }
  child.kill('SIGTERM');
  assert.equal(await exited, 143, `TERM → 143\n${output}`);

  // remove: configs and logs stay, the program goes.
  writeFileSync('/var/log/lsyncd-ts/lsyncd-ts.log', 'a log line\n');
  const rm = await dpkg(['-r', 'lsyncd-ts']);
  assert.equal(rm.status, 0, show(rm));
  assert.ok(!existsSync('/usr/lib/lsyncd-ts') && !existsSync('/usr/bin/lsyncd-ts'), 'program removed');
  assert.ok(existsSync(EXAMPLE), 'dpkg -r keeps the conffile');
  assert.ok(existsSync('/var/log/lsyncd-ts/lsyncd-ts.log'), 'dpkg -r keeps the logs');

  // purge: nothing left.
  const purge = await dpkg(['--purge', 'lsyncd-ts']);
  assert.equal(purge.status, 0, show(purge));
  purgeNeeded = false;
  assert.ok(!installed(), 'dpkg forgot the package');
  const left = LEFTOVERS.filter((p) => existsSync(p));
  assert.deepEqual(left, [], 'purge leaves nothing behind');
});
