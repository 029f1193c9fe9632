// Randomised end-to-end check of the queue's ordering and collapse rules: random file-system
// operations on a model source emit the events a watcher would; batches are taken and executed
// against a model target by a direct-mode-like executor (rm for Delete, copy of the current
// source for Create/Modify/Attrib, mv with fallback for Move; renames may replace an existing
// file or empty directory, as rename(2) does) (up to 3 batches at once, completed in
// random order, some with `again` after partial execution); after draining, target == source.
// Seeds are fixed and printed on failure for replay.
import test from 'node:test';
import assert from 'node:assert/strict';
import { type Batch, type Delay, DelayQueue, type QueueEvent } from '../../src/queue/index.js';
import { mulberry32 as rng } from '../helpers/churn.js';

type Node = { type: 'file'; v: number } | { type: 'dir' };
type Tree = Map<string, Node>; // keys without trailing "/": "/d0", "/d0/f1"


const parent = (p: string): string => p.slice(0, p.lastIndexOf('/'));
const under = (t: Tree, p: string): string[] => [...t.keys()].filter((k) => k.startsWith(`${p}/`));
const exists = (t: Tree, p: string): boolean => p === '' || t.has(p);
const isDir = (t: Tree, p: string): boolean => p === '' || t.get(p)?.type === 'dir';
const key = (path: string | Buffer): string => String(path).replace(/\/$/, '');

/** rsync-like: make target `p` (and with subtree, everything below) equal to the source. */
function syncPath(src: Tree, dst: Tree, p: string, subtree: boolean): void {
  const s = src.get(p);
  if (s === undefined) {
    for (const k of under(dst, p)) dst.delete(k);
    dst.delete(p);
    return;
  }
  // rsync's include list carries every ancestor, so missing parents are created
  for (let a = parent(p); a !== ''; a = parent(a)) {
    if (dst.get(a)?.type !== 'dir') {
      for (const k of under(dst, a)) dst.delete(k);
      dst.set(a, { type: 'dir' });
    }
  }
  if (s.type === 'file' || dst.get(p)?.type !== s.type) for (const k of under(dst, p)) dst.delete(k);
  dst.set(p, { ...s });
  if (subtree && s.type === 'dir') {
    for (const k of under(dst, p)) dst.delete(k);
    for (const k of under(src, p)) dst.set(k, { ...src.get(k)! });
  }
}

/**
 * One delay on the target, reading the source as it is NOW (like a real transfer, which may see
 * a source newer than the event — so a missing parent is created like rsync's ancestor list or
 * `mkdir -p` would; it cannot be an ordering invariant).
 */
function execute(src: Tree, dst: Tree, d: Delay): void {
  const p = key(d.path);
  switch (d.kind) {
    case 'Full':
      dst.clear();
      for (const [k, v] of src) dst.set(k, { ...v });
      return;
    case 'Move': {
      const q = key(d.destination!);
      const o = dst.get(p);
      const target = dst.get(q);
      const replaceable = target === undefined || target.type === 'file' || under(dst, q).length === 0;
      if (o !== undefined && isDir(dst, parent(q)) && replaceable && !(o.type === 'dir' && target?.type === 'file')) {
        // mv on the target (remote_moves.ts semantics)
        for (const k of under(dst, q)) dst.delete(k);
        const moved = [p, ...under(dst, p)];
        const nodes = moved.map((k) => [k, dst.get(k)!] as const);
        for (const k of moved) dst.delete(k);
        for (const [k, v] of nodes) dst.set(q + k.slice(p.length), v);
      } else {
        // failed mv: remove origin, transfer destination
        syncPath(src, dst, p, true);
        syncPath(src, dst, q, true);
      }
      return;
    }
    case 'Delete':
      // direct-mode semantics (rm -rf), the strictest: if the source re-created the path, the
      // queue must hold a later Create for it
      for (const k of under(dst, p)) dst.delete(k);
      dst.delete(p);
      return;
    default:
      // a vanished source path is skipped (cp fails); the queue must hold a later Delete for it
      if (src.has(p)) syncPath(src, dst, p, d.isDir && d.fromMove);
  }
}

