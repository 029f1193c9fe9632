// Shared pieces of the fan-out benchmarks (one hub, many targets): the daemon variants compared,
// the configs they get, loopback sshds playing many servers, a stuck server, and the
// /proc readers (inotify watches and instances, RSS, CPU of the daemon with its children).
//
// Variants: lsyncd 2.2.3 with the usual Lua loop (`for _, t in ipairs(targets) do sync{…} end`,
// one sync per target); lsyncd-ts with the SAME Lua loop; lsyncd-ts with a JSON config whose
// `target` (rsync) or `host` (rsyncssh) is a list (src/config/expand_targets.ts: one sync per
// item). Every config uses delay 0, so times measure the daemons, not their delay.
//
// Many servers: a list of hosts in rsyncssh shares one `targetdir`, so distinct hosts must be
// distinct directories. Server I is its own loopback sshd (bench/sync/common.ts startBenchSshd;
// one sshd cannot listen on more than 16 addresses) whose ForceCommand runs every client command
// from ROOT/hI (cd, then the original command): the relative targetdir `tgt-V` on server I is
// ROOT/hI/tgt-V. Clients reach server I as host `sI` through a generated ssh_config (HostName
// 127.0.0.1, Port of that sshd), with one client key (authorized on every server) and one
// known_hosts file holding every server's host key. The Lua loops do what lsyncd users write:
// host 127.0.0.1 (server 0's sshd), one absolute targetdir per target, ssh.port per target.
//
// A stuck server is a TCP listener on 127.0.0.1 that accepts and never sends a byte (no SSH
// banner): a plain ssh waits for it forever; how long each daemon's ssh waits is up to the
// options it adds. Host lists reach it as the alias `stuck`, the Lua loops through that
// target's ssh.port.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

import { freePort } from '../../test/helpers/free_port.js';
import { onCleanup } from '../cleanup.js';
import { Daemon, type DaemonKind, fileEquals, sleep, type SshTarget, startBenchSshd, waitUntil } from '../sync/common.js';
import { readRss } from '../watcher/common.js';

export { readRss };

// ---------- variants ----------

export interface Variant {
  /** Short name used in tables and JSON. */
  readonly id: string;
  readonly kind: DaemonKind;
  readonly format: 'lua' | 'json';
  /** settings.maxProcesses (global cap); absent = the daemon's default. */
  readonly maxProcesses?: number;
}

export const LSYNCD_LOOP: Variant = { id: 'lsyncd (Lua loop)', kind: 'lsyncd', format: 'lua' };
export const TS_LOOP: Variant = { id: 'lsyncd-ts (Lua loop)', kind: 'lsyncd-ts', format: 'lua' };
export const TS_LIST: Variant = { id: 'lsyncd-ts (JSON list)', kind: 'lsyncd-ts', format: 'json' };
export const tsListCapped = (n: number): Variant => ({ id: `lsyncd-ts (JSON list, maxProcesses=${n})`, kind: 'lsyncd-ts', format: 'json', maxProcesses: n });

// ---------- servers ----------

/** Host alias of server I in the generated ssh_config. */
export const aliasHost = (i: number): string => `s${i}`;
/** The stuck server's alias. */
export const STUCK_ALIAS = 'stuck';

export interface Servers {
  /** Server 0 as 127.0.0.1 (Lua loops), with the shared key and known_hosts. */
  readonly ssh: SshTarget;
  /** The generated ssh_config (aliases sI and `stuck`). */
  readonly sshConfig: string;
  /** sshd port of each server. */
  readonly ports: readonly number[];
  /** ROOT/hI: the directory server I runs its commands in. */
  readonly root: string;
  readonly count: number;
  /** Points the alias `stuck` at 127.0.0.1:port. */
  setStuckPort(port: number): void;
  /** Stops every sshd (and every session). */
  stop(): Promise<void>;
}

