// The installed deb under a real systemd: a stock Debian 12 root with systemd
// (test/helpers/debian_root.ts, recipe + systemd systemd-sysv) gets the deb with apt, then boots
// with systemd as PID 1 of its own PID namespace (`unshare --pid --fork --mount --cgroup`,
// chroot, `container=other`; /sys bound from the host, a private /dev (tmpfs with the host's
// null, zero, random, tty… nodes bound in), a fresh /proc, a tmpfs /run, the
// root bind-mounted onto itself so units with PrivateTmp= & co. can set up their namespaces,
// and a cgroup2 hierarchy rooted at a cgroup made for this test). A oneshot unit inside runs
// SELFTEST against the installed units and writes one `ok NAME` / `FAIL NAME: why` line per
// check to /results/checks, then powers off (which ends the PID namespace; ExecStopPost= powers
// off even when the script itself fails).
// Checked: lsyncd-ts.service and an lsyncd-ts@NAME instance start (Type=notify: the moment
// `systemctl start` returns, the daemon holds an inotify watch for every directory of its
// 300-directory source, and a file created in the deepest one arrives); ExecStartPre's check-config fails a broken config and the
// reason is in the journal (the unit then waits in Restart=on-failure); `systemctl reload` applies an added sync in the same process; the
// watchdog restarts a daemon stopped with SIGSTOP (a drop-in sets WatchdogSec=2, the shipped
// units leave it commented out); logrotate's postrotate makes the daemon reopen its log;
// `systemctl stop` ends it with Result=success (status 143 or 0).
// Every wait inside is a bounded poll; the whole boot is bounded and killed in t.after through
// the test's cgroup (systemd leaves the unshare process's session), which is then removed with
// the copied root. Needs root (skipped otherwise, like the
// other packaging tests), debootstrap and the Debian mirror.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtPackage } from '../helpers/built_package.js';
import { freshRoot, runInRoot } from '../helpers/debian_root.js';
import { waitFor } from '../helpers/wait_for.js';

const skip = process.getuid?.() !== 0 ? 'needs root (debootstrap, chroot, unshare, cgroups)' : false;
const SYSTEMD_ROOT = ['systemd', 'systemd-sysv'];
const CGROUP2 = '/sys/fs/cgroup/unified';

// Host side, in the new PID + mount namespace: own cgroup, then a cgroup namespace rooted there.
const BOOT = String.raw`set -e
R=$1; CG=$2
mkdir -p "$CG"
echo $$ >"$CG/cgroup.procs"
exec unshare --cgroup sh -c '
  set -e; R=$1
  mount --bind "$R" "$R"
  mount --rbind /sys "$R/sys"
  mount -t cgroup2 cgroup2 "$R/sys/fs/cgroup"
  # A private /dev: systemd creates /dev/log, /dev/initctl & co., which must not land in the
  # host'"'"'s /dev (a bind of it would share them).
  mount -t tmpfs -o mode=755,nosuid tmpfs "$R/dev"
  for d in null zero full random urandom tty console; do : >"$R/dev/$d"; mount --bind "/dev/$d" "$R/dev/$d"; done
  mkdir -p "$R/dev/pts" "$R/dev/shm"
  mount -t devpts -o newinstance,ptmxmode=0666,mode=620 devpts "$R/dev/pts"
  ln -s pts/ptmx "$R/dev/ptmx"
  mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$R/dev/shm"
  ln -s /proc/self/fd "$R/dev/fd"
  ln -s /proc/self/fd/0 "$R/dev/stdin"
  ln -s /proc/self/fd/1 "$R/dev/stdout"
  ln -s /proc/self/fd/2 "$R/dev/stderr"
  mount -t proc proc "$R/proc"
  mount -t tmpfs -o mode=755 tmpfs "$R/run"
  exec chroot "$R" /usr/bin/env -i container=other /lib/systemd/systemd --system
' boot "$R"
`;

