// FakeWatcher: a WatcherPort (src/watcher/watcher_port.ts) without inotify, so an engine test can
// drive the engine with records it writes itself, as watchman's FakeWatcher does. Give the engine
// `fakeWatchers().factory` as EngineOptions.watcherFactory (startEngine's opts).
//
// push(records) encodes the records into the typed arrays the addon delivers (RawBatch,
// src/native/native_binding.ts), wraps them in the real EventBatch (src/watcher/event_batch.ts)
// and hands that batch to the engine. It keeps the port's contract: batches arrive in push order,
// one at a time (the next waits until the engine's handler settled), an exception from the
// handler goes to onError, nothing arrives after close(). push() and flush() resolve once the
// engine has handled every batch pushed so far.
//
// add() watches nothing and scans nothing: it resolves with a new root id (0, 1, …) and one
// directory; what the source tree on disk holds is the test's business. A record's `root`
// defaults to the last root added. stats() counts the roots as watches and the Overflow records
// pushed as overflows.
import type { RawBatch } from '../../src/native/native_binding.js';
import { EventBatch, type WatchRecord } from '../../src/watcher/event_batch.js';
import { RecordFlag, RecordKind } from '../../src/watcher/record_kind.js';
import type {
  AddResult,
  BatchHandler,
  RewatchResult,
  WatcherFactory,
  WatcherOptions,
  WatcherPort,
  WatcherStats,
  WatchRule,
} from '../../src/watcher/watcher_port.js';

/** A record to push: `kind` and, where it matters, a root-relative path without leading '/'. */
export type FakeRecord = Pick<WatchRecord, 'kind'> & Partial<Omit<WatchRecord, 'kind'>>;

export class FakeWatcher implements WatcherPort {
  /** The root passed to each add(), by root id; and its rules. */
  readonly roots: { path: string; rules: WatchRule[] }[] = [];
  private delivered: Promise<void> = Promise.resolve();
  private closed = false;
  private overflows = 0;

  constructor(
    readonly options: WatcherOptions,
    private readonly onBatch: BatchHandler,
  ) {}

  async add(root: string, rules: WatchRule[]): Promise<AddResult> {
    if (this.closed) throw new Error('watcher is closed');
    this.roots.push({ path: root, rules: [...rules] });
    return { rootId: this.roots.length - 1, dirs: 1, errors: [] };
  }

  async rewatch(_rootId: number, _rel: Buffer): Promise<RewatchResult> {
    return { dirs: 1, err: 0, errors: [] };
  }

  /** Root ids passed to remove(), in order. */
  readonly removed: number[] = [];

  async remove(rootId: number): Promise<void> {
    this.removed.push(rootId);
  }

  /** Delivers `records` as one batch after the batches pushed before; resolves once it was handled. */
  push(records: readonly FakeRecord[]): Promise<void> {
    const root = this.roots.length - 1;
    const batch = new EventBatch(encodeBatch(records, root));
    this.overflows += records.filter((r) => r.kind === 'Overflow').length;
    this.delivered = this.delivered.then(async () => {
      if (this.closed) return;
      try {
        await this.onBatch(batch);
      } catch (e) {
        this.options.onError?.(e);
      }
    });
    return this.delivered;
  }

  flush(): Promise<void> {
    return this.delivered;
  }

  stats(): WatcherStats {
    return { watches: this.closed ? 0 : this.roots.length, overflows: this.overflows };
  }

  close(): void {
    this.closed = true;
  }
}

/** A watcher factory for the engine and the FakeWatchers it created (one per inotify instance the engine asks for). */
export function fakeWatchers(): { factory: WatcherFactory; watchers: FakeWatcher[] } {
  const watchers: FakeWatcher[] = [];
  const factory: WatcherFactory = (opts, onBatch) => {
    const w = new FakeWatcher(opts, onBatch);
    watchers.push(w);
    return w;
  };
  return { factory, watchers };
}

/** The addon's batch layout for `records`: one typed array per field, paths in one buffer. */
function encodeBatch(records: readonly FakeRecord[], defaultRoot: number): RawBatch {
  const n = records.length;
  const raw: RawBatch = {
    type: 1,
    kind: new Uint8Array(n),
    flags: new Uint8Array(n),
    cookie: new Uint32Array(n),
    root: new Uint16Array(n),
    err: new Int32Array(n),
    pathOff: new Uint32Array(n + 1),
    pathBytes: Buffer.alloc(0),
    flushIds: [],
  };
  const paths: Buffer[] = [];
  let offset = 0;
  records.forEach((r, i) => {
    const bytes = typeof r.path === 'string' || r.path === undefined ? Buffer.from(r.path ?? '', 'utf8') : r.path;
    raw.kind[i] = RecordKind[r.kind];
    raw.flags[i] =
      (r.isDir ? RecordFlag.IsDir : 0) |
      (r.synthetic ? RecordFlag.Synthetic : 0) |
      (Buffer.isBuffer(r.path) ? RecordFlag.NonUtf8 : 0) |
      (r.unpaired ? RecordFlag.Unpaired : 0);
    raw.cookie[i] = r.cookie ?? 0;
    raw.root[i] = r.root ?? defaultRoot;
    raw.err[i] = r.errno ?? 0;
    raw.pathOff[i] = offset;
    paths.push(bytes);
    offset += bytes.length;
  });
  raw.pathOff[n] = offset;
  raw.pathBytes = Buffer.concat(paths);
  return raw;
}