/** `count` loopback servers (see the header); ROOT/h0..h{count-1} are created. */
export async function startServers(root: string, count: number): Promise<Servers> {
  const started: Awaited<ReturnType<typeof startBenchSshd>>[] = [];
  const stop = async (): Promise<void> => {
    for (const s of started) await s.stop();
  };
  try {
    // A few at a time: each start runs ssh-keygen twice.
    for (let i = 0; i < count; i += 8) {
      const batch = Array.from({ length: Math.min(8, count - i) }, (_, k) => {
        const dir = path.join(root, `h${i + k}`);
        fs.mkdirSync(dir, { recursive: true });
        // SetEnv SHLVL=1: see bench/sync/run.ts (keeps root's ~/.bashrc out of every session).
        return startBenchSshd(['SetEnv SHLVL=1', `ForceCommand cd ${dir} && exec /bin/sh -c "$SSH_ORIGINAL_COMMAND"`]);
      });
      started.push(...(await Promise.all(batch)));
    }
  } catch (e) {
    await stop();
    throw e;
  }
  const first = started[0]!;
  const pub = fs.readFileSync(`${first.ssh.identityFile}.pub`);
  const knownHosts = path.join(root, 'known_hosts');
  fs.writeFileSync(knownHosts, started.map((s) => fs.readFileSync(s.sshd.knownHostsFile, 'utf8')).join(''));
  for (const s of started.slice(1)) fs.appendFileSync(path.join(s.sshd.dir, 'authorized_keys'), pub);
  const sshConfig = path.join(root, 'ssh_config');
  const hosts = started.map((s, i) => `Host ${aliasHost(i)}\n  HostName 127.0.0.1\n  Port ${s.ssh.port}\n`).join('');
  fs.writeFileSync(sshConfig, hosts);
  return {
    ssh: { ...first.ssh, options: { ...first.ssh.options, UserKnownHostsFile: knownHosts } },
    sshConfig,
    ports: started.map((s) => s.ssh.port),
    root,
    count,
    setStuckPort: (port) => fs.writeFileSync(sshConfig, `${hosts}Host ${STUCK_ALIAS}\n  HostName 127.0.0.1\n  Port ${port}\n`),
    stop,
  };
}

export interface StuckServer {
  /** Its port on 127.0.0.1. */
  readonly port: number;
  /** Connections accepted so far. */
  accepted(): number;
  stop(): void;
}

/** A server on 127.0.0.1 that accepts and never writes. */
export async function startStuckServer(): Promise<StuckServer> {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const srv = net.createServer((s) => {
    accepted++;
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  const port = await freePort();
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(port, '127.0.0.1', () => resolve());
  });
  const stop = (): void => {
    for (const s of sockets) s.destroy();
    srv.close();
  };
  const forget = onCleanup(stop);
  return {
    port,
    accepted: () => accepted,
    stop: () => {
      stop();
      forget();
    },
  };
}

// ---------- configs ----------

export interface FanoutConfig {
  readonly mode: 'rsync' | 'rsyncssh';
  readonly source: string;
  /** rsync: absolute target dirs. */
  readonly dirs?: readonly string[];
  /** rsyncssh: one entry per target: a server index or 'stuck'. */
  readonly servers?: readonly (number | 'stuck')[];
  /** rsyncssh: the per-server directory name (ROOT/hI/SUBDIR). */
  readonly subdir?: string;
  readonly srv?: Servers;
  readonly stuck?: StuckServer;
  /** rsync{} of the JSON list's sync (Lua loops do not take it). */
  readonly rsync?: Readonly<Record<string, unknown>>;
}

function lua(s: string): string {
  if (!/^[\w./:@ -]*$/.test(s)) throw new Error(`string not safe for the generated Lua config: ${s}`);
  return `"${s}"`;
}

/** The directory target `i` of `c` writes to (undefined for the stuck server). */
export function targetDir(c: FanoutConfig, i: number): string | undefined {
  if (c.mode === 'rsync') return c.dirs![i]!;
  const s = c.servers![i]!;
  return s === 'stuck' ? undefined : path.join(c.srv!.root, `h${s}`, c.subdir!);
}

