// systemd Type=notify support (lsyncd has none: lsyncd#438/#495/#465).
//
// Contract (all no-ops when $NOTIFY_SOCKET is unset, i.e. not under systemd):
//   ready()      READY=1 + STATUS=… once start-up succeeded (watches set, init transfers queued);
//                starts the STATUS= refresh (every STATUS_INTERVAL_MS) and, when
//                $WATCHDOG_USEC is set (and $WATCHDOG_PID is unset or ours), WATCHDOG=1 pings at
//                half that period — from the event loop, so a blocked loop stops the pings and
//                systemd's WatchdogSec= restarts the service.
//   reloading()  RELOADING=1 + MONOTONIC_USEC (what Type=notify-reload expects; harmless for
//                Type=notify); reloaded() READY=1 again.
//   stopping()   STOPPING=1 and stops the timers.
// STATUS= text: "<n> syncs: <queued> queued, <running> running, lag <s>s[, <k> not running]".
// A failing send is logged once as a warning and never stops the daemon.
import { sdNotify } from '../system/system_calls.js';

export const STATUS_INTERVAL_MS = 5_000;

export interface NotifyStatusSource {
  status(): readonly { state: string; waiting: number; running: number; lagMs: number }[];
}

export function statusLine(src: NotifyStatusSource): string {
  const st = src.status();
  const queued = st.reduce((n, s) => n + s.waiting, 0);
  const running = st.reduce((n, s) => n + s.running, 0);
  const lag = st.reduce((m, s) => Math.max(m, s.lagMs), 0);
  const down = st.filter((s) => s.state === 'dead' || s.state === 'source-gone' || s.state === 'stopped').length;
  return `${st.length} sync${st.length === 1 ? '' : 's'}: ${queued} queued, ${running} running, lag ${Math.round(lag / 1000)}s${down ? `, ${down} not running` : ''}`;
}

/** CLOCK_MONOTONIC in µs (libuv's hrtime is CLOCK_MONOTONIC on Linux). */
function monotonicUsec(): bigint {
  return process.hrtime.bigint() / 1000n;
}

export class SystemdNotifier {
  private statusTimer: NodeJS.Timeout | undefined;
  private watchdogTimer: NodeJS.Timeout | undefined;
  private warned = false;
  readonly socket: string | undefined;
  readonly watchdogMs: number | undefined;

  constructor(
    private readonly source: NotifyStatusSource,
    private readonly warn: (msg: string) => void,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.socket = env['NOTIFY_SOCKET'] || undefined;
    const usec = Number(env['WATCHDOG_USEC']);
    const wpid = env['WATCHDOG_PID'];
    const forUs = wpid === undefined || wpid === '' || Number(wpid) === process.pid;
    this.watchdogMs = this.socket && forUs && Number.isFinite(usec) && usec > 0 ? Math.max(1, Math.floor(usec / 2000)) : undefined;
  }

  get enabled(): boolean {
    return this.socket !== undefined;
  }

  send(state: string): void {
    if (!this.socket) return;
    try {
      sdNotify(state, this.socket);
    } catch (e) {
      if (!this.warned) this.warn(`systemd notify: ${(e as Error).message}`);
      this.warned = true;
    }
  }

  ready(): void {
    if (!this.socket) return;
    this.send(`READY=1\nSTATUS=${statusLine(this.source)}\nMAINPID=${process.pid}`);
    if (!this.statusTimer) {
      this.statusTimer = setInterval(() => this.send(`STATUS=${statusLine(this.source)}`), STATUS_INTERVAL_MS);
      this.statusTimer.unref();
    }
    if (this.watchdogMs !== undefined && !this.watchdogTimer) {
      this.send('WATCHDOG=1');
      this.watchdogTimer = setInterval(() => this.send('WATCHDOG=1'), this.watchdogMs);
      this.watchdogTimer.unref();
    }
  }

  reloading(): void {
    this.send(`RELOADING=1\nMONOTONIC_USEC=${monotonicUsec()}\nSTATUS=reloading configuration`);
  }

  reloaded(): void {
    this.send(`READY=1\nSTATUS=${statusLine(this.source)}`);
  }

  stopping(): void {
    this.send('STOPPING=1\nSTATUS=stopping: letting running transfers finish');
    this.close();
  }

  close(): void {
    if (this.statusTimer) clearInterval(this.statusTimer);
    if (this.watchdogTimer) clearInterval(this.watchdogTimer);
    this.statusTimer = undefined;
    this.watchdogTimer = undefined;
  }
}
