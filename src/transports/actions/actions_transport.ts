// ActionsTransport: syncs without a built-in mode (`mode: 'custom'`, lsyncd Layer 2/3): the
// user's onCreate/onModify/onAttrib/onDelete/onMove/onStartup run per event
// (docs/lsyncd-compat.md#sync-keys).
//
// Contract (src/transports/transport.ts):
//   - full(): runs onStartup (lsyncd's Init event; also after an overflow/RootGone resync, where
//     lsyncd restarts and runs onStartup again); without onStartup there is nothing to do (ok).
//   - batch(delays): for each delay in FIFO order, the action of its kind; a kind without an
//     action is skipped (lsyncd: an Attrib with no onAttrib does nothing). The first action that
//     does not end 'ok' decides the outcome and the rest of the batch is not run.
//     batchOptions.limit = 1: one event per batch, as lsyncd runs one process per event — so a
//     retry ('again') repeats only the failed event, and the scheduler's round robin between
//     syncs is per action (tests/schedule.lua fairness, docs/lsyncd-compat.md#test-suite-conventions).
//   - keepsMoves = !!onMove: without onMove the queue splits a Move into Delete + Create (docs/lsyncd-compat.md#paths-moves-and-excludes).
//   - Exit codes go through the sync's `exitcodes` (normalised: {0: ok} plus the user's table);
//     an unlisted code is 'die' as in lsyncd (docs/lsyncd-compat.md#exit-codes-of-transfers: "Failure with Create on … = 3", "Critical
//     exitcode."), except that here only this sync stops. Killed by a signal → 'again'.
//   - Command strings: substitution.ts (no shell for '/'-leading strings; otherwise `sh -c` with
//     the values as positional parameters, never spliced into shell text).
//   - Function actions (TS/JS configs, and Lua functions wrapped by src/config/lua_actions.ts): awaited with a typed ActionEvent (schema.ts) carrying a
//     `run(binary, args, stdin)` spawn helper and the shutdown signal. Return nothing/'ok', 'again',
//     'die' or an exit code (judged by `exitcodes`). A throw is 'die' with the error message —
//     the documented ActionFunction contract and lsyncd's behaviour for a Lua error in an action
//     (the daemon terminates); a transient failure should return 'again' instead, so a bug in
//     user code is not retried forever.
//   - A ^target… variable on a sync without `target` cannot be expanded: every run of that sync
//     ends 'die' with the fix in the reason (lsyncd fails with a Lua error on nil).
//   - Never throws; ctx.signal aborts running actions (their whole process group, run_action.ts)
//     and is handed to functions. An action is done when its process exits, even if something it
//     started in the background still holds its output (lsyncd collects on exit too).
import { constants as osConstants } from 'node:os';

import type { ActionEvent, ActionName, ActionResult, ExitAction, NormalizedCustomSync } from '../../config/schema.js';
import { describeCommand } from '../../process/process_runner.js';
import type { Transport, TransferContext, TransferOutcome, TransferReport } from '../transport.js';
import { displayPath, isDirPath, toBytes, type SyncPath } from '../../paths/byte_path.js';
import type { BatchOptions } from '../../queue/delay_queue.js';
import type { Delay } from '../../queue/events.js';
import type { Command } from '../../process/command.js';
import { classifyExit, processOutcome } from '../exit_outcome.js';
import { runAction } from './run_action.js';
import { byteArgsCommand } from './byte_exact_command.js';
import { actionCommand, describeAction, usesTarget, type SubstitutionContext } from './substitution.js';

const OK: TransferOutcome = { kind: 'ok' };

/** One action to run: which hook, for which paths. */
interface Step {
  readonly name: ActionName;
  readonly etype: ActionEvent['etype'];
  readonly path: SyncPath;
  readonly destination: SyncPath | undefined;
}

/** Text form of a path for ActionEvent and logs (invalid UTF-8 bytes as \xNN; exact bytes in pathBytes). */
function pathString(p: SyncPath): string {
  return typeof p === 'string' ? p : displayPath(p);
}

