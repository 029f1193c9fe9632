// The daemon's periodic drift check (`verifyInterval = SECONDS` per sync, optional
// `verifyRepair = true`): the same check as `lsyncd-ts verify` (src/transports/verify_target.ts,
// an rsync dry run with checksums against the target) and, with verifyRepair, the same repair as
// `verify --repair` (drift_repair.ts), run by the daemon for each sync that sets an interval.
// The result goes on the sync's runner (SyncRunner.verification, verify_status.ts), where the
// status file, its JSON twin, the metrics and /healthz read it. It lives in the engine layer (it
// drives runners and transports); src/cli/start_daemon.ts creates it, re-plans it after each
// reload and stops it.
//
// Scheduling (per sync, one timer each):
//   - the first check is due `verifyInterval` seconds after start() (or after the reload that
//     started the sync), each next one `verifyInterval` seconds after the previous one ended —
//     a check that takes longer than the interval never runs back to back;
//   - when due, the check runs only while the sync is otherwise idle (SyncRunner.runWhileIdle:
//     state running, nothing queued or running, the mass-delete guard not settling); a busy sync
//     is checked as soon as it becomes idle (runner.whenIdle); a sync that is idle but not
//     running (retrying, source gone, dead) waits for the next interval;
//   - it runs as the runner's side task, not through the Scheduler: it takes no process slot
//     (settings.maxProcesses and the sync's maxProcesses count transfers only), and no transfer of
//     the sync starts while it runs. A transfer that falls due meanwhile aborts it (the rsync is
//     killed) and starts right after; the check is then tried again at the next interval. So a
//     sync that is never idle for a whole check is not checked — its last check's time shows it;
//   - a change that reaches the queue during the check makes its result unreliable (the source
//     moved under it): the result is dropped and the previous one stays.
// Repair (verifyRepair): after a drifted check, unless the mass-delete guard holds the sync (then
// `skipped`: deletes wait for the operator's release), the repair runs without --force — a
// repair past the guard's threshold is `refused` and the target stays drifted, for an operator
// to look at (`lsyncd-ts verify --repair --force`) — and the target is checked again; the status
// shows that check and the repair's outcome.
// Logging: a line when a sync's verdict or its repair's outcome changes (drifted and refused are
// warnings) and each time a repair ran; debug lines (category Debug) otherwise.
// The rules are read with loadSyncRules, as the engine reads them at start-up.
import type { SyncRunner } from './sync_runner.js';
import type { VerifyRepairStatus, VerifyStatus } from './verify_status.js';
import { loadSyncRules } from '../filters/sync_rules.js';
import type { Log } from '../log/log.js';
import { repairDrift } from './drift_repair.js';
import { isClean, type VerifyResult, type VerifyRules, verifySync } from '../transports/verify_target.js';

export interface VerifyHost {
  readonly runners: readonly SyncRunner[];
}

interface Plan {
  timer: NodeJS.Timeout | undefined;
}

/** The verdict of a finished check, as the status shows it (without `at` and repair). */
function statusOf(r: VerifyResult): Omit<VerifyStatus, 'at' | 'repair'> {
  if (r.kind === 'checked') {
    const extra = r.extraIsDrift ? r.extra.count : 0;
    return { state: isClean(r) ? 'clean' : 'drifted', missing: r.missing.count, changed: r.changed.count, extra };
  }
  return { state: 'error', missing: 0, changed: 0, extra: 0, reason: r.reason };
}

function verdictLine(v: VerifyStatus): string {
  if (v.state === 'error') return `drift check failed: ${v.reason ?? 'unknown error'}`;
  if (v.state === 'clean') return 'drift check: target clean';
  return `drift check: target drifted (${v.missing} missing, ${v.changed} changed, ${v.extra} extra)`;
}

export class PeriodicVerify {
  private readonly plans = new Map<SyncRunner, Plan>();
  private readonly checks = new Set<Promise<void>>();
  private readonly stopping = new AbortController();

  constructor(
    private readonly host: VerifyHost,
    private readonly log: Log,
    /** A check finished (the status file is rewritten at once). */
    private readonly changed: () => void,
  ) {}

