// State store: the per-sync manifests on disk, in one LMDB environment (lmdb-js, docs/state.md
// says why) at <stateDir>/state.mdb.
//
// Contract:
//   - open(dir) creates the directory 0700 when missing and opens the database; every failure is
//     a StateError whose message is one line naming the path and the fix (the caller then runs
//     without state). A database of another schema version is emptied (`discarded` says so); a
//     database that cannot be opened at all (corrupt) is moved aside and a fresh one is created;
//   - two databases: `meta` (sync name → { fingerprint }) and `entries` (key "<sync>\0<path>" →
//     entry signature, src/state/source_scan.ts; key "<sync>\1<dir>" → a directory a subtree
//     transfer went into whose later events are not all recorded yet: sync_ledger.ts). Paths are
//     byte strings;
//   - replace() and apply() are each ONE synchronous transaction (committed when they return): a
//     reader (the next start-up) sees a manifest either before or after a whole batch, never half
//     of one, and a later batch's record never lands before an earlier one's. They throw on a
//     write failure (disk full, read-only); the caller stops keeping state then;
//   - a path whose key would exceed LMDB's key size is not recorded: the manifest then claims less
//     than the target holds, which only costs a re-transfer of that path after a restart;
//   - free space: LMDB writes through a memory map, and a file system that runs full under it can
//     kill the process (SIGBUS) instead of failing the write. So open() refuses a directory with
//     less than MIN_FREE_BYTES free, and writable() tells the ledger before each write whether
//     that is still true; drop() then unlinks the database (no space needed), so the next start
//     does a full transfer rather than trusting a manifest that missed writes;
//   - the directory lock (one daemon per state directory) is the caller's, and must be held
//     before open(): src/cli/open_state.ts. open() relies on it to discard LMDB's own lock file,
//     which a daemon killed during a write leaves locked.
import { chmodSync, closeSync, mkdirSync, openSync, readSync, renameSync, statfsSync, statSync, unlinkSync } from 'node:fs';
import path from 'node:path';

import { createRequire } from 'node:module';

import type { Database, RootDatabase } from 'lmdb';

import type { EntryMap } from './source_scan.js';

/** Version of the layout below; a database written with another one is emptied on open. */
export const STATE_SCHEMA = 1;
const SCHEMA_KEY = '\u0000schema';
/** LMDB's default maximum key size is 1978 bytes; stay below it. */
const MAX_KEY_BYTES = 1900;
/** LMDB's meta page magic (0xBEEFC0DE) and where lmdb-js's build puts it in page 0. */
const META_MAGIC = 0xbeefc0de;
const META_MAGIC_OFFSET = 24;
/** Free space below which the store refuses to write (see the header). */
export const MIN_FREE_BYTES = 32 * 1024 * 1024;

export class StateError extends Error {}

/** One change to a manifest, applied after a transfer succeeded (src/state/sync_ledger.ts). */
export type ManifestOp =
  | { readonly kind: 'put'; readonly path: string; readonly sig: string }
  /** The path, and the subtree when it is (or was) a directory. */
  | { readonly kind: 'remove'; readonly path: string }
  /** The path and its subtree now live at `to` (a remote rename). */
  | { readonly kind: 'move'; readonly path: string; readonly to: string }
  /** Marks a directory unsettled (see the header); '/' for a full transfer. */
  | { readonly kind: 'unsettled'; readonly path: string };

interface Meta {
  readonly fingerprint: string;
}

const base = (p: string): string => (p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p);

export class StateStore {
  /** Set by drop(): the database is gone, nothing is written any more. */
  private dropped = false;

  private constructor(
    readonly dir: string,
    private readonly file: string,
    private readonly root: RootDatabase,
    private readonly meta: Database<Meta | number, string>,
    private readonly entries: Database<string, string>,
    /** Set when open() found a database of another schema version (and emptied it). */
    readonly discarded: string | undefined,
    /** Set when open() had to move a corrupt database aside. */
    readonly recovered: string | undefined,
  ) {}

