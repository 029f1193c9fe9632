/**
 * rsync daemon targets (`rsync://[user@]host[:port]/module/…`, `[user@]host::module/…`): how long
 * they may stay silent, and whether one answers at all.
 *
 *  - `daemonAddress`: the TCP address rsync would connect to, or undefined when the target is not
 *    a daemon reached over TCP (a path, `host:path` over a remote shell, a daemon over a remote
 *    shell because rsync{} sets `rsh` or `_extra` passes -e/--rsh, or a connection through
 *    RSYNC_PROXY / RSYNC_CONNECT_PROG). The port is the URL's, else `--port=` in `_extra`, else 873.
 *  - `withDaemonBounds` (through `boundedRsync`, which the transport, check-config and verify use):
 *    the rsync{} table plus `--contimeout=<connectTimeout>` (the TCP connect)
 *    and `timeout` (--timeout: a link silent this long is dead; DEAD_LINK_SECONDS, the same minute
 *    ssh's keep-alives allow) — each only where the user set none (rsync{} `timeout`, or the
 *    option in `_extra`). --contimeout does not cover a daemon that accepts and never greets;
 *    --timeout does, and `probeDaemon` does so within the connect timeout.
 *  - `probeDaemon`: connects and waits for the daemon's `@RSYNCD:` greeting, then hangs up
 *    (nothing is sent: the daemon sees a client that left). Resolves ok, or `again` +
 *    `unreachable` when it is refused, times out after `timeoutMs`, or closes first; plain
 *    `again` when `signal` aborts it. Never throws.
 */
import net from 'node:net';

import type { ResolvedRsyncOptions } from '../../config/schema.js';
import { DEAD_LINK_SECONDS } from '../rsyncssh/ssh_argv.js';
import type { TransferOutcome } from '../transport.js';
import type { RsyncTable } from './flags.js';

export const RSYNC_DAEMON_PORT = 873;

export interface DaemonAddress {
  readonly host: string;
  readonly port: number;
}

const hasOption = (extra: readonly string[], ...names: string[]): boolean =>
  extra.some((x) => names.some((n) => x === n || x.startsWith(`${n}=`) || (n.length === 2 && x.startsWith(n))));

function portOf(extra: readonly string[]): number | undefined {
  for (const x of extra) {
    const m = /^--port=(\d+)$/.exec(x);
    if (m) return Number(m[1]);
  }
  return undefined;
}

const unbracket = (h: string): string => (h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h);

export function daemonAddress(target: string, rsync: RsyncTable, env: NodeJS.ProcessEnv = process.env): DaemonAddress | undefined {
  const extra = rsync._extra ?? [];
  if (rsync.rsh !== undefined || hasOption(extra, '-e', '--rsh')) return undefined;
  if ((env['RSYNC_PROXY'] ?? '') !== '' || (env['RSYNC_CONNECT_PROG'] ?? '') !== '') return undefined;
  const url = /^rsync:\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^:/]+)(?::(\d+))?(?:\/|$)/i.exec(target);
  if (url) return { host: unbracket(url[1]!), port: url[2] !== undefined ? Number(url[2]) : (portOf(extra) ?? RSYNC_DAEMON_PORT) };
  const pair = /^(?:[^@/]*@)?(\[[^\]]+\]|[^:/\[]+)::/.exec(target);
  if (pair) return { host: unbracket(pair[1]!), port: portOf(extra) ?? RSYNC_DAEMON_PORT };
  return undefined;
}

export function withDaemonBounds(rsync: ResolvedRsyncOptions, connectTimeoutSeconds: number): ResolvedRsyncOptions {
  const extra = rsync._extra ?? [];
  const out: ResolvedRsyncOptions = { ...rsync };
  if (!hasOption(extra, '--contimeout')) out._extra = [...extra, `--contimeout=${connectTimeoutSeconds}`];
  if (rsync.timeout === undefined && !hasOption(extra, '--timeout')) out.timeout = DEAD_LINK_SECONDS;
  return out;
}

/** The rsync{} table every command to `target` uses: with the daemon bounds for a daemon target. */
export function boundedRsync(target: string, rsync: ResolvedRsyncOptions, connectTimeoutSeconds: number): ResolvedRsyncOptions {
  return daemonAddress(target, rsync) === undefined ? rsync : withDaemonBounds(rsync, connectTimeoutSeconds);
}

export function probeDaemon(addr: DaemonAddress, timeoutMs: number, signal: AbortSignal): Promise<TransferOutcome> {
  const where = `rsync daemon ${addr.host.includes(':') ? `[${addr.host}]` : addr.host}:${addr.port}`;
  return new Promise((resolve) => {
    if (signal.aborted) return resolve({ kind: 'again', reason: `${where}: connection attempt aborted` });
    const sock = net.connect({ host: addr.host, port: addr.port });
    let greeting = '';
    let settled = false;
    const finish = (out: TransferOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      sock.destroy();
      resolve(out);
    };
    const down = (why: string): void => finish({ kind: 'again', reason: `${where} ${why}`, unreachable: true });
    const onAbort = (): void => finish({ kind: 'again', reason: `${where}: connection attempt aborted` });
    const timer = setTimeout(() => down(`did not answer within ${Math.round(timeoutMs / 1000)} s`), timeoutMs);
    signal.addEventListener('abort', onAbort, { once: true });
    sock.setEncoding('latin1');
    sock.on('data', (d: string) => {
      greeting += d;
      if (greeting.startsWith('@RSYNCD:')) finish({ kind: 'ok' });
      else if (greeting.length >= 8) down(`answered, but not as an rsync daemon (${JSON.stringify(greeting.slice(0, 40))})`);
    });
    sock.on('error', (e: NodeJS.ErrnoException) => down(`cannot be reached: ${e.code ?? e.message}`));
    sock.on('close', () => down('closed the connection before greeting'));
  });
}
