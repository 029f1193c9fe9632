/**
 * Event and delay types of the per-sync delay queue (docs/lsyncd-compat.md#paths-moves-and-excludes–docs/lsyncd-compat.md#collapsing-events-on-one-path, docs/lsyncd-compat.md#delay-and-maxdelays).
 *
 * An *event* is what the engine feeds in (after exclude filtering and move classification,
 * src/filters/move_filter.ts). A *delay* is a queued unit of work: one or more events on the same
 * path collapsed into one (collapse_table.ts), or a Full resync marker.
 * Paths follow src/paths/byte_path.ts: root-relative, leading "/", directories end in "/".
 */
import type { SyncPath } from '../paths/byte_path.js';

export type PathEventKind = 'Create' | 'Modify' | 'Attrib' | 'Delete';
export type EventKind = PathEventKind | 'Move';
/** `Full`: resync the whole tree (init transfer, overflow/RootGone recovery). */
export type DelayKind = EventKind | 'Full';

export type QueueEvent =
  | {
      readonly kind: PathEventKind;
      readonly path: SyncPath;
      /**
       * The event stands for a moved tree (e.g. Create of the destination after an ssh `mv`
       * failed): a directory then needs its whole subtree transferred. Set by the queue itself
       * when it splits a Move.
       */
      readonly fromMove?: boolean;
    }
  | { readonly kind: 'Move'; readonly path: SyncPath; readonly destination: SyncPath };

/** A queued unit of work, as handed out in a batch. Read-only for callers. */
export interface Delay {
  /** Arrival sequence number, unique per queue; FIFO order is ascending `seq`. */
  readonly seq: number;
  readonly kind: DelayKind;
  /** Origin for a Move; "/" for Full. */
  readonly path: SyncPath;
  /** Destination of a Move, undefined otherwise. */
  readonly destination: SyncPath | undefined;
  /** `path` ends with "/". */
  readonly isDir: boolean;
  /** Time (ms, caller's clock) from which this delay may run: first event + delay, or retry time. */
  readonly alarm: number;
  readonly status: 'wait' | 'active';
  /** True for the Delete/Create halves of a Move that was split (docs/lsyncd-compat.md#collapsing-events-on-one-path `split`, or `splitMoves`). */
  readonly fromMove: boolean;
  /** How many times this delay was handed back with outcome `again`. */
  readonly attempts: number;
  /** Free-form reason of a Full marker ("init", "overflow", …). */
  readonly reason: string | undefined;
}
