// rsyncssh data transfers against a real loopback sshd and real rsync: the full transfer with
// lsyncd's exclude-rsync(ssh) expectations (docs/lsyncd-compat.md#test-suite-conventions) under every delete mode,
// and an event batch of creates/modifies/deletes (one rsync with the include list, docs/lsyncd-compat.md#rsync-command-lines/docs/lsyncd-compat.md#rsyncssh-commands).
import test from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import type { DeleteMode } from '../../../src/config/schema.js';
import { delay, fixture, snapshot } from './fixture.js';

const EXCLUDES = ['erf', '/eaf', 'erd/', '/ead/'];

function populate(src: string): void {
  for (const d of ['', 'd']) {
    mkdirSync(path.join(src, d), { recursive: true });
    for (const f of ['erf', 'eaf', 'erd', 'ead', 'keep']) writeFileSync(path.join(src, d, f), `${d}/${f}\n`);
  }
  mkdirSync(path.join(src, 'sp ace', 'erd'), { recursive: true }); // a directory named erd: excluded
  writeFileSync(path.join(src, 'sp ace', 'erd', 'x'), 'x');
  writeFileSync(path.join(src, 'sp ace', "it's"), 'q');
  chmodSync(path.join(src, 'd', 'keep'), 0o640);
}

const MODES: { mode: DeleteMode; staleGone: boolean }[] = [
  { mode: true, staleGone: true },
  { mode: 'startup', staleGone: true },
  { mode: false, staleGone: false },
  { mode: 'running', staleGone: false },
];

for (const { mode, staleGone } of MODES) {
  test(`full transfer with excludes, delete=${String(mode)}`, async (t) => {
    const f = await fixture(t, { delete: mode, exclude: EXCLUDES });
    populate(f.src);
    writeFileSync(path.join(f.dst, 'stale'), 'old');
    const r = await f.transport.full(f.ctx);
    assert.deepEqual(r.outcome, { kind: 'ok' }, f.log.lines.join('\n'));
    const on = (p: string) => existsSync(path.join(f.dst, p));
    // exclude-rsync table (docs/lsyncd-compat.md#test-suite-conventions)
    assert.equal(on('erf'), false);
    assert.equal(on('eaf'), false);
    assert.equal(on('erd'), true);
    assert.equal(on('ead'), true);
    assert.equal(on('d/erf'), false);
    assert.equal(on('d/eaf'), true);
    assert.equal(on('d/erd'), true);
    assert.equal(on('d/ead'), true);
    assert.equal(on('sp ace/erd'), false);
    assert.equal(on("sp ace/it's"), true);
    assert.equal(on('stale'), !staleGone);
    assert.ok(snapshot(f.dst).includes('/d/keep f 640 d/keep\n'));
  });
}

test('full transfer with filter rules (filter-rsync expectations, docs/lsyncd-compat.md#test-suite-conventions)', async (t) => {
  const f = await fixture(t, { filter: ['- /ab**', '+ /a**', '- /**'] });
  for (const p of ['abc', 'acc', 'baa']) writeFileSync(path.join(f.src, p), p);
  for (const p of ['abx', 'acx']) mkdirSync(path.join(f.src, p));
  writeFileSync(path.join(f.src, 'abx', 'a'), 'a');
  writeFileSync(path.join(f.src, 'acx', 'x'), 'x');
  const r = await f.transport.full(f.ctx);
  assert.deepEqual(r.outcome, { kind: 'ok' }, f.log.lines.join('\n'));
  assert.deepEqual(snapshot(f.dst).map((l) => l.split(' ')[0]), ['/acc', '/acx', '/acx/x']);
});

test('event batch: creates, modifies, deletes (file and directory) in one rsync', async (t) => {
  const f = await fixture(t, { delete: true, exclude: ['*.tmp'] });
  mkdirSync(path.join(f.src, 'old', 'deep'), { recursive: true });
  writeFileSync(path.join(f.src, 'old', 'deep', 'f'), 'f');
  writeFileSync(path.join(f.src, 'mod'), 'v1');
  writeFileSync(path.join(f.src, 'gone'), 'g');
  writeFileSync(path.join(f.src, 'untouched'), 'u');
  assert.deepEqual((await f.transport.full(f.ctx)).outcome, { kind: 'ok' });

  writeFileSync(path.join(f.src, 'mod'), 'v2 longer');
  rmSync(path.join(f.src, 'gone'));
  rmSync(path.join(f.src, 'old'), { recursive: true });
  mkdirSync(path.join(f.src, 'new', 'sub'), { recursive: true });
  writeFileSync(path.join(f.src, 'new', 'sub', '-dash $(x)\nnl'), 'n');
  writeFileSync(path.join(f.src, 'new', 'x.tmp'), 'excluded');
  writeFileSync(path.join(f.src, 'unlisted'), 'not in this batch');
  const calls = f.sshCalls().length;
  const r = await f.transport.batch(
    [
      delay('Modify', '/mod'),
      delay('Delete', '/gone'),
      delay('Delete', '/old/'),
      delay('Create', '/new/'),
      delay('Create', '/new/sub/'),
      delay('Create', '/new/sub/-dash $(x)\nnl'),
      delay('Create', '/new/x.tmp'),
    ],
    f.ctx,
  );
  assert.deepEqual(r.outcome, { kind: 'ok' }, f.log.lines.join('\n'));
  assert.equal(r.requeue, undefined);
  assert.equal(f.sshCalls().length - calls, 1, 'one rsync (one ssh via --rsh) for the batch');
  const got = snapshot(f.dst).map((l) => l.replace(/ d \d+$/, ' d'));
  assert.deepEqual(got, ['/mod f 644 v2 longer', '/new d', '/new/sub d', '/new/sub/-dash $(x)\nnl f 644 n', '/untouched f 644 u']);
});
