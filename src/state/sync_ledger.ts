// Sync ledger: one sync's manifest kept in step with its transfers, and its catch-up at start-up.
//
// The invariant (docs/state.md): the manifest never claims more than the target has. A path the
// manifest records with signature S (source_scan.ts) was transferred while it had signature S, or
// later. Hence:
//   - prepare() runs BEFORE a transfer starts: it lstat()s the batch's paths (and walks a moved-in
//     directory's subtree, or the whole source for a full transfer) and returns the record;
//   - the record is applied (ONE transaction, state_store.ts) only AFTER the transfer succeeded.
//     What changes during the transfer has a live event queued; should the daemon die before
//     that event's transfer is recorded, the next start sees another signature and sends it
//     again. A kill -9 at any point leaves the old manifest, or the new one: both ≤ the target;
//   - what a batch's record holds, per delay: Create/Modify/Attrib → the path's signature as
//     lstat()ed before (a directory only itself: rsync sends a plain directory event without its
//     entries), a moved-in directory (Create with fromMove) → its whole subtree, a path gone
//     before the transfer → removed; Delete → the path and its subtree removed; Move (rsyncssh's
//     remote mv) → the subtree renamed; a path the transport hands back for a requeue (a failed
//     remote mv) → removed instead (claiming less is always safe); a full transfer → the whole
//     manifest replaced by the scan;
//   - a write failure (disk full, read-only state directory) is logged once, as one line with the
//     path and the fix, and the ledger stops recording: the manifest on disk stays older than the
//     target, which only costs re-transfers after the next start.
// catchUp() compares the source, walked after the watch is set, with the manifest and hands the
// difference to the runner as ordinary events (catch_up.ts), re-checking each against the file
// system at that moment (see there).
import type { RuleList } from '../filters/rule_list.js';
import type { Log } from '../log/log.js';
import { fromByteString, toByteString } from '../paths/byte_path.js';
import type { Delay, QueueEvent } from '../queue/events.js';
import { planCatchUp, settleCatchUp } from './catch_up.js';
import { statEntry, walkTree, type EntryMap } from './source_scan.js';
import type { ManifestOp, StateStore } from './state_store.js';

/** Applies a prepared record after the transfer succeeded; `requeue` is the transport's. */
export type LedgerRecord = (requeue: readonly QueueEvent[]) => void;

export interface LedgerOptions {
  readonly store: StateStore;
  readonly name: string;
  readonly fingerprint: string;
  /** The resolved source as a byte string with a trailing '/' (source_scan.ts sourceRootBytes). */
  readonly rootBytes: string;
  readonly rules: RuleList;
  readonly log: Log;
  /** Why the catch-up cannot replace the init transfer; undefined when it can. */
  readonly fullReason: string | undefined;
}

export class SyncLedger {
  private broken = false;

  constructor(private readonly o: LedgerOptions) {}

  /** Why start-up needs a full transfer, or undefined when the catch-up can replace it. */
  get fullReason(): string | undefined {
    return this.o.fullReason;
  }

  /** Stats the batch's paths before its transfer (see the header); apply the result after success. */
  prepare(delays: readonly Delay[], full: boolean): LedgerRecord {
    if (this.broken) return () => {};
    if (full) {
      const scan = walkTree(this.o.rootBytes, '/', this.o.rules);
      return () => this.write(() => this.o.store.replace(this.o.name, this.o.fingerprint, scan));
    }
    const ops: { op: ManifestOp; paths: string[] }[] = [];
    for (const d of delays) {
      const p = toByteString(d.path);
      if (d.kind === 'Full') continue;
      if (d.kind === 'Delete') ops.push({ op: { kind: 'remove', path: p }, paths: [p] });
      else if (d.kind === 'Move') {
        const to = toByteString(d.destination ?? d.path);
        ops.push({ op: { kind: 'move', path: p, to }, paths: [p, to] });
      } else if (d.isDir && d.fromMove) {
        const tree = walkTree(this.o.rootBytes, p, this.o.rules);
        ops.push({ op: { kind: 'remove', path: p }, paths: [p] });
        for (const [q, sig] of tree) ops.push({ op: { kind: 'put', path: q, sig }, paths: [p] });
      } else {
        const sig = statEntry(this.o.rootBytes, p);
        ops.push({ op: sig === undefined ? { kind: 'remove', path: p } : { kind: 'put', path: p, sig }, paths: [p] });
      }
    }
    if (ops.length === 0) return () => {};
    return (requeue) => {
      const again = new Set(requeue.map((ev) => trimDir(toByteString(ev.path))));
      const out: ManifestOp[] = [];
      for (const { op, paths } of ops) {
        const handedBack = paths.filter((q) => again.has(trimDir(q)));
        if (handedBack.length === 0) out.push(op);
        else for (const q of paths) out.push({ kind: 'remove', path: q });
      }
      this.write(() => this.o.store.apply(this.o.name, this.o.fingerprint, out));
    };
  }

  /**
   * Walks the source and queues the difference to the manifest through `ingest`; returns how
   * many events were queued. Throws when the manifest cannot be read (the caller then queues the
   * full init transfer instead).
   */
  catchUp(ingest: (ev: QueueEvent) => void): number {
    const manifest: EntryMap = this.o.store.manifest(this.o.name);
    const local = walkTree(this.o.rootBytes, '/', this.o.rules);
    const planned = planCatchUp(manifest, local);
    // Re-checked against the file system in one synchronous pass: no live event can slip in
    // between the check and the queueing (catch_up.ts settleCatchUp).
    const events = settleCatchUp(planned, (p) => statEntry(this.o.rootBytes, p));
    for (const ev of events) ingest(ev.kind === 'Move' ? { kind: 'Move', path: fromByteString(ev.path), destination: fromByteString(ev.destination) } : { kind: ev.kind, path: fromByteString(ev.path), ...(ev.fromMove ? { fromMove: true } : {}) });
    return events.length;
  }

  private write(tx: () => void): void {
    if (this.broken) return;
    try {
      tx();
    } catch (e) {
      this.broken = true;
      this.o.log.error(
        `${this.o.name}: cannot write the sync state in ${this.o.store.dir} (${(e as Error).message}) — free space or make it writable; until the restart this sync keeps no state and the next start catches up from an older manifest`,
      );
    }
  }
}

const trimDir = (p: string): string => (p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p);