function joinTarget(base: string, rel: string): string {
  return base.endsWith('/') || base.endsWith(':') ? base + rel : `${base}/${rel}`;
}

export class ActionsTransport implements Transport {
  readonly description: string;
  readonly keepsMoves: boolean;
  readonly batchOptions: BatchOptions = { limit: 1 };
  /** Set when the config cannot work (e.g. ^target without a target): every run dies with it. */
  readonly configProblem: string | undefined;

  constructor(private readonly sync: NormalizedCustomSync) {
    this.description = sync.target === undefined ? sync.source : `${sync.source} -> ${sync.target}`;
    this.keepsMoves = !!sync.actions.onMove;
    let problem: string | undefined;
    if (sync.target === undefined) {
      for (const [name, a] of Object.entries(sync.actions)) {
        if (typeof a === 'string' && usesTarget(a)) {
          problem = `${name} uses a ^target variable but the sync has no target — add target = "..." or remove the variable`;
          break;
        }
      }
    }
    this.configProblem = problem;
  }

  async full(ctx: TransferContext): Promise<TransferReport> {
    if (this.configProblem) return { outcome: { kind: 'die', reason: this.configProblem } };
    if (!this.sync.actions.onStartup) return { outcome: OK };
    return { outcome: await this.runStep({ name: 'onStartup', etype: 'Init', path: '/', destination: undefined }, ctx) };
  }

  async batch(delays: readonly Delay[], ctx: TransferContext): Promise<TransferReport> {
    if (this.configProblem) return { outcome: { kind: 'die', reason: this.configProblem } };
    for (const d of delays) {
      for (const step of this.stepsFor(d)) {
        if (ctx.signal.aborted) return { outcome: { kind: 'again', reason: 'shutting down' } };
        const outcome = await this.runStep(step, ctx);
        if (outcome.kind !== 'ok') return { outcome };
      }
    }
    return { outcome: OK };
  }

  async close(): Promise<void> {}

  private stepsFor(d: Delay): Step[] {
    const a = this.sync.actions;
    const one = (name: ActionName, etype: Step['etype'], path: SyncPath, destination?: SyncPath): Step[] =>
      a[name] ? [{ name, etype, path, destination }] : [];
    switch (d.kind) {
      case 'Create':
        return one('onCreate', 'Create', d.path);
      case 'Modify':
        return one('onModify', 'Modify', d.path);
      case 'Attrib':
        return one('onAttrib', 'Attrib', d.path);
      case 'Delete':
        return one('onDelete', 'Delete', d.path);
      case 'Move':
        if (d.destination === undefined) return [];
        if (a.onMove) return one('onMove', 'Move', d.path, d.destination);
        // The queue splits moves when keepsMoves is false; a Move reaching us anyway is run as
        // lsyncd would have split it.
        return [...one('onDelete', 'Delete', d.path), ...one('onCreate', 'Create', d.destination)];
      case 'Full':
        return one('onStartup', 'Init', '/');
    }
  }