/** The config text for `v` (Lua loop or JSON list) and its file name suffix. */
export function configText(v: Variant, c: FanoutConfig): { text: string; ext: string } {
  const settings: Record<string, unknown> = { nodaemon: true };
  if (v.maxProcesses !== undefined) settings.maxProcesses = v.maxProcesses;
  const ssh = c.srv?.ssh;
  if (v.format === 'json') {
    const sync: Record<string, unknown> = { mode: c.mode, source: c.source, delay: 0, ...(c.rsync ? { rsync: c.rsync } : {}) };
    if (c.mode === 'rsync') sync.target = c.dirs;
    else {
      sync.host = c.servers!.map((s) => (s === 'stuck' ? STUCK_ALIAS : aliasHost(s)));
      sync.targetdir = c.subdir;
      // No port: each alias has its own in the ssh_config.
      sync.ssh = { identityFile: ssh!.identityFile, options: ssh!.options, _extra: ['-F', c.srv!.sshConfig] };
    }
    return { text: `${JSON.stringify({ settings, sync: [sync] }, null, 2)}\n`, ext: 'json' };
  }
  const lines = ['-- generated by bench/fanout/common.ts', `settings{ ${Object.entries(settings).map(([k, x]) => `${k} = ${String(x)}`).join(', ')} }`];
  if (c.mode === 'rsync') {
    lines.push(`local targets = { ${c.dirs!.map(lua).join(', ')} }`);
    lines.push('for _, t in ipairs(targets) do', `  sync{ default.rsync, source = ${lua(c.source)}, target = t, delay = 0 }`, 'end');
  } else {
    const dirs = c.servers!.map((_, i) => targetDir(c, i) ?? path.join(c.srv!.root, 'stuck', c.subdir!));
    const ports = c.servers!.map((s) => (s === 'stuck' ? c.stuck!.port : ssh!.port));
    const opts = Object.entries(ssh!.options).map(([k, x]) => `${k} = ${lua(x)}`).join(', ');
    lines.push(`local targets = { ${dirs.map(lua).join(', ')} }`);
    lines.push(`local ports = { ${ports.join(', ')} }`);
    lines.push(
      'for i, t in ipairs(targets) do',
      `  sync{ default.rsyncssh, source = ${lua(c.source)}, host = "127.0.0.1", targetdir = t, delay = 0,`,
      `    ssh = { identityFile = ${lua(ssh!.identityFile)}, port = ports[i], options = { ${opts} } } }`,
      'end',
    );
  }
  return { text: `${lines.join('\n')}\n`, ext: 'lua' };
}

// ---------- daemons ----------

export const STARTUP_RE = /Startup of .* finished/;

/** Starts `v` on `c` (config written into `dir`), optionally under a wrapper such as prlimit. */
export function startVariant(v: Variant, c: FanoutConfig, dir: string, wrapper: readonly string[] = []): Daemon {
  const { text, ext } = configText(v, c);
  const conf = path.join(dir, `fanout.${ext}`);
  fs.writeFileSync(conf, text);
  return Daemon.start(v.kind, ['-nodaemon', conf], path.join(dir, `${v.kind}.log`), wrapper);
}

/** Startup lines so far. */
export const startupsDone = (d: Daemon): number => d.log().split('\n').filter((l) => STARTUP_RE.test(l)).length;

/** Waits until `n` syncs logged their startup; resolves with the time, or the reason it did not happen. */
export async function waitStartups(d: Daemon, n: number, timeoutMs: number): Promise<{ ok: true; at: number } | { ok: false; reason: string }> {
  const end = performance.now() + timeoutMs;
  for (;;) {
    const done = startupsDone(d);
    if (done >= n) return { ok: true, at: performance.now() };
    if (!d.alive) return { ok: false, reason: `exited (${d.exitInfo}) after ${done}/${n} startups; log: ${d.tail(4).replace(/\n/g, ' | ')}` };
    if (performance.now() > end) return { ok: false, reason: `${done}/${n} startups after ${timeoutMs / 1000} s; log: ${d.tail(4).replace(/\n/g, ' | ')}` };
    await sleep(10);
  }
}

