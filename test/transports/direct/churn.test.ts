// Randomised churn through the real DelayQueue and the direct transport: a seeded model mutates
// the source (create, overwrite, append, truncate, delete, mkdir, rm -r, file and directory
// renames incl. renames over existing files, symlinks, chmod, type changes) with hostile and
// non-UTF-8 names, emitting the events inotify would, while batches run CONCURRENTLY with the
// mutations (so sources vanish and change under the transport). After draining, source and
// target must be identical byte for byte (content, symlink targets, modes). Seeds are fixed and
// printed for replay (LSYNCD_TS_CHURN_SEED=n runs one seed; LSYNCD_TS_CHURN_SEEDS / _STEPS scale up).
import test from 'node:test';
import assert from 'node:assert/strict';
import {
  appendFileSync, chmodSync, lstatSync, mkdirSync, readdirSync, renameSync, rmSync, symlinkSync, truncateSync, writeFileSync,
} from 'node:fs';
import { fromByteString } from '../../../src/paths/byte_path.js';
import { DelayQueue } from '../../../src/queue/index.js';
import type { QueueEvent } from '../../../src/queue/index.js';
import { ctx, roots, transport, treeDiff } from './helpers.js';
import { mulberry32 } from '../../helpers/churn.js';


// Names as byte strings (latin1): the last ones are not valid UTF-8.
const NAMES = ['a', 'b c', 'new\nline', '-dash', "q'uote", '$(x)', '*?[]', 'back\\', 'd', 'e.txt', '\xff\xfe', 'caf\xe9'];

interface Entry {
  rel: string; // byte string, no trailing '/'
  type: 'file' | 'dir' | 'link';
}

function fsp(root: string, rel: string): Buffer {
  return Buffer.concat([Buffer.from(root), Buffer.from(rel, 'latin1')]);
}

function listTree(root: string): Entry[] {
  const out: Entry[] = [];
  const walk = (rel: string): void => {
    for (const n of readdirSync(fsp(root, rel), { encoding: 'buffer' })) {
      const child = `${rel}/${n.toString('latin1')}`;
      const st = lstatSync(fsp(root, child));
      const type = st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'link' : 'file';
      out.push({ rel: child, type });
      if (type === 'dir') walk(child);
    }
  };
  walk('');
  return out;
}

function ev(kind: 'Create' | 'Modify' | 'Attrib' | 'Delete', rel: string, isDir: boolean): QueueEvent {
  return { kind, path: fromByteString(isDir ? `${rel}/` : rel) };
}

type TestCtx = Parameters<typeof roots>[0];

