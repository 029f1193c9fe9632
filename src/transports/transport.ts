// Transport: how one sync's changes reach its target. Implementations: rsync
// (src/transports/rsync/rsync_transport.ts), rsyncssh (src/transports/rsyncssh/), direct
// (src/transports/direct/), actions (src/transports/actions/); which one serves a sync's mode is
// transport_factory.ts. The sync runner (src/engine/sync_runner.ts) owns the queue, timing,
// process slots and retries; a transport only executes what it is handed and reports the outcome.
// The contract lives here, beside its implementations, so they never import the engine.
//
// Contract:
//   - full(): transfer the whole tree (init, or recovery after an Overflow/RootGone), honouring
//     the delete mode for full runs and the sync's filters/excludes (docs/lsyncd-compat.md#init-and-full-transfers);
//     `withoutDelete`: never delete on the target this time (the mass-delete guard holds);
//   - targetHasEntries(): whether the target holds anything (false also when it does not exist),
//     undefined when it cannot be told; asked only when the source is empty before a full run;
//   - batch(delays): execute one batch from the delay queue, in the given (FIFO) order. Paths are
//     root-relative with a leading '/', directories with a trailing '/', bytes preserved
//     (SyncPath). Moves arrive only if `keepsMoves`;
//   - the outcome maps exit codes through the sync's ok/again/die tables (docs/lsyncd-compat.md#exit-codes-of-transfers): `again` is
//     retried by the runner with backoff, `die` stops this sync only;
//   - `requeue` lists events to queue afresh after this batch (e.g. a move that failed on the
//     target becomes Create(destination) so the content is transferred instead);
//   - `fullResync` asks for a full transfer of this sync after this batch, with the reason (the
//     target's root was found missing: src/transports/target_root.ts);
//   - connect() (optional): make sure the target answers and set up what transfers reuse (the
//     rsyncssh ControlMaster); resolve `ok`, or the failure (`again` with `unreachable` when the
//     target could not be reached: exit_outcome.ts cannotConnect). The runner awaits it BEFORE it
//     asks the Scheduler for a process slot, so a target that is slow to answer or dead waits
//     outside settings.maxProcesses and never keeps a healthy target's transfer waiting. It is
//     called before every transfer: cheap once connected; bounded by the sync's connectTimeout.
//     full()/batch() still connect on their own if the link was lost in between;
//   - an `again` outcome with `unreachable` (from any method) makes the runner show the sync as
//     down (it backs off like any `again`);
//   - never throw: failures are outcomes. Honour ctx.signal (shutdown) by ending promptly.
import type { Log } from '../log/log.js';
import type { BatchOptions } from '../queue/delay_queue.js';
import type { Delay, QueueEvent } from '../queue/events.js';

export type TransferOutcome =
  | { readonly kind: 'ok' }
  /** `unreachable`: the target could not be reached at all (exit_outcome.ts cannotConnect). */
  | { readonly kind: 'again'; readonly reason: string; readonly unreachable?: true }
  | { readonly kind: 'die'; readonly reason: string };

export interface TransferReport {
  readonly outcome: TransferOutcome;
  readonly requeue?: readonly QueueEvent[];
  /** Queue a full resync of this sync (see contract); the text says why. */
  readonly fullResync?: string;
  /** Files/bytes sent, where the transport knows them (metrics). */
  readonly filesSent?: number;
  readonly bytesSent?: number;
}

export interface TransferContext {
  readonly log: Log;
  readonly signal: AbortSignal;
}

export interface FullOptions {
  readonly withoutDelete?: boolean;
}

export interface Transport {
  /** "SRC -> TGT" for logs and status. */
  readonly description: string;
  /** false: the queue splits every Move into Delete + Create (default.rsync has no onMove, docs/lsyncd-compat.md#paths-moves-and-excludes). */
  readonly keepsMoves: boolean;
  /** How the runner cuts batches for this transport (e.g. moves separately for rsyncssh). */
  readonly batchOptions: BatchOptions;
  full(ctx: TransferContext, opts?: FullOptions): Promise<TransferReport>;
  targetHasEntries?(ctx: TransferContext): Promise<boolean | undefined>;
  batch(delays: readonly Delay[], ctx: TransferContext): Promise<TransferReport>;
  /** Connects ahead of a transfer, outside the process slots (see the contract). */
  connect?(ctx: TransferContext): Promise<TransferOutcome>;
  /** Releases connections (ssh masters) and temp files. */
  close(): Promise<void>;
}
