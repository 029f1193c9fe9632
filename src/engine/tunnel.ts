// Tunnel: the process a sync's `tunnel` (lsyncd 2.3 tunnel{}, src/config/tunnel_config.ts) runs —
// typically `ssh -N -L PORT:127.0.0.1:873 host` — and the gate the sync's transfers wait behind
// (SyncRunner.gate: no transfer starts while `open` is false).
//
// Contract:
//   - start(opened): adds `opened` to the listeners called each time the tunnel becomes ready
//     (removeListener takes it off) and, the first time, starts the command (startChild, never
//     a shell; it gets SIGTERM should the daemon die, where the native spawner offers that).
//     Several syncs may share one tunnel (tunnel_registry.ts). States: 'down' (not running),
//     'connecting' (running, not ready yet), 'ready'. It is ready once 127.0.0.1:checkport accepts
//     a TCP connection (probed every PROBE_MS), or without checkport once it has run readyDelay
//     seconds (lsyncd's rule).
//   - When the process ends while the tunnel is up it is started again after RESTART_MS (lsyncd
//     checks its tunnels on a one-second alarm: "Tunnel died. Will Restarting"; the pause also
//     keeps a command that dies right after each start from spinning); when it ends before it
//     was ready, after retryDelay seconds doubled per failure in a row (retry_backoff.ts, at most
//     5 min; lsyncd waits retryDelay each time). Each start after the first counts in
//     `restarts`; the last exit is in `lastError`.
//   - stop(): no more starts; the process gets SIGTERM, then SIGKILL after KILL_AFTER_MS; resolves
//     once it has exited. tunnel_registry.ts calls it when the last sync using the tunnel stops
//     (daemon exit, a reload that removes or changes it) or dies.
//   - The command's output lines are logged (category Tunnel for stdout; stderr, where ssh says why
//     a forward failed, as normal lines).
import net from 'node:net';

import type { NormalizedTunnel } from '../config/schema.js';
import type { Log } from '../log/log.js';
import { ChildOutput } from '../process/child_output.js';
import { type ChildLike, startChild } from '../process/start_child.js';
import { retryDelayMs } from '../queue/retry_backoff.js';

const PROBE_MS = 250;
const KILL_AFTER_MS = 5000;
const RESTART_MS = 1000;

export type TunnelState = 'down' | 'connecting' | 'ready';

export interface TunnelStatus {
  readonly name: string;
  readonly state: TunnelState;
  /** Starts after the first one. */
  readonly restarts: number;
  /** Pid of the running command, if any. */
  readonly pid: number | undefined;
  /** Why the command last ended (or could not start), if it did. */
  readonly lastError: string | undefined;
}

export class Tunnel {
  private state: TunnelState = 'down';
  private restarts = 0;
  private starts = 0;
  /** Failed starts in a row (ended before ready), for the retry backoff. */
  private failures = 0;
  private child: ChildLike | undefined;
  private pid: number | undefined;
  private exited: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private probe: net.Socket | undefined;
  private lastError: string | undefined;
  private stopped = false;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly cfg: NormalizedTunnel,
    private readonly log: Log,
  ) {}

  /** True while the tunnel is ready: transfers may run. */
  get open(): boolean {
    return this.state === 'ready';
  }

  start(opened: () => void): void {
    this.listeners.add(opened);
    if (this.stopped || this.starts > 0) return;
    this.spawn();
  }

  removeListener(opened: () => void): void {
    this.listeners.delete(opened);
  }

  status(): TunnelStatus {
    return { name: this.cfg.name, state: this.state, restarts: this.restarts, pid: this.pid, lastError: this.lastError };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.clearTimers();
    const child = this.child;
    if (child !== undefined) {
      child.kill('SIGTERM');
      const force = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
      await this.exited;
      clearTimeout(force);
    }
    this.state = 'down';
  }

  private clearTimers(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.probe?.destroy();
    this.probe = undefined;
  }

  private spawn(): void {
    if (this.stopped) return;
    if (this.starts++ > 0) this.restarts++;
    const [binary, ...args] = this.cfg.command;
    this.log.normal(`${this.cfg.name}: starting ${this.cfg.command.join(' ')}`);
    this.state = 'connecting';
    const child = startChild({ binary: binary!, args, stdin: undefined }, { parentDeathSignal: 'SIGTERM' });
    this.child = child;
    this.pid = child.pid;
    const out = new ChildOutput({
      onLine: (stream, line) => (stream === 'stderr' ? this.log.normal(`${this.cfg.name}: ${line}`) : this.log.debug('Tunnel', `${this.cfg.name}: ${line}`)),
    });
    out.attach(child.stdout, child.stderr);
    child.stdin?.end();
    this.exited = new Promise<void>((resolve) => {
      let done = false;
      const end = (why: string) => {
        if (done) return;
        done = true;
        this.ended(child, why);
        resolve();
      };
      child.on('error', (e) => end(`cannot start ${binary}: ${e.message}`));
      child.on('exit', (code, sig) => end(sig !== null ? `killed by ${sig}` : `exited with code ${code}`));
    });
    this.waitReady(child);
  }

  private waitReady(child: ChildLike): void {
    if (this.cfg.checkport === undefined) {
      this.timer = setTimeout(() => this.ready(child), this.cfg.readyDelay * 1000);
      return;
    }
    const port = this.cfg.checkport;
    const attempt = (): void => {
      this.timer = undefined;
      const sock = net.connect({ host: '127.0.0.1', port });
      this.probe = sock;
      sock.once('connect', () => {
        sock.destroy();
        this.probe = undefined;
        this.ready(child);
      });
      sock.once('error', () => {
        sock.destroy();
        this.probe = undefined;
        if (this.child === child && !this.stopped) this.timer = setTimeout(attempt, PROBE_MS);
      });
    };
    attempt();
  }

  private ready(child: ChildLike): void {
    if (this.child !== child || this.stopped) return;
    this.timer = undefined;
    this.state = 'ready';
    this.failures = 0;
    this.log.normal(`${this.cfg.name}: ready${this.cfg.checkport !== undefined ? ` (127.0.0.1:${this.cfg.checkport} accepts connections)` : ''}`);
    for (const l of [...this.listeners]) l();
  }

  private ended(child: ChildLike, why: string): void {
    if (this.child !== child) return;
    this.child = undefined;
    this.pid = undefined;
    this.clearTimers();
    const wasReady = this.state === 'ready';
    this.state = 'down';
    if (this.stopped) return;
    this.lastError = why;
    if (wasReady) {
      this.log.warn(`${this.cfg.name}: tunnel ${why}; restarting it (transfers wait)`);
      this.timer = setTimeout(() => this.spawn(), RESTART_MS);
      return;
    }
    this.failures++;
    const wait = retryDelayMs(this.failures, this.cfg.retryDelay * 1000);
    this.log.warn(`${this.cfg.name}: tunnel ${why} before it was ready; retrying in ${Math.round(wait / 1000)} s`);
    this.timer = setTimeout(() => this.spawn(), wait);
  }
}
