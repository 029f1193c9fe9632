// The packages on a stock system, not on this (developer) machine:
//  - deb: a minimal Debian 12 (debootstrap --variant=minbase, test/helpers/debian_root.ts) that
//    has no Node.js at all gets `apt-get install -y ./lsyncd-ts_*.deb` and nothing else; apt
//    resolves the declared dependencies from the Debian mirror. Then, inside it: -version,
//    check-config on the shipped example, a live -direct sync through /usr/bin/lsyncd-ts, TERM,
//    `apt-get purge` and no file of `dpkg -L lsyncd-ts` left behind.
//  - rpm: `rpm --root` into a root holding only rpm's own database (there is no RHEL userland
//    here: dependencies and scriptlets cannot be exercised, hence --nodeps --noscripts), to
//    check the installed file layout, that the installed tree runs, and that erase removes it.
// The chroot runs inside `unshare --pid --fork --mount`: its /proc and /dev mounts exist only in
// that mount namespace and every process in it dies with it, so t.after's kill of the namespace
// and removal of the copied root leave nothing mounted or running on the host.
// Needs root (skipped otherwise, as the other packaging tests), debootstrap and the Debian mirror.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtPackage, REPO } from '../helpers/built_package.js';
import { freshRoot, runInRoot } from '../helpers/debian_root.js';

const skip = process.getuid?.() !== 0 ? 'needs root (debootstrap, chroot, unshare)' : false;
const version = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')).version as string;

// Inside the stock root. Every wait is a bounded poll (30 s).
const DEB_CHECK = String.raw`set -u
R=/results
mkdir -p $R
fail() { echo "FAIL: $*"; exit 1; }
wait_for() { # wait_for WHAT CONDITION...
  what=$1; shift; i=0
  while ! "$@"; do i=$((i + 1)); [ $i -le 300 ] || fail "timed out after 30 s waiting for $what"; sleep 0.1; done
}
command -v node >$R/system-node || true
dpkg-query -W -f '${'${Package}'}\n' | sort >$R/packages-before
apt-get update -q || fail "apt-get update (is deb.debian.org reachable?)"
apt-get install -y /tmp/DEB || fail "apt-get install ./DEB"
dpkg-query -W -f '${'${Package}'}\n' | sort >$R/packages-after
/usr/bin/lsyncd-ts -version >$R/version 2>&1 || fail "lsyncd-ts -version"
/usr/bin/lsyncd-ts check-config /etc/lsyncd-ts/lsyncd-ts.conf.example >$R/check-config 2>&1 || fail "check-config on the example"
mkdir -p /srv/src /srv/tgt
echo before >/srv/src/before.txt
/usr/bin/lsyncd-ts -nodaemon -delay 0 -direct /srv/src /srv/tgt >$R/daemon.log 2>&1 &
pid=$!
wait_for "the init transfer of before.txt" test -f /srv/tgt/before.txt
echo after >/srv/src/after.txt
wait_for "after.txt on the target" grep -qx after /srv/tgt/after.txt
kill -TERM $pid
wait $pid
echo $? >$R/term-status
dpkg -L lsyncd-ts >$R/files
apt-get purge -y lsyncd-ts || fail "apt-get purge"
: >$R/left
while IFS= read -r p; do
  [ "$p" != /. ] || continue  # dpkg -L starts with the root directory
  [ -e "$p" ] || [ -L "$p" ] || continue
  # a directory another package also owns (/usr, /etc, ...) stays, rightly
  if [ -d "$p" ] && dpkg -S "$p" >/dev/null 2>&1; then continue; fi
  echo "$p" >>$R/left
done <$R/files
for p in /etc/lsyncd-ts /var/log/lsyncd-ts /usr/lib/lsyncd-ts; do [ ! -e $p ] || echo $p >>$R/left; done
echo DONE
`;

