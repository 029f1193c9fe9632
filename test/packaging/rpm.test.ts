// The RPM: scripts/package-rpm.sh builds it with rpmbuild (test/helpers/built_package.ts shares
// the build with stock_root.test.ts); `rpm -qlp` must list the same
// installed tree as the deb (with RHEL's /usr/lib/systemd/system) and `rpm -qp --scripts` the
// scriptlets (daemon-reload, stop on erase, never an enable/start). Not installed: this is a
// Debian machine. Needs rpmbuild, which the build script installs with apt-get as root; skipped
// when not root and rpmbuild is missing.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtPackage, REPO } from '../helpers/built_package.js';

const has = (bin: string): boolean => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;
const skip = process.getuid?.() !== 0 && !has('rpmbuild') ? 'rpmbuild missing and not root (apt-get install rpm)' : false;

test('rpm: build with rpmbuild, contents and scriptlets', { skip, timeout: 900_000 }, () => {
  const rpm = builtPackage('rpm');
  assert.match(path.basename(rpm), /^lsyncd-ts-\d+\.\d+\.\d+.*\.(x86_64|aarch64|[a-z0-9_]+)\.rpm$/);

  const q = (...args: string[]): string => {
    const r = spawnSync('rpm', [...args, rpm], { encoding: 'utf8' });
    assert.equal(r.status, 0, `rpm ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const files = new Set(q('-qlp').trim().split('\n'));
  for (const f of [
    '/usr/bin/lsyncd-ts',
    '/usr/lib/lsyncd-ts/node',
    '/usr/share/doc/lsyncd-ts/node-LICENSE',
    '/usr/lib/lsyncd-ts/package.json',
    '/usr/lib/lsyncd-ts/bin/lsyncd-ts',
    '/usr/lib/lsyncd-ts/dist/src/cli/main.js',
    '/usr/lib/lsyncd-ts/build/Release/lsyncd_ts_native.node',
    '/usr/lib/lsyncd-ts/node_modules/yargs/package.json',
    '/usr/lib/lsyncd-ts/node_modules/bindings/package.json',
    '/etc/lsyncd-ts/lsyncd-ts.conf.example',
    '/etc/logrotate.d/lsyncd-ts',
    '/var/log/lsyncd-ts',
    '/usr/share/man/man1/lsyncd-ts.1.gz',
  ]) {
    assert.ok(files.has(f), `${f} in the rpm`);
  }
  for (const u of ['lsyncd-ts.service', 'lsyncd-ts@.service']) {
    if (existsSync(path.join(REPO, 'packaging/systemd', u))) assert.ok(files.has(`/usr/lib/systemd/system/${u}`), `${u} in the rpm`);
  }
  assert.ok(![...files].some((f) => f.startsWith('/usr/lib/lsyncd-ts/node_modules/@types/node/')), 'no dev dependencies');

  const config = q('-qpc');
  assert.match(config, /^\/etc\/lsyncd-ts\/lsyncd-ts\.conf\.example$/m, '%config');
  const flags = q('-qp', '--qf', '[%{FILENAMES} %{FILEFLAGS:fflags}\n]');
  assert.match(flags, /^\/etc\/lsyncd-ts\/lsyncd-ts\.conf\.example cn$/m, 'the example is %config(noreplace) (flags c + n)');

  // Only libc/libstdc++/rsync-level requirements (plus rpm's own rpmlib() features and /bin/sh,
  // the scriptlets' interpreter): the package brings its own Node.js.
  const requires = [...new Set(q('-qpR').trim().split('\n').map((l) => l.trim()).filter((l) => !l.startsWith('rpmlib(')))];
  assert.deepEqual(requires.sort(), ['/bin/sh', `glibc >= ${/^GLIBC_MAX=(\S+)$/m.exec(readFileSync(path.join(REPO, 'packaging/runtime.conf'), 'utf8'))![1]}`, 'libstdc++', 'rsync']);

  const scripts = q('-qp', '--scripts');
  assert.match(scripts, /postinstall scriptlet[\s\S]*systemctl daemon-reload/);
  assert.match(scripts, /preuninstall scriptlet[\s\S]*systemctl stop lsyncd-ts\.service/);
  assert.match(scripts, /postuninstall scriptlet[\s\S]*systemctl daemon-reload/);
  // (the hint printed by %post mentions `systemctl enable`; only commands count)
  assert.doesNotMatch(scripts, /^\s*systemctl (enable|start)\b/m, 'never enables or starts the service');
});
