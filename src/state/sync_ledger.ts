// Sync ledger: one sync's manifest kept in step with its transfers, and its catch-up at start-up.
//
// The invariant (docs/state.md): the manifest never claims more than the target has. A path the
// manifest records with signature S (source_scan.ts) was transferred while it had signature S, or
// later. Hence:
//   - prepare() runs BEFORE a transfer starts: it lstat()s the batch's paths (and walks a moved-in
//     directory's subtree, or the whole source for a full transfer) and returns the record;
//   - paths the transfer may CREATE on the target and the manifest does not know yet are marked
//     PENDING first (one transaction before the transfer): the manifest claims nothing about
//     their content, but the catch-up knows they may exist and deletes or re-sends them. A
//     subtree transfer (a moved-in directory, a moved directory, a full transfer) also marks its
//     directory *unsettled*: rsync sends entries created after the walk too, which only their own later
//     events record. The marks go once the runner's queue is empty (settled()); a catch-up
//     re-sends an unsettled directory's subtree, and an unsettled root means a full start;
//   - the record is applied (ONE transaction, state_store.ts) only AFTER the transfer succeeded.
//     What changes during the transfer has a live event queued; should the daemon die before
//     that event's transfer is recorded, the next start sees another signature and sends it
//     again. A kill -9 at any point leaves the old manifest, or the new one: both ≤ the target;
//   - what a batch's record holds, per delay: Create/Modify/Attrib → the path's signature as
//     lstat()ed before (a directory only itself: rsync sends a plain directory event without its
//     entries), a moved-in directory (Create with fromMove) → its whole subtree, a path gone
//     before the transfer → left as it was (its Delete event follows); Delete → the path and its
//     subtree removed; Move (rsyncssh's remote mv) → the subtree renamed; a delay the transport
//     hands back for a requeue (a failed remote mv) → left with its pending mark; a full
//     transfer → the whole manifest replaced by the scan;
//   - a write failure (disk full, read-only state directory), or too little free space before a
//     write (state_store.ts), is logged once, as one line with the path and the fix; the database
//     is dropped (without its pending marks a manifest could miss a path the target received), so
//     the next start does full transfers; every ledger stops recording.
// catchUp() compares the source, walked after the watch is set, with the manifest and hands the
// difference to the runner as ordinary events (catch_up.ts), re-checking each against the file
// system at that moment (see there). The runner also uses it in place of a backlog it dropped
// while the target was away (backlogCover()): what the dropped events changed is exactly what
// differs between the source and the manifest, since nothing of the backlog was recorded.
import type { RuleList } from '../filters/rule_list.js';
import type { Log } from '../log/log.js';
import { fromByteString, toByteString } from '../paths/byte_path.js';
import type { Delay, QueueEvent } from '../queue/events.js';
import { planCatchUp, settleCatchUp } from './catch_up.js';
import { PENDING, statEntries, statEntry, walkTree, type EntryMap } from './source_scan.js';
import type { ManifestOp, StateStore } from './state_store.js';

