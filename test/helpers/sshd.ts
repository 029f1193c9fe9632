// startSshd(t): a REAL OpenSSH sshd on loopback for tests (lsyncd's own tests do the same with a
// fixed port 2468 and keys in tests/ssh/, docs/lsyncd-compat.md#test-suite-conventions; we pick a free port and keep
// everything in a private temp dir so tests can run in parallel).
//
// Contract:
//   - generated ed25519 host key and client key (ssh-keygen) in a mkdtemp dir; a private
//     sshd_config (ListenAddress 127.0.0.1, Port N, that HostKey, AuthorizedKeysFile in the temp
//     dir, public key only, PermitRootLogin prohibit-password — tests run as root —, StrictModes
//     no, UsePAM no, PidFile in the temp dir, generous MaxStartups/MaxSessions);
//   - started as `/usr/sbin/sshd -D -e -f CONFIG`, stderr (the -e log) written straight into a
//     file, so a log line sshd wrote before a client finished is ALWAYS visible to a later
//     readFileSync — `countLog(/Accepted publickey/)` counts TCP logins deterministically;
//   - ready when a TCP connection on the port answers with an "SSH-2.0-" banner (retried on each
//     log-file change or a short poll, never a fixed sleep as synchronisation);
//   - a known_hosts file with the host key, so clients verify the host (StrictHostKeyChecking=yes)
//     instead of switching checking off; `sshOptions` / `sshArgv` / `sshTable` are ready to use;
//   - stop(): kills the per-connection sshd processes (they setsid() and would otherwise keep
//     sessions and ControlMaster connections alive) and the listener, then waits for the exit.
//     Idempotent; also registered with t.after, which removes the temp dir.
//   - missing openssh-server → a clear error telling to install it (.ci/run installs it).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, watch, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';

import { freePort } from './free_port.js';

export const SSHD_BINARY = '/usr/sbin/sshd';
export const SSH_KEYGEN = 'ssh-keygen';

export interface SshdOptions {
  /** Extra sshd_config lines. */
  readonly extraConfig?: readonly string[];
  /** Overall start timeout (ms). */
  readonly startTimeoutMs?: number;
  /** A fixed port (lsyncd's own test scripts expect 2468) instead of a free one; not retried. */
  readonly port?: number;
}

export interface Sshd {
  readonly host: string;
  readonly port: number;
  /** The local user (root in CI); `${user}@${host}` logs in with identityFile. */
  readonly user: string;
  readonly identityFile: string;
  readonly knownHostsFile: string;
  /** The temp dir holding keys, config, log and pid file (removed in t.after). */
  readonly dir: string;
  readonly logFile: string;
  /** `-o` options for clients: verified host key from our known_hosts, key auth only, no prompts. */
  readonly sshOptions: Readonly<Record<string, string>>;
  /** Full client argv before the host: `-F none -i KEY -p PORT -o k=v …`. */
  readonly sshArgv: readonly string[];
  /** The same as an rsyncssh `ssh{}` table (src/config/schema.ts SshOptions). */
  readonly sshTable: { identityFile: string; port: number; options: Record<string, string>; _extra: string[] };
  readonly pid: number;
  /** The -e log so far. */
  log(): string;
  /** Lines of the -e log matching `re`. */
  countLog(re: RegExp): number;
  /** Stops the daemon and every session it serves (a dead target). Idempotent. */
  stop(): Promise<void>;
}

function haveSshd(): boolean {
  return existsSync(SSHD_BINARY);
}

function keygen(file: string, comment: string): void {
  const r = spawnSync(SSH_KEYGEN, ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file], { encoding: 'utf8' });
  if (r.error) throw new Error(`cannot run ssh-keygen (${r.error.message}): install openssh-client`);
  if (r.status !== 0) throw new Error(`ssh-keygen failed: ${r.stderr}`);
}

/** Connects once; resolves true when the server sends an SSH banner. */
function probeBanner(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    let buf = '';
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(2000, () => done(false));
    sock.on('data', (c: Buffer) => {
      buf += c.toString('latin1');
      if (buf.includes('\n')) done(buf.startsWith('SSH-2.0-'));
    });
    sock.on('error', () => done(false));
    sock.on('close', () => done(false));
  });
}