  private async runStep(step: Step, ctx: TransferContext): Promise<TransferOutcome> {
    const action = this.sync.actions[step.name];
    if (action === undefined) return OK;
    const where = step.etype === 'Init' ? this.sync.source : `${this.sync.source.replace(/\/$/, '')}${pathString(step.path)}`;
    if (typeof action === 'function') {
      let result: ActionResult;
      try {
        result = await action(this.eventFor(step, ctx));
      } catch (err) {
        if (ctx.signal.aborted) return { kind: 'again', reason: 'shutting down' };
        const msg = err instanceof Error ? err.message : String(err);
        return { kind: 'die', reason: `${step.name} on ${where} threw: ${msg}` };
      }
      return this.judge(result, `${step.name} on ${where}`);
    }
    const sctx: SubstitutionContext = {
      source: this.sync.source,
      target: this.sync.target,
      path: step.path,
      destination: step.destination,
    };
    let cmd: Command;
    try {
      cmd = actionCommand(action, sctx);
    } catch (err) {
      return { kind: 'die', reason: `${step.name}: ${(err as Error).message}` };
    }
    ctx.log.normal(`Event ${step.etype} spawns ${action.startsWith('/') ? 'action' : 'shell'} "${describeAction(action, sctx)}"`);
    ctx.log.debug('Exec', describeCommand(cmd));
    const res = await runAction(cmd, {
      signal: ctx.signal,
      onLine: (_stream, line) => {
        if (line.trim() !== '') ctx.log.normal(`${this.sync.name} ${step.name}: ${line}`);
      },
    });
    const label = `${step.etype} on ${where}`;
    return processOutcome(res, this.sync.exitcodes, {
      cannotStart: (e) =>
        e.code === 'ENOENT'
          ? `${step.name}: ${cmd.binary} not found — install it or fix the path in ${step.name}`
          : `${step.name}: cannot start ${cmd.binary}: ${e.message}`,
      killed: (signal) => `${label} was killed by ${signal ?? 'a signal'}`,
      exited: (code) => {
        const last = res.stderrTail.split('\n').filter(Boolean).pop();
        return `Failure with ${label} = ${code}${last ? `: ${last}` : ''}`;
      },
    });
  }

  private judge(result: ActionResult, label: string): TransferOutcome {
    if (result === undefined || result === 'ok') return OK;
    if (result === 'again' || result === 'die') return { kind: result, reason: `${label} returned '${result}'` };
    if (typeof result === 'number' && Number.isInteger(result)) {
      const verdict: ExitAction = classifyExit(result, this.sync.exitcodes);
      return verdict === 'ok' ? OK : { kind: verdict, reason: `Failure with ${label} = ${result}` };
    }
    return { kind: 'die', reason: `${label} returned ${String(result)} (expected nothing, 'ok', 'again', 'die' or an exit code)` };
  }

  private eventFor(step: Step, ctx: TransferContext): ActionEvent {
    const sync = this.sync;
    const rel = (p: SyncPath): string => pathString(p).replace(/^\//, '');
    const ev: ActionEvent = {
      etype: step.etype,
      path: pathString(step.path),
      pathBytes: toBytes(step.path),
      sourcePath: sync.source + rel(step.path),
      source: sync.source,
      target: sync.target,
      targetPath: sync.target === undefined ? undefined : joinTarget(sync.target, rel(step.path)),
      isdir: step.etype === 'Init' || isDirPath(step.path),
      signal: ctx.signal,
      run: (binary, args = [], stdin) => this.spawnHelper(step, ctx, binary, args, stdin),
      log: (message) => ctx.log.normal(`${sync.name}: ${message}`),
    };
    if (step.destination !== undefined) {
      const d = step.destination;
      ev.destPath = pathString(d);
      ev.destPathBytes = toBytes(d);
      ev.destSourcePath = sync.source + rel(d);
      ev.destTargetPath = sync.target === undefined ? undefined : joinTarget(sync.target, rel(d));
    }
    return ev;
  }

  private async spawnHelper(step: Step, ctx: TransferContext, binary: string, args: readonly (string | Buffer)[], stdin: Buffer | undefined): Promise<number> {
    const argv = [binary, ...args].map((a) => (typeof a === 'string' ? Buffer.from(a, 'utf8') : a).toString('latin1'));
    const cmd = { ...byteArgsCommand(argv), stdin };
    ctx.log.debug('Exec', describeCommand(cmd));
    const res = await runAction(cmd, {
      signal: ctx.signal,
      onLine: (_stream, line) => {
        if (line.trim() !== '') ctx.log.normal(`${this.sync.name} ${step.name}: ${line}`);
      },
    });
    if (res.spawnError) throw new Error(`cannot start ${binary}: ${res.spawnError.message}`);
    if (res.code !== null) return res.code;
    const signo = res.signal ? (osConstants.signals as Record<string, number>)[res.signal] : undefined;
    return 128 + (signo ?? 0);
  }
}