/** How long the queue must stay empty before unsettled marks are cleared (see settled()). */
const SETTLE_MS = 1000;

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
  /** Unsettled marks may be stored (set by this run, or left by the previous one). */
  private unsettled = true;
  /** Transfers prepared so far (settled() waits for a quiet period without one). */
  private transfers = 0;
  private settleTimer: NodeJS.Timeout | undefined;

  constructor(private readonly o: LedgerOptions) {}

  /** Why start-up needs a full transfer, or undefined when the catch-up can replace it. */
  get fullReason(): string | undefined {
    return this.o.fullReason;
  }

  /**
   * What replaces a backlog the runner dropped (sync_runner.ts, `maxBacklog`): a catch-up from
   * the manifest; a full transfer while the root is unsettled (entries a full transfer sent beyond
   * its walk are recorded only by their own events, which the dropped queue held); undefined while
   * nothing is recorded (a write fault): the runner then keeps its queue.
   */
  backlogCover(): 'catch-up' | 'full' | undefined {
    if (this.broken) return undefined;
    try {
      return this.o.store.unsettled(this.o.name).includes('/') ? 'full' : 'catch-up';
    } catch {
      return 'full';
    }
  }

  /** Stats the batch's paths before its transfer (see the header); apply the result after success. */
  prepare(delays: readonly Delay[], full: boolean): LedgerRecord {
    this.transfers++;
    if (this.broken) return () => {};
    const { store, name, fingerprint, rootBytes, rules } = this.o;
    if (full) {
      const scan = walkTree(rootBytes, '/', rules);
      this.write(() => store.apply(name, fingerprint, [{ kind: 'unsettled', path: '/' }]));
      this.unsettled = true;
      return () => this.write(() => store.replace(name, fingerprint, scan));
    }
    const pending: ManifestOp[] = [];
    const ops: { op: ManifestOp; paths: string[] }[] = [];
    // The plain paths are lstat()ed in one call.
    const plain = delays.filter(isPlainPath).map((d) => toByteString(d.path));
    const stats = statEntries(rootBytes, plain);
    const sigOf = new Map<string, string | undefined>();
    for (let i = 0; i < plain.length; i++) sigOf.set(plain[i]!, stats[i]);
    const mark = (p: string, always: boolean): void => {
      if (always || store.entry(name, p) === undefined) pending.push({ kind: 'put', path: p, sig: PENDING });
    };
    for (const d of delays) {
      const p = toByteString(d.path);
      if (isPlainPath(d)) {
        const sig = sigOf.get(p);
        // Gone already: its Delete event follows; the manifest keeps what it knew.
        if (sig === undefined) continue;
        mark(p, false);
        ops.push({ op: { kind: 'put', path: p, sig }, paths: [p] });
        continue;
      }
      if (d.kind === 'Full') continue;
      if (d.kind === 'Delete') ops.push({ op: { kind: 'remove', path: p }, paths: [p] });
      else if (d.kind === 'Move') {
        const to = toByteString(d.destination ?? d.path);
        mark(to, true);
        // A move the target cannot rename in place falls back to copying the destination's tree
        // (direct, a failed remote mv): unsettled like any subtree transfer.
        if (d.isDir) {
          pending.push({ kind: 'unsettled', path: to });
          this.unsettled = true;
        }
        ops.push({ op: { kind: 'move', path: p, to }, paths: [p, to] });
      } else {
        // A moved-in directory: its whole subtree.
        mark(p, true);
        pending.push({ kind: 'unsettled', path: p });
        this.unsettled = true;
        const tree = walkTree(rootBytes, p, rules);
        ops.push({ op: { kind: 'remove', path: p }, paths: [p] });
        for (const [q, sig] of tree) ops.push({ op: { kind: 'put', path: q, sig }, paths: [p] });
      }
    }
    if (pending.length > 0) this.write(() => store.apply(name, fingerprint, pending));
    if (ops.length === 0) return () => {};
    return (requeue) => {
      const again = new Set(requeue.map((ev) => trimDir(toByteString(ev.path))));
      // A delay the transport handed back (a failed remote mv) changed nothing for sure: its
      // pending marks stay until the requeued event's own transfer.
      const out = ops.filter(({ paths }) => !paths.some((q) => again.has(trimDir(q)))).map(({ op }) => op);
      this.write(() => store.apply(name, fingerprint, out));
    };
  }

  /**
   * The runner's queue is empty: every event read so far is transferred and recorded. Once it is
   * still empty SETTLE_MS later with no transfer in between (events of what a subtree transfer
   * sent beyond its walk may still be on their way from the kernel), those transfers' extra
   * entries have been recorded by their own events, and the unsettled marks go.
   */
  settled(stillIdle: () => boolean): void {
    if (!this.unsettled || this.broken) return;
    const at = this.transfers;
    clearTimeout(this.settleTimer);
    this.settleTimer = setTimeout(() => {
      if (this.transfers !== at || !stillIdle() || this.broken) return;
      this.unsettled = false;
      this.write(() => this.o.store.settle(this.o.name));
      this.o.log.debug('State', `${this.o.name}: settled (a restart now catches up)`);
    }, SETTLE_MS);
    this.settleTimer.unref();
  }

  /**
   * Walks the source and queues the difference to the manifest through `ingest`; returns how
   * many events were queued. Throws when the manifest cannot be read (the caller then queues the
   * full init transfer instead).
   */
  catchUp(ingest: (ev: QueueEvent) => void): number {
    const manifest: EntryMap = this.o.store.manifest(this.o.name);
    // An unsettled directory may hold on the target what the manifest does not know: send its
    // whole subtree again (with the sync's delete mode, that also removes what the source lacks).
    for (const dir of this.o.store.unsettled(this.o.name)) if (dir !== '/') manifest.set(dir, PENDING);
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
    const { store } = this.o;
    let problem = store.writable();
    if (problem === 'the state database was dropped') {
      // Another sync hit the fault and said so.
      this.broken = true;
      return;
    }
    if (problem === undefined) {
      try {
        tx();
        return;
      } catch (e) {
        problem = (e as Error).message;
      }
    }
    // Without its pending marks the manifest may miss what the target received: the database
    // goes, and the next start does full transfers.
    this.broken = true;
    store.drop();
    this.o.log.error(
      `${this.o.name}: cannot write the sync state in ${store.dir} (${problem}) — free space or make it writable; no state is kept until the restart, which does full transfers`,
    );
  }
}

/** A Create/Modify/Attrib of one path (not a moved-in directory): recorded by its own lstat. */
function isPlainPath(d: Delay): boolean {
  return d.kind !== 'Full' && d.kind !== 'Delete' && d.kind !== 'Move' && !(d.isDir && d.fromMove);
}

const trimDir = (p: string): string => (p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p);