/** Every descendant pid of `pid` (children first found via /proc/<pid>/stat ppid). */
function descendants(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'latin1');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(e), Number(rest[1]));
    } catch {
      // exited meanwhile
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [child, pp] of parent) {
      if (pp === p) {
        out.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return out;
}

/**
 * The sshd's ssh{} table, but connecting to `port` (a relay in front of it, test/helpers/
 * stuck_server.ts): its host key is listed for that port in a known_hosts file written to `dir`.
 */
export function sshTableVia(sshd: Sshd, port: number, dir: string): Sshd['sshTable'] {
  const knownHosts = path.join(dir, `known_hosts_${port}`);
  writeFileSync(knownHosts, readFileSync(sshd.knownHostsFile, 'utf8').replace(`]:${sshd.port} `, `]:${port} `));
  return { ...sshd.sshTable, port, options: { ...sshd.sshTable.options, UserKnownHostsFile: knownHosts } };
}

function waitExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function startSshd(t: TestContext, opts: SshdOptions = {}): Promise<Sshd> {
  if (!haveSshd()) {
    throw new Error(`${SSHD_BINARY} not found: these tests need a real OpenSSH server on loopback — install it (apt-get install openssh-server; .ci/run installs it)`);
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lsyncd-ts-sshd-'));
  let stopFn: (() => Promise<void>) | undefined;
  t.after(async () => {
    await stopFn?.();
    rmSync(dir, { recursive: true, force: true });
  });
  // Privilege separation directory (Debian creates it in the service unit, not the package).
  try {
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  } catch {
    // not root: sshd then runs without privilege separation for the current user only
  }
  const hostKey = path.join(dir, 'host_ed25519');
  const identityFile = path.join(dir, 'id_ed25519');
  keygen(hostKey, 'lsyncd-ts test host');
  keygen(identityFile, 'lsyncd-ts test client');
  const authorized = path.join(dir, 'authorized_keys');
  writeFileSync(authorized, readFileSync(`${identityFile}.pub`), { mode: 0o600 });
  const hostPub = readFileSync(`${hostKey}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
  const user = os.userInfo().username;
  const logFile = path.join(dir, 'sshd.log');
  const knownHostsFile = path.join(dir, 'known_hosts');
  const deadline = Date.now() + (opts.startTimeoutMs ?? 15_000);

  for (let attempt = 0; ; attempt++) {
    const port = opts.port ?? (await freePort());
    const config = path.join(dir, 'sshd_config');
    writeFileSync(
      config,
      [
        'ListenAddress 127.0.0.1',
        `Port ${port}`,
        `HostKey ${hostKey}`,
        `AuthorizedKeysFile ${authorized}`,
        'PubkeyAuthentication yes',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'PermitRootLogin prohibit-password',
        'StrictModes no',
        'UsePAM no',
        `PidFile ${path.join(dir, 'sshd.pid')}`,
        'MaxStartups 200:30:400',
        'MaxSessions 200',
        'PrintMotd no',
        'LogLevel INFO',
        'Subsystem sftp internal-sftp',
        ...(opts.extraConfig ?? []),
        '',
      ].join('\n'),
    );
    writeFileSync(knownHostsFile, `[127.0.0.1]:${port} ${hostPub}\n`);
    writeFileSync(logFile, '');
    const logFd = openSync(logFile, 'a');
    const child = spawn(SSHD_BINARY, ['-D', '-e', '-f', config], { stdio: ['ignore', logFd, logFd] });
    closeSync(logFd);
    let exited = false;
    child.once('exit', () => {
      exited = true;
    });
    const stop = async () => {
      if (child.pid !== undefined && !exited) {
        for (const pid of descendants(child.pid)) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // gone already
          }
        }
        child.kill('SIGTERM');
      }
      await waitExit(child);
    };
    stopFn = stop;
    // Ready: the port answers with a banner. Retry on each log write (sshd logs "Server
    // listening" when bound) with a short poll as a fallback; stop early if sshd exited.
    let ready = false;
    const watcher = watch(logFile);
    try {
      while (!exited && Date.now() < deadline) {
        if (await probeBanner(port)) {
          ready = true;
          break;
        }
        await new Promise<void>((resolve) => {
          const wake = () => {
            clearTimeout(timer);
            watcher.off('change', wake);
            child.off('exit', wake);
            resolve();
          };
          const timer = setTimeout(wake, 50);
          watcher.on('change', wake);
          child.on('exit', wake);
        });
      }
    } finally {
      watcher.close();
    }
    if (ready) {
      const sshOptions: Record<string, string> = {
        UserKnownHostsFile: knownHostsFile,
        GlobalKnownHostsFile: '/dev/null',
        StrictHostKeyChecking: 'yes',
        BatchMode: 'yes',
        IdentitiesOnly: 'yes',
        LogLevel: 'ERROR',
      };
      const opt = Object.entries(sshOptions).flatMap(([k, v]) => ['-o', `${k}=${v}`]);
      return {
        host: '127.0.0.1',
        port,
        user,
        identityFile,
        knownHostsFile,
        dir,
        logFile,
        sshOptions,
        sshArgv: ['-F', 'none', '-i', identityFile, '-p', String(port), ...opt],
        sshTable: { identityFile, port, options: { ...sshOptions }, _extra: ['-F', 'none'] },
        pid: child.pid ?? -1,
        log: () => readFileSync(logFile, 'utf8'),
        countLog: (re: RegExp) => readFileSync(logFile, 'utf8').split('\n').filter((l) => re.test(l)).length,
        stop,
      };
    }
    const log = readFileSync(logFile, 'utf8');
    await stop();
    // Lost a race for the port with another process: try another one.
    if (/Address already in use|Cannot bind any address/.test(log) && opts.port === undefined && attempt < 5 && Date.now() < deadline) continue;
    throw new Error(`sshd did not start on 127.0.0.1:${port}:\n${log}`);
  }
}
