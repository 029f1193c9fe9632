// InletActionTransport: lsyncd's `action = function(inlet)` in front of a built-in transport
// (a default.rsync / default.rsyncssh / default.direct sync whose Lua config overrides `action`,
// as lsyncd's tests/cron-rsync.lua and examples/lpostcmd.lua do). The engine keeps its queue,
// collapsing and scheduling; for each batch it is due to run, the user's function decides.
//
// Contract (src/transports/transport.ts):
//   - batch(delays): the InletAction (schema.ts; the Lua half is src/config/lua_actions.ts) sees
//     the batch's events and returns a plan: the events handed to default.X.action(inlet) run in
//     the wrapped transport as one batch (its report — requeues, full resync, counts — is kept);
//     then the children the function spawned run one after the other, without a shell, judged by
//     the plan's judge (lsyncd's collect) or the sync's exit-code table. Discarded events (and
//     events the function did nothing with) are done. Outcome: the worst of all ('die' over
//     'again' over 'ok').
//   - A throw (a Lua error, an unsupported call) is 'die' with its message, as for actions.
//   - full() (startup, crontab, resync), keepsMoves, batchOptions, targetHasEntries and close()
//     are the wrapped transport's: lsyncd runs the startup through init, not through action, and
//     a crontab Full that reaches action there is run by default.X.action the same way.
import { constants as osConstants } from 'node:os';

import type { ExitAction, InletAction, InletEvent, NormalizedSync } from '../../config/schema.js';
import { toBytes } from '../../paths/byte_path.js';
import { describeCommand } from '../../process/process_runner.js';
import type { BatchOptions } from '../../queue/delay_queue.js';
import type { Delay } from '../../queue/events.js';
import { classifyExit, type ExitTable } from '../exit_outcome.js';
import type { FullOptions, Transport, TransferContext, TransferOutcome, TransferReport } from '../transport.js';
import { byteArgsCommand } from './byte_exact_command.js';
import { runAction } from './run_action.js';

const RANK: Record<TransferOutcome['kind'], number> = { ok: 0, again: 1, die: 2 };

function worse(a: TransferOutcome, b: TransferOutcome): TransferOutcome {
  return RANK[b.kind] > RANK[a.kind] ? b : a;
}

function eventOf(d: Delay): InletEvent {
  return { etype: d.kind, path: toBytes(d.path), path2: d.destination === undefined ? undefined : toBytes(d.destination) };
}

/** The table children of this sync are judged by when there is no collect (lsyncd's default.collect). */
function exitTable(sync: NormalizedSync): ExitTable {
  switch (sync.mode) {
    case 'custom':
      return sync.exitcodes;
    default:
      return sync.rsyncExitCodes;
  }
}

export class InletActionTransport implements Transport {
  readonly description: string;
  readonly keepsMoves: boolean;
  readonly batchOptions: BatchOptions;
  readonly targetHasEntries?: Transport['targetHasEntries'];

  constructor(
    private readonly sync: NormalizedSync,
    private readonly action: InletAction,
    private readonly inner: Transport,
  ) {
    this.description = inner.description;
    this.keepsMoves = inner.keepsMoves;
    this.batchOptions = inner.batchOptions;
    if (inner.targetHasEntries !== undefined) this.targetHasEntries = (ctx) => inner.targetHasEntries!(ctx);
  }

  full(ctx: TransferContext, opts?: FullOptions): Promise<TransferReport> {
    return this.inner.full(ctx, opts);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  async batch(delays: readonly Delay[], ctx: TransferContext): Promise<TransferReport> {
    const target = 'target' in this.sync ? this.sync.target : undefined;
    let plan;
    try {
      plan = this.action({
        source: this.sync.source,
        target,
        events: delays.map(eventOf),
        log: (message) => ctx.log.normal(`${this.sync.name}: ${message}`),
      });
    } catch (err) {
      return { outcome: { kind: 'die', reason: `action(inlet) on ${this.sync.source}: ${(err as Error).message}` } };
    }
    try {
      let report: TransferReport = { outcome: { kind: 'ok' } };
      if (plan.toTransport.length > 0) {
        report = await this.inner.batch(plan.toTransport.map((i) => delays[i]!), ctx);
      }
      let outcome = report.outcome;
      for (const [n, child] of plan.children.entries()) {
        if (ctx.signal.aborted) return { ...report, outcome: worse(outcome, { kind: 'again', reason: 'shutting down' }) };
        outcome = worse(outcome, await this.runChild(n, child, plan.judge, ctx));
      }
      return { ...report, outcome };
    } catch (err) {
      return { outcome: { kind: 'die', reason: `collect on ${this.sync.source}: ${(err as Error).message}` } };
    } finally {
      plan.done?.();
    }
  }

  private async runChild(
    n: number,
    child: { readonly binary: string; readonly args: readonly Buffer[]; readonly stdin?: Buffer | undefined },
    judge: ((child: number, code: number) => ExitAction) | undefined,
    ctx: TransferContext,
  ): Promise<TransferOutcome> {
    const cmd = { ...byteArgsCommand([Buffer.from(child.binary, 'utf8'), ...child.args].map((b) => b.toString('latin1'))), stdin: child.stdin };
    ctx.log.debug('Exec', describeCommand(cmd));
    const res = await runAction(cmd, {
      signal: ctx.signal,
      onLine: (_stream, line) => {
        if (line.trim() !== '') ctx.log.normal(`${this.sync.name} action: ${line}`);
      },
    });
    if (res.spawnError) return { kind: 'die', reason: `action(inlet): cannot start ${child.binary}: ${res.spawnError.message}` };
    const signo = res.signal ? (osConstants.signals as Record<string, number>)[res.signal] : undefined;
    const code = res.code ?? 128 + (signo ?? 0);
    const verdict = judge !== undefined ? judge(n, code) : classifyExit(res.code, exitTable(this.sync));
    if (verdict === 'ok') return { kind: 'ok' };
    return { kind: verdict, reason: `Failure with ${child.binary} spawned by action(inlet) = ${code}` };
  }
}