async function churn(seed: number, steps: number, t: TestCtx): Promise<void> {
  const rnd = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const r = roots(t);
  mkdirSync(r.src, { recursive: true });
  const tr = transport(r, { delete: true });
  const q = new DelayQueue({ delayMs: 0, maxDelays: 1000 });
  const events: QueueEvent[] = [];
  let clock = 0;
  const emit = (e: QueueEvent): void => {
    events.push(e);
    q.ingest(e, clock);
  };

  const mutate = (): void => {
    const tree = listTree(r.src);
    const dirs = ['', ...tree.filter((e) => e.type === 'dir').map((e) => e.rel)];
    const op = rnd();
    const parent = pick(dirs);
    const fresh = `${parent}/${pick(NAMES)}`;
    const existing = tree.length > 0 ? pick(tree) : undefined;
    const exists = (rel: string) => tree.some((e) => e.rel === rel);
    const content = (): Buffer => Buffer.alloc(Math.floor(rnd() * 3000), Math.floor(rnd() * 256));
    try {
      if (op < 0.28) {
        if (exists(fresh)) return;
        writeFileSync(fsp(r.src, fresh), content());
        emit(ev('Create', fresh, false));
        emit(ev('Modify', fresh, false));
      } else if (op < 0.38) {
        if (exists(fresh)) return;
        mkdirSync(fsp(r.src, fresh), { mode: pick([0o755, 0o700, 0o751]) });
        emit(ev('Create', fresh, true));
      } else if (op < 0.42) {
        if (exists(fresh)) return;
        symlinkSync(Buffer.from(pick(['a', '../x', '/etc/passwd', 'd/e.txt', '\xff'.repeat(2)]), 'latin1'), fsp(r.src, fresh));
        emit(ev('Create', fresh, false));
      } else if (existing === undefined) {
        return;
      } else if (op < 0.55 && existing.type === 'file') {
        const how = rnd();
        if (how < 0.4) writeFileSync(fsp(r.src, existing.rel), content());
        else if (how < 0.7) appendFileSync(fsp(r.src, existing.rel), content());
        else truncateSync(fsp(r.src, existing.rel), Math.floor(rnd() * 100));
        emit(ev('Modify', existing.rel, false));
      } else if (op < 0.62 && existing.type !== 'link') {
        chmodSync(fsp(r.src, existing.rel), existing.type === 'dir' ? pick([0o755, 0o711, 0o700]) : pick([0o644, 0o600, 0o755, 0o4755]));
        emit(ev('Attrib', existing.rel, existing.type === 'dir'));
      } else if (op < 0.7) {
        // delete (rm -r: children first, as inotify reports them); whole trees less often
        if (existing.type === 'dir') {
          if (rnd() < 0.6) return;
          const inside = tree.filter((e) => e.rel.startsWith(`${existing.rel}/`)).reverse();
          rmSync(fsp(r.src, existing.rel), { recursive: true });
          for (const e of inside) emit(ev('Delete', e.rel, e.type === 'dir'));
        } else rmSync(fsp(r.src, existing.rel));
        emit(ev('Delete', existing.rel, existing.type === 'dir'));
      } else if (op < 0.93) {
        // rename (possibly over an existing file, or into another directory)
        const to = rnd() < 0.3 && tree.some((e) => e.type === 'file') ? pick(tree.filter((e) => e.type === 'file')).rel : fresh;
        if (to === existing.rel || to.startsWith(`${existing.rel}/`)) return;
        if (existing.type === 'dir' && exists(to)) return;
        renameSync(fsp(r.src, existing.rel), fsp(r.src, to));
        const isDir = existing.type === 'dir';
        emit({ kind: 'Move', path: fromByteString(isDir ? `${existing.rel}/` : existing.rel), destination: fromByteString(isDir ? `${to}/` : to) });
      } else {
        // type change: replace the entry by a different kind
        if (existing.type === 'dir') {
          if (rnd() < 0.6) return;
          const inside = tree.filter((e) => e.rel.startsWith(`${existing.rel}/`)).reverse();
          rmSync(fsp(r.src, existing.rel), { recursive: true });
          for (const e of inside) emit(ev('Delete', e.rel, e.type === 'dir'));
          emit(ev('Delete', existing.rel, true));
          writeFileSync(fsp(r.src, existing.rel), content());
          emit(ev('Create', existing.rel, false));
        } else {
          rmSync(fsp(r.src, existing.rel));
          emit(ev('Delete', existing.rel, false));
          mkdirSync(fsp(r.src, existing.rel));
          emit(ev('Create', existing.rel, true));
          writeFileSync(fsp(r.src, `${existing.rel}/inner`), content());
          emit(ev('Create', `${existing.rel}/inner`, false));
        }
      }
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST' && code !== 'ENOENT' && code !== 'ENOTDIR' && code !== 'EISDIR' && code !== 'ENOTEMPTY') throw err;
    }
  };

  let running: Promise<void> | undefined;
  const step = async (): Promise<void> => {
    clock += 1;
    const b = q.getBatch(clock);
    if (b === null) return;
    const rep = await tr.batch(b.delays, ctx());
    assert.equal(rep.outcome.kind, 'ok', `seed ${seed}: ${JSON.stringify(rep.outcome)}`);
    q.complete(b, { kind: 'ok' });
    for (const e of rep.requeue ?? []) q.ingest(e, clock);
  };
  for (let i = 0; i < steps; i++) {
    mutate();
    if (running === undefined && rnd() < 0.3) running = step().finally(() => (running = undefined));
    if (rnd() < 0.1 && running !== undefined) await running;
  }
  if (running !== undefined) await running;
  for (let guard = 0; (q.waiting > 0 || q.active > 0) && guard < 1000; guard++) await step();
  const diffs = treeDiff(r.src, r.dst);
  t.diagnostic(`seed ${seed}: ${events.length} events, ${listTree(r.src).length} entries at the end`);
  assert.ok(events.length > steps / 2, 'the model did mutate');
  assert.deepEqual(diffs, [], `seed ${seed} (${events.length} events): replay with LSYNCD_TS_CHURN_SEED=${seed}`);
}

const only = process.env['LSYNCD_TS_CHURN_SEED'];
const many = Number(process.env['LSYNCD_TS_CHURN_SEEDS'] ?? 12);
const SEEDS = only !== undefined ? [Number(only)] : Array.from({ length: many }, (_, i) => i + 1);
const STEPS = Number(process.env['LSYNCD_TS_CHURN_STEPS'] ?? 300);

for (const seed of SEEDS) {
  test(`churn seed ${seed}: target converges to the source byte for byte`, async (t) => {
    t.diagnostic(`seed ${seed}`);
    await churn(seed, STEPS, t);
  });
}
