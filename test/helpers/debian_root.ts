// debianRoot(extra): a stock Debian 12 root file system for the packaging tests, made by
// `debootstrap --variant=minbase bookworm ROOT http://deb.debian.org/debian` (plus `--include`
// of `extra`, e.g. systemd), cached under /var/tmp/lsyncd-ts-roots/<hash of the recipe>/ so only
// the first run pays for the download (a few minutes); later runs copy it (seconds).
// The cache is never modified by a test: freshRoot() hands out a private copy (cp -a), which the
// caller removes in t.after. A new root is built under a temporary name and renamed into place,
// so a run killed half-way never leaves a broken cache entry.
// runInRoot(root, script) runs a shell script chrooted into such a copy, inside
// `unshare --pid --fork --mount`: the /proc and /dev mounts it makes exist only in that mount
// namespace and every process in it dies with it, so killing it (the `kill` handed to onSpawn,
// for t.after) leaves nothing mounted or running on the host.
// Needs root and debootstrap (README set-up installs it) and the Debian mirror; each missing
// piece fails with a message naming the fix.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const MIRROR = 'http://deb.debian.org/debian';
const SUITE = 'bookworm';
const CACHE = '/var/tmp/lsyncd-ts-roots';

function recipe(extra: readonly string[]): string[] {
  const args = ['--variant=minbase'];
  if (extra.length > 0) args.push(`--include=${[...extra].sort().join(',')}`);
  return [...args, SUITE];
}

/** The cached pristine root for this recipe, bootstrapped on first use. Never write into it. */
export function cachedDebianRoot(extra: readonly string[] = []): string {
  if (process.getuid?.() !== 0) throw new Error('debianRoot needs root (debootstrap, chroot)');
  const r = recipe(extra);
  const key = createHash('sha256').update(JSON.stringify([...r, MIRROR])).digest('hex').slice(0, 16);
  const dir = path.join(CACHE, key);
  const done = path.join(dir, 'root');
  if (existsSync(path.join(done, 'usr/bin/apt-get'))) return done;
  const debootstrap = ['/usr/sbin/debootstrap', '/usr/bin/debootstrap'].find((p) => existsSync(p));
  if (!debootstrap) throw new Error('debootstrap is not installed: apt-get install debootstrap (README, "Set-up and test")');
  mkdirSync(CACHE, { recursive: true });
  const tmp = path.join(CACHE, `${key}.building-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  const b = spawnSync(debootstrap, [...r, path.join(tmp, 'root'), MIRROR], { encoding: 'utf8', timeout: 1_200_000 });
  if (b.status !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    throw new Error(
      `debootstrap ${r.join(' ')} ${MIRROR} failed (exit ${b.status}${b.signal ? `, ${b.signal}` : ''}): is ${MIRROR} reachable?\n${(b.stdout + b.stderr).split('\n').slice(-25).join('\n')}`,
    );
  }
  // apt's downloaded .debs are not part of the root.
  spawnSync('chroot', [path.join(tmp, 'root'), 'apt-get', 'clean']);
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return done;
}

/** A private, writable copy of the cached root under `parent`; the caller deletes `parent`. */
export function freshRoot(parent: string, extra: readonly string[] = []): string {
  const pristine = cachedDebianRoot(extra);
  const root = path.join(parent, 'root');
  const cp = spawnSync('cp', ['-a', pristine, root], { encoding: 'utf8' });
  if (cp.status !== 0) throw new Error(`cp -a ${pristine} ${root}: ${cp.stderr}`);
  // Name resolution for apt inside the root: the host's.
  if (existsSync('/etc/resolv.conf')) copyFileSync('/etc/resolv.conf', path.join(root, 'etc/resolv.conf'));
  return root;
}

/** Runs `script` as /bin/sh inside `root` (chroot in a private PID + mount namespace). */
export function runInRoot(root: string, script: string, timeoutMs: number, onSpawn: (kill: () => void) => void): Promise<{ code: number | null; output: string }> {
  writeFileSync(path.join(root, 'lsyncd-ts-check.sh'), script);
  const enter = [
    'set -e',
    'mount -t proc proc "$1/proc"',
    'mount --rbind /dev "$1/dev"',
    'exec chroot "$1" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive /bin/sh /lsyncd-ts-check.sh',
  ].join('\n');
  return new Promise((resolve) => {
    const child = spawn('unshare', ['--pid', '--fork', '--mount', '--propagation', 'private', 'sh', '-c', enter, 'enter', root], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const kill = (): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    };
    onSpawn(kill);
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => {
      output += `\n[test: killed after ${timeoutMs} ms]\n`;
      kill();
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}