function run(seed: number, splitMoves: boolean): void {
  const rand = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const src: Tree = new Map();
  const dst: Tree = new Map();
  const delayMs = Math.floor(rand() * 4);
  const dq = new DelayQueue({ delayMs, maxDelays: 2 + Math.floor(rand() * 20), splitMoves });
  const active: { batch: Batch; done: boolean }[] = [];
  let version = 0;
  let now = 0;
  const names = ['a', 'b', 'c'];
  const emit = (e: QueueEvent) => dq.ingest(e, now);
  const slash = (p: string) => (isDir(src, p) ? `${p}/` : p);
  const randomPath = (): string => {
    let p = '';
    for (let depth = 0; depth < 3; depth++) {
      const dirs = [...src.keys()].filter((k) => parent(k) === p && isDir(src, k));
      if (dirs.length === 0 || rand() < 0.4) break;
      p = pick(dirs);
    }
    return `${p}/${pick(names)}`;
  };

  const sourceOp = (): void => {
    const p = randomPath();
    const node = src.get(p);
    const r = rand();
    if (node === undefined) {
      if (r < 0.6) {
        src.set(p, { type: 'file', v: ++version });
        emit({ kind: 'Create', path: p });
        emit({ kind: 'Modify', path: p });
      } else {
        src.set(p, { type: 'dir' });
        emit({ kind: 'Create', path: `${p}/` });
      }
    } else if (node.type === 'file' && r < 0.4) {
      node.v = ++version;
      emit({ kind: 'Modify', path: p });
    } else if (r < 0.5) {
      emit({ kind: 'Attrib', path: slash(p) });
    } else if (r < 0.75) {
      // rm -r: children first, deepest first, as inotify reports them
      for (const k of under(src, p).sort((x, y) => y.length - x.length)) {
        emit({ kind: 'Delete', path: slash(k) });
        src.delete(k);
      }
      emit({ kind: 'Delete', path: slash(p) });
      src.delete(p);
    } else {
      const q = randomPath();
      if (q.startsWith(`${p}/`) || q === p) return;
      const wasDir = node.type === 'dir';
      const replaced = src.get(q);
      if (replaced !== undefined) {
        // rename(2) replaces a file by a file, or an empty directory by a directory (`mv -T`);
        // inotify reports only the move (no Delete for what was replaced)
        if (replaced.type === 'file' ? wasDir : !wasDir || under(src, q).length > 0) return;
        src.delete(q);
      }
      const moved = [p, ...under(src, p)];
      const nodes = moved.map((k) => [k, src.get(k)!] as const);
      for (const k of moved) src.delete(k);
      for (const [k, v] of nodes) src.set(q + k.slice(p.length), v);
      emit({ kind: 'Move', path: wasDir ? `${p}/` : p, destination: wasDir ? `${q}/` : q });
    }
  };

  const finish = (i: number, allowAgain: boolean): void => {
    const entry = active.splice(i, 1)[0]!;
    if (allowAgain && rand() < 0.15) {
      if (!entry.done) {
        const n = Math.floor(rand() * entry.batch.delays.length);
        for (const d of entry.batch.delays.slice(0, n)) execute(src, dst, d);
      }
      dq.complete(entry.batch, { kind: 'again', retryAt: now + 3 });
      return;
    }
    if (!entry.done) for (const d of entry.batch.delays) execute(src, dst, d);
    dq.complete(entry.batch, { kind: 'ok' });
  };

  dq.addFull(now, 'init');
  for (let step = 0; step < 400; step++) {
    now++;
    const r = rand();
    if (r < 0.55) sourceOp();
    else if (r < 0.8 && active.length < 3) {
      const b = dq.getBatch(now, { movesSeparately: rand() < 0.5, ...(rand() < 0.3 ? { limit: 1 + Math.floor(rand() * 3) } : {}) });
      if (b !== null) {
        const atStart = rand() < 0.5; // transfer reads the source now, or later at completion
        if (atStart) for (const d of b.delays) execute(src, dst, d);
        active.push({ batch: b, done: atStart });
      }
    } else if (active.length > 0) finish(Math.floor(rand() * active.length), true);
  }
  // drain
  for (let guard = 0; guard < 10_000 && (active.length > 0 || dq.waiting > 0); guard++) {
    now += 10;
    while (active.length > 0) finish(0, false);
    const b = dq.getBatch(now);
    if (b !== null) active.push({ batch: b, done: false });
    else if (dq.waiting > 0) assert.notEqual(dq.nextWakeup(), null, `waiting delays but nothing can ever run: ${JSON.stringify(dq.snapshot().map((d) => [d.kind, String(d.path), d.status]))}`);
  }
  assert.equal(dq.waiting + dq.active, 0, 'queue drained');
  const dump = (t: Tree) => [...t.entries()].map(([k, v]) => `${k} ${v.type === 'file' ? v.v : 'dir'}`).sort();
  assert.deepEqual(dump(dst), dump(src));
}

for (const splitMoves of [false, true]) {
  test(`random churn converges (${splitMoves ? 'splitMoves, rsync mode' : 'moves kept, rsyncssh/direct'})`, () => {
    for (let seed = 1; seed <= 300; seed++) {
      try {
        run(seed, splitMoves);
      } catch (e) {
        throw new Error(`seed ${seed} (splitMoves=${splitMoves}): ${(e as Error).message}`);
      }
    }
  });
}
