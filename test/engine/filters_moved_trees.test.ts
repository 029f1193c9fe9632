// Rule files (`filterFrom`, `excludeFrom`) through real inotify, the real engine and real rsync /
// sshd / fs, for a directory renamed inside the source: the moved tree is one rename to the
// watcher, so the transport must apply the sync's rules inside it itself — rsync mode with `+`
// rules through the scoped list (src/transports/rsync/scoped_include_list.ts), with exclude-only
// rules through perishable excludes; rsyncssh and direct by renaming on the target. Either way
// the target must hold exactly what the init transfer would have sent.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test, { type TestContext } from 'node:test';

import { startEngine } from '../helpers/engine_harness.js';
import { modeSync, type SyncMode, SYNC_MODES } from '../helpers/mode_sync.js';
import { tempDir } from '../helpers/temp_tree.js';

/** Relative paths of every file and directory below `dir` ("d/" for directories), sorted. */
function tree(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = rel === '' ? e.name : `${rel}/${e.name}`;
    if (e.isDirectory()) out.push(`${r}/`, ...tree(dir, r));
    else out.push(r);
  }
  return out.sort();
}

async function renamedTreeKeepsRules(t: TestContext, mode: SyncMode, rules: (dir: string) => Record<string, unknown>, want: string[]) {
  const src = tempDir(t);
  const dst = tempDir(t);
  const conf = tempDir(t);
  mkdirSync(path.join(src, 'x/sub'), { recursive: true });
  for (const f of ['x/a.php', 'x/b.txt', 'x/sub/c.php', 'x/sub/d.log', 'top.txt', 'top.php']) writeFileSync(path.join(src, f), f);
  const { engine } = await startEngine(t, { sync: [await modeSync(t, mode, src, dst, { delay: 0, rsync: { archive: true }, ...rules(conf) })] });
  await engine.whenIdle();
  const atInit = tree(dst);
  assert.deepEqual(atInit, want.map((p) => p.replace(/^y\//, 'x/')).sort(), 'the init transfer');
  renameSync(path.join(src, 'x'), path.join(src, 'y'));
  await engine.whenIdle();
  assert.deepEqual(tree(dst), want, 'after the rename: what the init transfer would send');
  assert.ok(engine.status().every((s) => s.state === 'running'), JSON.stringify(engine.status()));
}

for (const mode of SYNC_MODES) {
  test(`${mode}: filterFrom with + rules applies inside a renamed directory`, (t) =>
    renamedTreeKeepsRules(
      t,
      mode,
      (conf) => {
        const file = path.join(conf, 'filters');
        writeFileSync(file, '+ */\n+ *.php\n- *\n');
        return { filterFrom: file };
      },
      ['top.php', 'y/', 'y/a.php', 'y/sub/', 'y/sub/c.php'],
    ));

  test(`${mode}: excludeFrom applies inside a renamed directory`, (t) =>
    renamedTreeKeepsRules(
      t,
      mode,
      (conf) => {
        const file = path.join(conf, 'excludes');
        writeFileSync(file, '*.log\nb.txt\n');
        return { excludeFrom: file };
      },
      ['top.php', 'top.txt', 'y/', 'y/a.php', 'y/sub/', 'y/sub/c.php'],
    ));
}