const SELFTEST = String.raw`set -u
R=/results
mkdir -p $R
: >$R/checks
ok() { echo "ok $1" >>$R/checks; }
bad() { echo "FAIL $1: $2" >>$R/checks; { echo "== $1"; systemctl status --no-pager lsyncd-ts.service; ls -l /proc/$(prop lsyncd-ts.service MainPID)/fd/; ls -la /var/log/lsyncd-ts/; tail -n 20 /var/log/lsyncd-ts/lsyncd-ts.log; } >>$R/diag 2>&1; }
# wait_for SECONDS COMMAND...: poll every 0.1 s, bounded
wait_for() { n=$(($1 * 10)); shift; i=0; while ! "$@" >/dev/null 2>&1; do i=$((i + 1)); [ $i -le $n ] || return 1; sleep 0.1; done; }
prop() { systemctl show -p "$2" --value "$1"; }
is_active() { [ "$(prop "$1" ActiveState)" = active ]; }
same() { [ -f "$2" ] && cmp -s "$1" "$2"; }
log_fds() { for f in /proc/$1/fd/*; do readlink "$f"; done 2>/dev/null | grep '/var/log/lsyncd-ts/' | sort -u; }
# writes_to PID FILE: PID holds FILE open (same device and inode; the daemon's own mount namespace makes
# readlink show other paths)
writes_to() { ino=$(stat -c %d:%i "$2") || return 1; for f in /proc/$1/fd/*; do [ "$(stat -L -c %d:%i "$f" 2>/dev/null)" = "$ino" ] && return 0; done; return 1; }

mkdir -p /srv/a/src/d1/d2/d3 /srv/a/tgt /srv/b/src /srv/b/tgt /srv/c/src /srv/c/tgt
for i in $(seq 1 300); do mkdir -p /srv/a/src/many/$i; done
cat >/etc/lsyncd-ts/lsyncd-ts.conf <<'CONF'
settings { logfile = "/var/log/lsyncd-ts/lsyncd-ts.log", statusFile = "/var/log/lsyncd-ts/lsyncd-ts.status" }
sync { default.direct, source = "/srv/a/src", target = "/srv/a/tgt", delay = 0 }
CONF
cat >/etc/lsyncd-ts/web.conf <<'CONF'
sync { default.direct, source = "/srv/b/src", target = "/srv/b/tgt", delay = 0 }
CONF
printf 'sync { default.direct, source = \n' >/etc/lsyncd-ts/broken.conf

# inotify watches the process holds (the "inotify wd:" lines of its inotify descriptors)
watches() { cat /proc/$1/fdinfo/* 2>/dev/null | grep -c '^inotify wd:'; }

# 1. main unit: active only once the watches are set — counted the moment "systemctl start"
# returns, then a file in the deepest directory must arrive through its watch
if systemctl start lsyncd-ts.service && is_active lsyncd-ts.service; then
  w=$(watches "$(prop lsyncd-ts.service MainPID)"); dirs=$(find /srv/a/src -type d | wc -l)
  echo deep >/srv/a/src/d1/d2/d3/new.txt
  if [ "$w" -lt "$dirs" ]; then
    bad main-start-ready "active with $w of $dirs watches set"
  elif wait_for 30 same /srv/a/src/d1/d2/d3/new.txt /srv/a/tgt/d1/d2/d3/new.txt; then
    ok main-start-ready
  else
    bad main-start-ready "a file created right after start was not synced"
  fi
else
  bad main-start-ready "systemctl start lsyncd-ts: $(prop lsyncd-ts.service ActiveState)/$(prop lsyncd-ts.service Result)"
fi

# 2. template instance
if systemctl start lsyncd-ts@web.service && is_active lsyncd-ts@web.service; then
  echo web >/srv/b/src/web.txt
  if wait_for 30 same /srv/b/src/web.txt /srv/b/tgt/web.txt; then ok instance-start; else bad instance-start "web.txt not synced"; fi
else
  bad instance-start "systemctl start lsyncd-ts@web: $(prop lsyncd-ts@web.service Result)"
fi

# 3. ExecStartPre check-config rejects a broken config; the message is in the journal
if systemctl start lsyncd-ts@broken.service; then
  bad broken-config "started with a broken config"
else
  journalctl -u lsyncd-ts@broken.service -o cat --no-pager >$R/broken-journal 2>&1
  # Restart=on-failure: the unit waits to retry (auto-restart), its last run failed in ExecStartPre
  if [ "$(prop lsyncd-ts@broken.service Result)" = exit-code ] && [ "$(prop lsyncd-ts@broken.service MainPID)" = 0 ] \
    && grep -q 'broken.conf:2: syntax error' $R/broken-journal && grep -q 'configuration is INVALID' $R/broken-journal; then
    ok broken-config
  else
    bad broken-config "state $(prop lsyncd-ts@broken.service ActiveState)/$(prop lsyncd-ts@broken.service Result), journal: $(tail -n 5 $R/broken-journal | tr '\n' '|')"
  fi
fi
systemctl stop lsyncd-ts@broken.service
systemctl reset-failed lsyncd-ts@broken.service 2>/dev/null

# 4. reload applies an added sync in the same process
pid=$(prop lsyncd-ts.service MainPID)
echo init >/srv/c/src/init.txt
cat >>/etc/lsyncd-ts/lsyncd-ts.conf <<'CONF'
sync { default.direct, source = "/srv/c/src", target = "/srv/c/tgt", delay = 0 }
CONF
if systemctl reload lsyncd-ts.service && wait_for 30 same /srv/c/src/init.txt /srv/c/tgt/init.txt; then
  echo live >/srv/c/src/live.txt
  if wait_for 30 same /srv/c/src/live.txt /srv/c/tgt/live.txt && [ "$(prop lsyncd-ts.service MainPID)" = "$pid" ] && is_active lsyncd-ts.service; then ok reload; else bad reload "the added sync does not watch, or the daemon was replaced"; fi
else
  bad reload "the added sync's init transfer did not happen"
fi

# 5. logrotate's postrotate makes the daemon reopen its log
pid=$(prop lsyncd-ts.service MainPID)
if wait_for 30 test -s /var/log/lsyncd-ts/lsyncd-ts.log && logrotate -f /etc/logrotate.d/lsyncd-ts >$R/logrotate.out 2>&1 && [ -f /var/log/lsyncd-ts/lsyncd-ts.log.1 ]; then
  if wait_for 30 writes_to $pid /var/log/lsyncd-ts/lsyncd-ts.log && ! writes_to $pid /var/log/lsyncd-ts/lsyncd-ts.log.1; then ok logrotate-reopen; else bad logrotate-reopen "log fds after rotation: $(log_fds $pid | tr '\n' ' ')"; fi
else
  bad logrotate-reopen "logrotate -f failed or rotated nothing: $(cat $R/logrotate.out)"
fi

# 6. the watchdog restarts a hung daemon (drop-in: WatchdogSec=2, quick abort and restart)
mkdir -p /etc/systemd/system/lsyncd-ts@web.service.d
printf '[Service]\nWatchdogSec=2\nTimeoutAbortSec=3\nRestartSec=1\n' >/etc/systemd/system/lsyncd-ts@web.service.d/watchdog.conf
systemctl daemon-reload
if systemctl restart lsyncd-ts@web.service && is_active lsyncd-ts@web.service; then
  hung=$(prop lsyncd-ts@web.service MainPID)
  kill -STOP "$hung"
  restarted() { p=$(prop lsyncd-ts@web.service MainPID); [ "$p" != 0 ] && [ "$p" != "$hung" ] && is_active lsyncd-ts@web.service; }
  if wait_for 60 restarted; then
    journalctl -u lsyncd-ts@web.service -o cat --no-pager >$R/watchdog-journal 2>&1
    if grep -qi 'watchdog timeout' $R/watchdog-journal; then ok watchdog-restart; else bad watchdog-restart "restarted, but the journal names no watchdog timeout"; fi
  else
    bad watchdog-restart "not restarted within 60 s: $(prop lsyncd-ts@web.service ActiveState) pid $(prop lsyncd-ts@web.service MainPID)"
  fi
else
  bad watchdog-restart "restart with the watchdog drop-in failed"
fi

# 7. stop is clean
if systemctl stop lsyncd-ts.service; then
  res=$(prop lsyncd-ts.service Result); st=$(prop lsyncd-ts.service ExecMainStatus)
  if [ "$res" = success ] && { [ "$st" = 143 ] || [ "$st" = 0 ]; } && [ "$(prop lsyncd-ts.service ActiveState)" = inactive ]; then ok stop-clean; else bad stop-clean "Result=$res ExecMainStatus=$st"; fi
else
  bad stop-clean "systemctl stop failed"
fi
systemctl stop 'lsyncd-ts@*.service'
journalctl -b --no-pager >$R/journal 2>&1
echo done >$R/done
systemctl --no-block poweroff
`;