  static open(dir: string): StateStore {
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      if ((statSync(dir).mode & 0o077) !== 0) chmodSync(dir, 0o700);
    } catch (e) {
      throw new StateError(`state directory ${dir} cannot be created (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}) — create it writable for this user, or set settings.stateDir to another directory`);
    }
    const file = path.join(dir, 'state.mdb');
    loadLmdb(); // before anything below could take a load failure for a corrupt file
    const space = spaceProblem(dir);
    if (space !== undefined) throw unwritable(dir, new Error(space));
    let recovered: string | undefined;
    let root: RootDatabase;
    try {
      const problem = notAnLmdbFile(file);
      if (problem !== undefined) throw new Error(problem);
      root = openRoot(file);
    } catch (e) {
      if (isAccessError(e)) throw unwritable(dir, e);
      const aside = `${file}.corrupt-${Date.now()}`;
      try {
        renameSync(file, aside);
        root = openRoot(file);
      } catch (e2) {
        throw isAccessError(e2) ? unwritable(dir, e2) : new StateError(`state database ${file} cannot be opened (${(e as Error).message}) — remove it; the next start does a full transfer`);
      }
      recovered = `state database ${file} could not be opened (${(e as Error).message}); moved aside to ${aside}`;
    }
    try {
      const meta = root.openDB<Meta | number, string>({ name: 'meta', encoding: 'msgpack' });
      const entries = root.openDB<string, string>({ name: 'entries', encoding: 'string' });
      const schema = meta.get(SCHEMA_KEY);
      let discarded: string | undefined;
      if (schema !== STATE_SCHEMA) {
        if (schema !== undefined) discarded = `state database ${file} has schema version ${String(schema)}, this lsyncd-ts writes ${STATE_SCHEMA}; its manifests were discarded`;
        root.transactionSync(() => {
          meta.clearSync();
          entries.clearSync();
          meta.putSync(SCHEMA_KEY, STATE_SCHEMA);
        });
      }
      return new StateStore(dir, file, root, meta, entries, discarded, recovered);
    } catch (e) {
      void root.close();
      throw isAccessError(e) ? unwritable(dir, e) : new StateError(`state database ${file} cannot be used (${(e as Error).message}) — remove it; the next start does a full transfer`);
    }
  }

  /** The fingerprint the stored manifest of `name` belongs to; undefined when there is none. */
  fingerprint(name: string): string | undefined {
    const m = this.meta.get(name);
    return typeof m === 'object' ? m.fingerprint : undefined;
  }

  /** The stored signature of one path of `name`'s manifest. */
  entry(name: string, p: string): string | undefined {
    return this.entries.get(`${name}\u0000${p}`);
  }

  /** The directories of `name` marked unsettled. */
  unsettled(name: string): string[] {
    const prefix = `${name}\u0001`;
    return [...this.entries.getKeys({ start: prefix, end: `${name}\u0002` })].map((k) => k.slice(prefix.length));
  }

  /** Clears the unsettled marks of `name` (every event it queued is recorded). */
  settle(name: string): void {
    this.root.transactionSync(() => this.removeRange(name, `${name}\u0001`, `${name}\u0002`));
  }

  /** The stored manifest of `name` (path → signature). */
  manifest(name: string): EntryMap {
    const out: EntryMap = new Map();
    const prefix = `${name}\u0000`;
    for (const { key, value } of this.entries.getRange({ start: prefix, end: `${name}\u0001` })) {
      out.set(key.slice(prefix.length), value);
    }
    return out;
  }

  /** Replaces the manifest of `name` in one transaction (after a full transfer). */
  replace(name: string, fingerprint: string, manifest: EntryMap): void {
    this.root.transactionSync(() => {
      this.removeRange(name, `${name}\u0000`, `${name}\u0001`);
      for (const [p, sig] of manifest) this.put(name, p, sig);
      this.meta.putSync(name, { fingerprint });
    });
  }

  /** Applies a batch's changes in one transaction, only while `fingerprint` is the stored one. */
  apply(name: string, fingerprint: string, ops: readonly ManifestOp[]): void {
    this.root.transactionSync(() => {
      if (this.fingerprint(name) !== fingerprint) return;
      for (const op of ops) {
        if (op.kind === 'put') this.put(name, op.path, op.sig);
        else if (op.kind === 'unsettled') this.entries.putSync(`${name}\u0001${op.path}`, '1');
        else if (op.kind === 'remove') this.removeTree(name, op.path);
        else this.moveTree(name, op.path, op.to);
      }
    });
  }

  /** Why a write must not be tried now (dropped, too little free space), or undefined. */
  writable(): string | undefined {
    return this.dropped ? 'the state database was dropped' : spaceProblem(this.dir);
  }

  /** Removes the database file (all syncs): the next start does full transfers. Needs no space. */
  drop(): void {
    this.dropped = true;
    try {
      unlinkSync(this.file);
    } catch {
      // Already gone.
    }
  }

  /** Waits for pending transactions, then closes the database. */
  async close(): Promise<void> {
    await this.root.close();
  }

  private put(name: string, p: string, sig: string): void {
    const key = `${name}\u0000${p}`;
    if (Buffer.byteLength(key) > MAX_KEY_BYTES) return;
    this.entries.putSync(key, sig);
  }

  private removeRange(_name: string, start: string, end: string): void {
    for (const key of this.entries.getKeys({ start, end })) this.entries.removeSync(key);
  }

  private removeTree(name: string, p: string): void {
    const b = base(p);
    this.entries.removeSync(`${name}\u0000${b}`);
    // '0' follows '/': the range holds b + '/' and everything below it.
    this.removeRange(name, `${name}\u0000${b}/`, `${name}\u0000${b}0`);
  }

  private moveTree(name: string, from: string, to: string): void {
    const f = base(from);
    const t = base(to);
    const moved: [string, string][] = [];
    const prefix = `${name}\u0000`;
    const own = this.entries.get(`${prefix}${f}`);
    if (own !== undefined) moved.push([t, own]);
    for (const { key, value } of this.entries.getRange({ start: `${prefix}${f}/`, end: `${prefix}${f}0` })) {
      moved.push([t + key.slice(prefix.length + f.length), value]);
    }
    this.removeTree(name, from);
    this.removeTree(name, to);
    for (const [p, sig] of moved) this.put(name, p, sig);
  }
}