// ---------- /proc ----------

/** inotify instances (fds) and watches (`inotify wd:` lines in their fdinfo) a process holds. */
export function inotifyOf(pid: number): { instances: number; watches: number } {
  let instances = 0;
  let watches = 0;
  let fds: string[] = [];
  try {
    fds = fs.readdirSync(`/proc/${pid}/fd`);
  } catch {
    return { instances: NaN, watches: NaN };
  }
  for (const fd of fds) {
    try {
      if (fs.readlinkSync(`/proc/${pid}/fd/${fd}`) !== 'anon_inode:inotify') continue;
      instances++;
      watches += fs.readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8').split('\n').filter((l) => l.startsWith('inotify wd:')).length;
    } catch {
      /* closed meanwhile */
    }
  }
  return { instances, watches };
}

/** Open file descriptors of a process. */
export function fdCount(pid: number): number {
  try {
    return fs.readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return NaN;
  }
}

const clkTck = ((): number => {
  const n = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim());
  return Number.isFinite(n) && n > 0 ? n : 100;
})();

/**
 * CPU seconds of `pid` with its children: its utime+stime, cutime+cstime (children it has
 * reaped) and utime+stime of every live descendant. ssh ControlMaster processes that detached
 * (ControlPersist forks them away from the daemon) are not descendants and are not counted.
 */
export function hubCpuSeconds(pid: number): number {
  const stat = new Map<number, string[]>();
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const s = fs.readFileSync(`/proc/${e}/stat`, 'utf8');
      stat.set(Number(e), s.slice(s.lastIndexOf(')') + 2).split(' '));
    } catch {
      /* gone */
    }
  }
  const own = stat.get(pid);
  if (!own) return NaN;
  // f[0] is field 3 (state): utime 14, stime 15, cutime 16, cstime 17.
  let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
  const stack = [pid];
  while (stack.length > 0) {
    const p = stack.pop()!;
    for (const [child, f] of stat) {
      if (Number(f[1]) !== p) continue;
      ticks += Number(f[11]) + Number(f[12]);
      stack.push(child);
    }
  }
  return ticks / clkTck;
}

// ---------- arrival ----------

/**
 * Writes `name` with fresh content into `src/sub` and resolves with the ms from just before the
 * write until it arrived in each of `dirs` (same order).
 */
export async function fanoutSample(src: string, dirs: readonly string[], name: string, timeoutMs: number, sub = ''): Promise<number[]> {
  const content = Buffer.from(`fan-out sample ${name} ${Math.random().toString(36)}\n`);
  // Watches first, so setting them up is not part of the time.
  const arrived = dirs.map((d) => waitUntil(path.join(d, sub), () => fileEquals(path.join(d, sub, name), content), timeoutMs, 25, (n) => n === name));
  const t0 = performance.now();
  fs.writeFileSync(path.join(src, sub, name), content);
  const ts = await Promise.all(arrived);
  return ts.map((t) => t - t0);
}

/** Creates `dirs` directories under `root` (about sqrt-shaped: up to 50 per level). */
export function makeDirTree(root: string, dirs: number): void {
  fs.mkdirSync(root, { recursive: true });
  const top = Math.ceil(dirs / 50);
  let made = 0;
  for (let i = 0; i < top && made < dirs; i++) {
    const a = path.join(root, `d${i}`);
    fs.mkdirSync(a);
    made++;
    for (let j = 0; j < 49 && made < dirs; j++) {
      fs.mkdirSync(path.join(a, `e${j}`));
      made++;
    }
  }
}

export const max = (xs: readonly number[]): number => xs.reduce((a, b) => Math.max(a, b), -Infinity);