  /** Plans the syncs that set verifyInterval and drops the ones gone (call after start and after each reload). */
  refresh(): void {
    if (this.stopping.signal.aborted) return;
    const current = new Set(this.host.runners);
    for (const [r, plan] of this.plans) {
      if (current.has(r)) continue;
      clearTimeout(plan.timer);
      this.plans.delete(r);
    }
    for (const r of current) {
      if (r.sync.verifyInterval === undefined || this.plans.has(r)) continue;
      const plan: Plan = { timer: undefined };
      this.plans.set(r, plan);
      this.later(r, plan);
    }
  }

  private later(r: SyncRunner, plan: Plan): void {
    if (this.stopping.signal.aborted || this.plans.get(r) !== plan) return;
    plan.timer = setTimeout(() => this.due(r, plan), (r.sync.verifyInterval ?? 0) * 1000);
  }

  private due(r: SyncRunner, plan: Plan): void {
    plan.timer = undefined;
    if (this.stopping.signal.aborted || this.plans.get(r) !== plan) return;
    const started = r.runWhileIdle((signal) => {
      const p = this.check(r, AbortSignal.any([signal, this.stopping.signal])).finally(() => {
        this.checks.delete(p);
        this.later(r, plan);
      });
      this.checks.add(p);
      return p;
    });
    if (started) return;
    if (r.idle) this.later(r, plan);
    else void r.whenIdle().then(() => this.due(r, plan));
  }

  private async check(r: SyncRunner, signal: AbortSignal): Promise<void> {
    const sync = r.sync;
    const loaded = loadSyncRules(sync);
    if (loaded.rules === undefined || loaded.problems.length > 0) {
      const p = loaded.problems[0];
      this.record(r, { at: Date.now(), ...statusOf({ kind: 'error', target: '', reason: p === undefined ? 'invalid filter/exclude rules' : `${p.key}: ${p.message}` }) });
      return;
    }
    const rules: VerifyRules = { rules: loaded.rules.rules, hasFilters: loaded.hasFilters };
    let result = await verifySync(sync, rules, { limit: 0, signal });
    if (signal.aborted) return;
    let repair: VerifyRepairStatus | undefined;
    if (sync.verifyRepair && result.kind === 'checked' && !isClean(result) && r.idle) {
      if (r.status().deleteHold !== undefined) {
        repair = { at: Date.now(), outcome: 'skipped', reason: 'the mass-delete guard holds this sync\'s deletes; release them ("lsyncd-ts release") or restore the source' };
      } else {
        const outcome = await repairDrift(sync, rules, result.extraIsDrift ? result.extra.count : 0, { ruleList: loaded.rules, force: false, signal });
        if (signal.aborted) return;
        repair = { at: Date.now(), outcome: outcome.kind, ...(outcome.kind !== 'repaired' ? { reason: outcome.reason } : {}) };
        if (outcome.kind === 'repaired') {
          result = await verifySync(sync, rules, { limit: 0, signal });
          if (signal.aborted) return;
        }
      }
    }
    // Changes that reached the queue meanwhile: the source moved under the check (see the header).
    if (!r.idle) {
      this.log.debug('Debug', `${r.name}: changes arrived during the drift check; result dropped`);
      return;
    }
    this.record(r, { at: Date.now(), ...statusOf(result), ...(repair !== undefined ? { repair } : {}) });
  }

  private record(r: SyncRunner, v: VerifyStatus): void {
    const prev = r.verification;
    r.verification = v;
    const same =
      prev !== undefined && prev.state === v.state && prev.missing === v.missing && prev.changed === v.changed && prev.extra === v.extra &&
      prev.reason === v.reason && prev.repair?.outcome === v.repair?.outcome && prev.repair?.reason === v.repair?.reason;
    const repair = v.repair;
    // A repair that ran is news each time; a refused or skipped one only when it first happens.
    if (repair?.outcome === 'repaired') this.log.normal(`${r.name}: target repaired`);
    else if (repair !== undefined && !same) this.log.warn(`${r.name}: repair ${repair.outcome}: ${repair.reason ?? ''}`);
    const line = `${r.name}: ${verdictLine(v)}`;
    if (same) this.log.debug('Debug', line);
    else if (v.state === 'clean') this.log.normal(line);
    else this.log.warn(line);
    this.changed();
  }

  /** No new checks; running ones are aborted and awaited. */
  async stop(): Promise<void> {
    this.stopping.abort();
    for (const plan of this.plans.values()) clearTimeout(plan.timer);
    this.plans.clear();
    await Promise.allSettled([...this.checks]);
  }
}