const EXPECTED = ['main-start-ready', 'instance-start', 'broken-config', 'reload', 'logrotate-reopen', 'watchdog-restart', 'stop-clean'];

/** Every process in the cgroup tree `dir`. */
function cgroupPids(dir: string): number[] {
  if (!existsSync(dir)) return [];
  const pids = readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
  for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) pids.push(...cgroupPids(path.join(dir, e.name)));
  return pids;
}

/**
 * SIGKILLs every process of the booted system. Killing the unshare process is not enough:
 * systemd, the namespace's PID 1, runs in a session of its own and would outlive it, so the
 * test's cgroup is the handle (cgroup.kill, else each process it lists).
 */
function killCgroup(dir: string): void {
  if (!existsSync(dir)) return;
  try {
    writeFileSync(path.join(dir, 'cgroup.kill'), '1');
  } catch {
    for (const pid of cgroupPids(dir)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }
}

/** Removes a cgroup directory tree (children first); its processes must be gone. */
function removeCgroup(dir: string): void {
  if (!existsSync(dir)) return;
  for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) removeCgroup(path.join(dir, e.name));
  rmdirSync(dir);
}

test('systemd: the installed units under a real systemd (notify, instance, check-config, reload, watchdog, logrotate, stop)', { skip, timeout: 1_800_000 }, async (t) => {
  const deb = builtPackage('deb');
  const parent = mkdtempSync('/var/tmp/lsyncd-ts-systemd-');
  const cgroup = path.join(CGROUP2, path.basename(parent));
  let killInstall = (): void => {};
  let killBoot = (): void => {};
  let booted: Promise<unknown> = Promise.resolve();
  t.after(async () => {
    killInstall();
    killBoot();
    await booted;
    await waitFor(() => cgroupPids(cgroup).length === 0, 'every process of the booted system to end', 30_000);
    removeCgroup(cgroup);
    rmSync(parent, { recursive: true, force: true });
  });
  assert.ok(existsSync(path.join(CGROUP2, 'cgroup.procs')), `${CGROUP2} (a cgroup2 hierarchy) is needed to give systemd its own cgroup`);
  const root = freshRoot(parent, SYSTEMD_ROOT);
  copyFileSync(deb, path.join(root, 'tmp', path.basename(deb)));
  const inst = await runInRoot(root, `apt-get update -q && apt-get install -y /tmp/${path.basename(deb)}\n`, 600_000, (k) => (killInstall = k));
  assert.equal(inst.code, 0, `apt-get install in the systemd root failed\n${inst.output.split('\n').slice(-30).join('\n')}`);

  // The self-test unit, and no getty on a console this boot does not have.
  const etc = path.join(root, 'etc/systemd/system');
  writeFileSync(path.join(root, 'lsyncd-ts-selftest.sh'), SELFTEST);
  const syntax = spawnSync('sh', ['-n', path.join(root, 'lsyncd-ts-selftest.sh')], { encoding: 'utf8' });
  assert.equal(syntax.status, 0, `the self-test script does not parse: ${syntax.stderr}`);
  writeFileSync(
    path.join(etc, 'lsyncd-ts-selftest.service'),
    '[Unit]\nDescription=lsyncd-ts packaging self-test\nAfter=basic.target systemd-journald.service\n\n[Service]\nType=oneshot\nExecStart=/bin/sh /lsyncd-ts-selftest.sh\nExecStopPost=/bin/systemctl --no-block poweroff\nTimeoutStartSec=600\n',
  );
  mkdirSync(path.join(etc, 'multi-user.target.wants'), { recursive: true });
  symlinkSync('../lsyncd-ts-selftest.service', path.join(etc, 'multi-user.target.wants/lsyncd-ts-selftest.service'));
  for (const masked of ['console-getty.service', 'getty.target']) symlinkSync('/dev/null', path.join(etc, masked));

  let output = '';
  const exit = new Promise<number | null>((resolve) => {
    const child = spawn('unshare', ['--pid', '--fork', '--mount', '--propagation', 'private', 'sh', '-c', BOOT, 'boot', root, cgroup], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    killBoot = () => {
      killCgroup(cgroup);
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    };
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => {
      output += '\n[test: the boot did not power off within 900 s; killed]\n';
      killBoot();
    }, 900_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
  booted = exit;
  const code = await exit;
  const results = path.join(root, 'results');
  const read = (f: string): string => (existsSync(path.join(results, f)) ? readFileSync(path.join(results, f), 'utf8') : '');
  const journalTail = read('journal').split('\n').slice(-60).join('\n');
  assert.equal(read('done').trim(), 'done', `the self-test did not finish (namespace exit ${code})\nchecks so far:\n${read('checks')}\nboot output:\n${output.split('\n').slice(-40).join('\n')}`);
  const lines = read('checks').split('\n').filter(Boolean);
  const failed = lines.filter((l) => !l.startsWith('ok '));
  assert.deepEqual(failed, [], `checks failed inside the systemd root\ndiagnostics:\n${read('diag')}\njournal (tail):\n${journalTail}`);
  assert.deepEqual(lines.map((l) => l.slice(3)), EXPECTED, 'every check ran and passed');
});