test('stock Debian 12 root: apt-get install ./deb, run, live sync, purge leaves nothing', { skip, timeout: 1_800_000 }, async (t) => {
  const deb = builtPackage('deb');
  const parent = mkdtempSync('/var/tmp/lsyncd-ts-stock-');
  let kill = (): void => {};
  t.after(() => {
    kill();
    rmSync(parent, { recursive: true, force: true });
  });
  const root = freshRoot(parent);
  assert.ok(!existsSync(path.join(root, 'usr/bin/node')) && !existsSync(path.join(root, 'usr/bin/nodejs')), 'the stock root has no Node.js');
  copyFileSync(deb, path.join(root, 'tmp', path.basename(deb)));

  const r = await runInRoot(root, DEB_CHECK.replaceAll('DEB', path.basename(deb)), 900_000, (k) => (kill = k));
  const results = path.join(root, 'results');
  const read = (f: string): string => (existsSync(path.join(results, f)) ? readFileSync(path.join(results, f), 'utf8') : '');
  assert.equal(r.code, 0, `the checks inside the root failed\n${r.output.split('\n').slice(-40).join('\n')}\ndaemon log:\n${read('daemon.log')}`);
  assert.match(r.output, /^DONE$/m);

  assert.equal(read('system-node'), '', 'no node on the stock root');
  const before = new Set(read('packages-before').split('\n').filter(Boolean));
  const added = read('packages-after').split('\n').filter((p) => p && !before.has(p));
  assert.ok(added.includes('lsyncd-ts') && added.includes('rsync'), `apt installed lsyncd-ts and rsync: ${added.join(' ')}`);
  assert.deepEqual(added.filter((p) => /node/.test(p)), [], `apt pulled in no Node.js package (added: ${added.join(' ')})`);
  assert.equal(read('version').trim(), `Version: ${version}`);
  assert.match(read('check-config'), /configuration is valid/);
  assert.equal(read('term-status').trim(), '143', `TERM → 143\n${read('daemon.log')}`);
  const files = read('files').split('\n').filter(Boolean);
  assert.ok(files.includes('/usr/lib/lsyncd-ts/node'), 'dpkg -L lists the bundled runtime');
  assert.deepEqual(read('left').split('\n').filter(Boolean), [], 'apt-get purge leaves no file of the package');
});

test('rpm: rpm --root into an empty rpm database (--nodeps --noscripts): layout, runs, erase removes it', { skip, timeout: 900_000 }, (t) => {
  const rpmFile = builtPackage('rpm');
  const root = mkdtempSync('/var/tmp/lsyncd-ts-rpmroot-');
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const rpm = (...args: string[]): string => {
    const r = spawnSync('rpm', ['--root', root, ...args], { encoding: 'utf8', timeout: 300_000 });
    assert.equal(r.status, 0, `rpm --root ${root} ${args.join(' ')}: exit ${r.status}\n${r.stdout}${r.stderr}`);
    return r.stdout;
  };
  rpm('--initdb');
  rpm('-i', '--nodeps', '--noscripts', rpmFile);
  assert.match(rpm('-q', 'lsyncd-ts'), new RegExp(`^lsyncd-ts-${version.replace(/\./g, '\\.')}-`));
  const listed = spawnSync('rpm', ['-qlp', rpmFile], { encoding: 'utf8' }).stdout.trim().split('\n');
  const missing = listed.filter((f) => {
    try {
      lstatSync(path.join(root, f));
      return false;
    } catch {
      return true;
    }
  });
  assert.deepEqual(missing, [], 'every file the rpm lists is installed under the root');
  for (const f of ['usr/bin/lsyncd-ts', 'usr/lib/lsyncd-ts/node', 'usr/lib/lsyncd-ts/build/Release/lsyncd_ts_native.node', 'usr/lib/systemd/system/lsyncd-ts.service']) {
    assert.ok(existsSync(path.join(root, f)), `${f} installed`);
  }
  // The installed tree runs on its own node (with this host's libc: the root has none).
  const lib = path.join(root, 'usr/lib/lsyncd-ts');
  const v = spawnSync(path.join(lib, 'node'), [path.join(lib, 'bin/lsyncd-ts'), '-version'], { encoding: 'utf8' });
  assert.equal(v.stdout.trim(), `Version: ${version}`, v.stderr);

  rpm('-e', '--nodeps', '--noscripts', 'lsyncd-ts');
  const left = listed.filter((f) => existsSync(path.join(root, f)));
  assert.deepEqual(left, [], 'rpm -e removes every file (nothing under the root but rpm\'s database)');
});