/**
 * Why `file` cannot be an LMDB data file, or undefined (also when it does not exist yet). LMDB
 * trusts its file: opening garbage can crash the process, so the first meta page's magic number
 * is checked first. This catches a truncated, zeroed or foreign file, not every corruption.
 */
function notAnLmdbFile(file: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    const head = Buffer.alloc(META_MAGIC_OFFSET + 4);
    const n = readSync(fd, head, 0, head.length, 0);
    return n === head.length && head.readUInt32LE(META_MAGIC_OFFSET) === META_MAGIC ? undefined : 'not an LMDB database (bad magic number)';
  } finally {
    closeSync(fd);
  }
}

/** Why `dir`'s file system has too little free space for the store, or undefined. */
function spaceProblem(dir: string): string | undefined {
  try {
    const st = statfsSync(dir);
    const free = st.bavail * st.bsize;
    return free < MIN_FREE_BYTES ? `only ${Math.floor(free / 1024)} KiB free, ${MIN_FREE_BYTES / 1024 / 1024} MiB needed` : undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

function openRoot(file: string): RootDatabase {
  // LMDB's lock file holds the mutexes of the processes using the database. A daemon killed in
  // a write transaction leaves its writer mutex taken, and the next open would wait on it for
  // ever. The caller's directory lock guarantees that no other process uses the database now,
  // so the lock file is stale by definition: LMDB creates it afresh.
  try {
    unlinkSync(`${file}-lock`);
  } catch {
    // None yet.
  }
  return loadLmdb().open({ path: file, maxDbs: 4, compression: false });
}

let lmdb: typeof import('lmdb') | undefined;

/**
 * lmdb, loaded on first use rather than at start-up: its prebuilt binary needs a newer glibc
 * (2.34) than the rest of lsyncd-ts (2.28, packaging/runtime.conf). Where it cannot load, the
 * state is off with one error line (a StateError) and the daemon runs with full init transfers.
 */
function loadLmdb(): typeof import('lmdb') {
  if (lmdb === undefined) {
    try {
      lmdb = createRequire(import.meta.url)('lmdb') as typeof import('lmdb');
    } catch (e) {
      throw new StateError(`the state database (lmdb) cannot be loaded on this system: ${(e as Error).message.split('\n')[0]} — it needs glibc 2.34 or newer; set stateDir = false to run without state`);
    }
  }
  return lmdb;
}

function isAccessError(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'EACCES' || code === 'EROFS' || code === 'EPERM' || code === 'ENOSPC' || /permission denied|read-only file system|no space left/i.test((e as Error).message);
}

function unwritable(dir: string, e: unknown): StateError {
  return new StateError(`state directory ${dir} is not writable (${(e as Error).message}) — make it writable for this user (or free space), or set settings.stateDir to another directory`);
}
