// lsyncd's Lua action API (src/config/lua_actions.ts) end to end: a Lua config loaded by the real
// loader, the real engine, real inotify and real child processes. Layer 2 (onCreate = function
// (event)), Layer 1 (action = function(inlet): getEvent, getEvents + getPaths, discardEvent,
// createBlanketEvent), init, collect, spawn/spawnShell with exit codes through `exitcodes`,
// default.direct.action as a building block, text on a child's stdin, and unsupported calls
// failing with their name.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';

import { startLuaEngine } from '../../helpers/engine_harness.js';
import { tempDir } from '../../helpers/temp_tree.js';
import { waitFor } from '../../helpers/wait_for.js';

const q = (s: string): string => JSON.stringify(s);

test('Layer 2: on* functions spawn per event (no shell for spawn, sh for spawnShell); moves get event and event2', async (t) => {
  const src = tempDir(t);
  const trg = tempDir(t);
  writeFileSync(path.join(src, 'early'), 'e');
  const { engine } = await startLuaEngine(t, `
sync {
  source = ${q(src)}, target = ${q(trg)}, delay = 0,
  onStartup = function(event) spawnShell(event, 'cp -a "$1". "$2"', event.source, event.target) end,
  onCreate = function(event)
    if event.isdir then spawn(event, '/bin/mkdir', '-p', event.targetPath)
    else spawn(event, '/bin/cp', event.sourcePath, event.targetPath) end
  end,
  onModify = function(event) spawn(event, '/bin/cp', event.sourcePath, event.targetPath) end,
  onMove = function(ev1, ev2) spawn(ev1, '/bin/mv', ev1.targetPath, ev2.targetPath) end,
  onDelete = function(event) spawnShell(event, 'rm -rf -- "$1"', event.targetPath) end,
}`);
  await engine.whenIdle();
  assert.equal(readFileSync(path.join(trg, 'early'), 'utf8'), 'e', 'onStartup copied the tree');
  mkdirSync(path.join(src, 'd'));
  await engine.whenIdle();
  writeFileSync(path.join(src, 'd', 'a b'), 'one');
  await engine.whenIdle();
  assert.equal(readFileSync(path.join(trg, 'd', 'a b'), 'utf8'), 'one');
  renameSync(path.join(src, 'd', 'a b'), path.join(src, 'moved'));
  await engine.whenIdle();
  assert.equal(readFileSync(path.join(trg, 'moved'), 'utf8'), 'one');
  assert.equal(existsSync(path.join(trg, 'd', 'a b')), false);
  rmSync(path.join(src, 'd'), { recursive: true });
  await engine.whenIdle();
  assert.equal(existsSync(path.join(trg, 'd')), false);
  assert.equal(engine.status()[0]?.state, 'running');
});

test('Layer 1: an action sees lsyncd\'s event fields and discards what it does not want', async (t) => {
  const src = tempDir(t);
  const out = tempDir(t);
  const { engine } = await startLuaEngine(t, `
sync {
  source = ${q(src)}, target = ${q(out + '/trg')}, delay = 0,
  action = function(inlet)
    local e = inlet.getEvent()
    if e.isdir or not e.name:match('%.txt$') then inlet.discardEvent(e) return end
    local f = {}
    for _, k in ipairs({ 'etype', 'path', 'pathname', 'pathdir', 'name', 'basename', 'isdir', 'sourcePath', 'sourcePathdir', 'targetPath', 'targetPathname', 'targetPathdir' }) do
      f[#f + 1] = k .. '=' .. tostring(e[k])
    end
    assert(inlet.getConfig().target == ${q(out + '/trg')} and e.config == inlet.getConfig())
    spawn(e, '/bin/sh', '-c', 'printf "%s\\\\n" "$@" >> ${out}/log', 'sh', f)
  end,
}`);
  await engine.whenIdle();
  mkdirSync(path.join(src, 'sub'));
  await engine.whenIdle();
  writeFileSync(path.join(src, 'sub', 'skip.bin'), '');
  writeFileSync(path.join(src, 'sub', 'n.txt'), '');
  await waitFor(() => existsSync(path.join(out, 'log')), 'the action for n.txt');
  await engine.whenIdle();
  const lines = readFileSync(path.join(out, 'log'), 'utf8').split('\n').filter(Boolean);
  assert.deepEqual(lines.slice(0, 12), [
    'etype=Create', 'path=sub/n.txt', 'pathname=sub/n.txt', 'pathdir=sub/', 'name=n.txt', 'basename=n.txt', 'isdir=false',
    `sourcePath=${src}/sub/n.txt`, `sourcePathdir=${src}/sub/`, `targetPath=${out}/trg/sub/n.txt`, `targetPathname=${out}/trg/sub/n.txt`, `targetPathdir=${out}/trg/sub/`,
  ]);
  assert.ok(!lines.some((l) => l.includes('skip.bin') || l === 'path=sub/'), lines.join('\n'));
  assert.equal(engine.status()[0]?.state, 'running');
});

test('Layer 1: getEvents with a test and getPaths with a mutator (lsyncd examples/lftp.lua); event lists spawn', async (t) => {
  const src = tempDir(t);
  const out = tempDir(t);
  const { engine } = await startLuaEngine(t, `
sync {
  source = ${q(src)}, delay = 0,
  action = function(inlet)
    local elist = inlet.getEvents(function(event) return event.etype ~= 'Init' and event.etype ~= 'Blanket' end)
    assert(elist.isList and elist.size() == 1)
    local cmds = elist.getPaths(function(etype, p1, p2)
      if etype == 'Delete' then return 'rm ' .. p1 end
      return 'put ' .. p1
    end)
    spawn(elist, '/bin/sh', '-c', 'printf "%s\\\\n" "$@" >> ${out}/cmds', 'sh', cmds)
  end,
}`);
  await engine.whenIdle();
  writeFileSync(path.join(src, 'f'), 'x');
  await engine.whenIdle();
  rmSync(path.join(src, 'f'));
  await engine.whenIdle();
  const cmds = readFileSync(path.join(out, 'cmds'), 'utf8').split('\n').filter(Boolean);
  assert.equal(cmds[0], 'put /f');
  assert.equal(cmds.at(-1), 'rm /f');
});

test('init serves the startup; createBlanketEvent can be spawned on; log() reaches the daemon log', async (t) => {
  const src = tempDir(t);
  const out = tempDir(t);
  const { engine, log } = await startLuaEngine(t, `
sync {
  source = ${q(src)}, delay = 0,
  init = function(event)
    log('Normal', 'init on ', event.etype, ' ', event.source)
    spawn(event, '/usr/bin/touch', '${out}/init-' .. event.etype)
  end,
  action = function(inlet)
    local e = inlet.getEvent()
    inlet.discardEvent(e)
    local b = inlet.createBlanketEvent()
    spawn(b, '/usr/bin/touch', '${out}/blanket-' .. b.etype .. '-' .. e.name)
  end,
}`);
  await engine.whenIdle();
  assert.ok(existsSync(path.join(out, 'init-Init')));
  assert.ok(log.lines.some((l) => l.includes(`init on Init ${src}/`)), log.lines.join('\n'));
  writeFileSync(path.join(src, 'x'), '');
  await waitFor(() => existsSync(path.join(out, 'blanket-Blanket-x')), 'the blanket child');
});

test('exit codes: exitcodes decides without collect (3 = again is retried, unknown = die); collect overrides', async (t) => {
  const a = tempDir(t);
  const b = tempDir(t);
  const out = tempDir(t);
  const { engine, log } = await startLuaEngine(t, `
sync {
  source = ${q(a)}, delay = 0, exitcodes = { [3] = 'again' },
  onCreate = function(event)
    spawnShell(event, 'n=$(cat "$1" 2>/dev/null || echo 0); echo $((n+1)) > "$1"; [ $n -ge 1 ] && exit 7; exit 3', '${out}/tries')
  end,
}
sync {
  source = ${q(b)}, delay = 0,
  onCreate = function(event) spawn(event, '/bin/sh', '-c', 'exit 9') end,
  collect = function(agent, exitcode)
    log('Normal', 'collect ', agent.etype, ' ', exitcode)
    if exitcode == 9 then return 'ok' end
    return 'die'
  end,
}`);
  await engine.whenIdle();
  writeFileSync(path.join(a, 'f'), '');
  writeFileSync(path.join(b, 'f'), '');
  await waitFor(() => engine.status()[0]?.state === 'dead', 'the first sync to die on exit 7', 60_000);
  assert.equal(readFileSync(path.join(out, 'tries'), 'utf8').trim(), '2', 'exit 3 was retried once, exit 7 stopped it');
  await engine.whenIdle();
  assert.equal(engine.status()[1]?.state, 'running', 'collect turned exit 9 into ok');
  assert.ok(log.lines.some((l) => l.includes('collect Create 9')), log.lines.join('\n'));
});

test('default.direct.action(inlet) as a building block mirrors a tree (lsyncd default-direct.lua)', async (t) => {
  const src = tempDir(t);
  const trg = tempDir(t);
  const { engine } = await startLuaEngine(t, `
sync {
  source = ${q(src)}, target = ${q(trg)}, delay = 0, delete = true,
  action = function(inlet)
    local e = inlet.getEvent()
    if e.name == 'ignored' then inlet.discardEvent(e) return end
    return default.direct.action(inlet)
  end,
}`);
  await engine.whenIdle();
  mkdirSync(path.join(src, 'd'));
  await engine.whenIdle();
  writeFileSync(path.join(src, 'd', 'f'), 'data');
  writeFileSync(path.join(src, 'ignored'), '');
  await engine.whenIdle();
  assert.equal(readFileSync(path.join(trg, 'd', 'f'), 'utf8'), 'data');
  assert.equal(existsSync(path.join(trg, 'ignored')), false);
  renameSync(path.join(src, 'd'), path.join(src, 'e'));
  await engine.whenIdle();
  assert.equal(readFileSync(path.join(trg, 'e', 'f'), 'utf8'), 'data');
  rmSync(path.join(src, 'e'), { recursive: true });
  await engine.whenIdle();
  assert.equal(existsSync(path.join(trg, 'e')), false);
});

test('unsupported runtime calls stop the sync with a message naming the call', async (t) => {
  const a = tempDir(t);
  const b = tempDir(t);
  const { engine, log } = await startLuaEngine(t, `
sync { source = ${q(a)}, delay = 0, action = function(inlet) inlet.addExclude('x') end }
sync { source = ${q(b)}, delay = 0, action = function(inlet) inlet.getSync() end }`);
  await engine.whenIdle();
  writeFileSync(path.join(a, 'f'), '');
  writeFileSync(path.join(b, 'f'), '');
  await waitFor(() => engine.status().every((s) => s.state === 'dead'), 'both syncs to stop');
  const text = log.lines.join('\n');
  assert.match(text, /inlet\.addExclude is not supported by lsyncd-ts/);
  assert.match(text, /inlet\.getSync is not supported by lsyncd-ts/);
});

test("spawn(agent, binary, '<', text, ...) writes the text to the child's stdin", async (t) => {
  const src = tempDir(t);
  const out = tempDir(t);
  const { engine } = await startLuaEngine(t, `
sync { source = ${q(src)}, delay = 0, onCreate = function(event)
  spawn(event, '/bin/sh', '<', 'line 1\\n' .. event.pathname, '-c', 'cat > "$1"', 'sh', '${out}/stdin')
end }`);
  await engine.whenIdle();
  writeFileSync(path.join(src, 'name'), '');
  await waitFor(() => existsSync(path.join(out, 'stdin')), 'the child');
  await engine.whenIdle();
  assert.equal(readFileSync(path.join(out, 'stdin'), 'utf8'), 'line 1\nname');
});

test('action on a default.rsync sync: default.rsync.action(inlet) hands the events to rsync; discarded ones stay; a blanket child runs after (lsyncd examples/lpostcmd.lua)', async (t) => {
  const src = tempDir(t);
  const trg = tempDir(t);
  const out = tempDir(t);
  const { engine } = await startLuaEngine(t, `
sync {
  default.rsync, source = ${q(src)}, target = ${q(trg)}, delay = 0,
  action = function(inlet)
    local e = inlet.getEvent()
    if e.etype == 'Blanket' then
      spawnShell(e, 'if [ -f "$2" ]; then echo after >> "$1"; else echo before >> "$1"; fi', '${out}/post', '${trg}/keep')
      return
    end
    if e.name:match('^skip') then inlet.discardEvent(e) return end
    inlet.createBlanketEvent()
    return default.rsync.action(inlet)
  end,
  collect = function(agent, exitcode)
    if agent.etype == 'Blanket' and exitcode == 0 then return 'ok' end
    return 'die'
  end,
}`);
  await engine.whenIdle();
  writeFileSync(path.join(src, 'skip-me'), 'x');
  await engine.whenIdle();
  writeFileSync(path.join(src, 'keep'), 'k');
  await waitFor(() => existsSync(path.join(out, 'post')), 'the post command');
  await engine.whenIdle();
  assert.equal(readFileSync(path.join(trg, 'keep'), 'utf8'), 'k');
  assert.equal(existsSync(path.join(trg, 'skip-me')), false, 'the discarded event was not transferred');
  const posts = readFileSync(path.join(out, 'post'), 'utf8').split('\n').filter(Boolean);
  assert.ok(posts.length >= 1 && posts.every((p) => p === 'after'), `the post command ran after the rsync run: ${posts.join(',')}`);
  assert.equal(engine.status()[0]?.state, 'running');
});

test('default.rsync.action inside a custom sync fails naming the call', async (t) => {
  const src = tempDir(t);
  const { engine, log } = await startLuaEngine(t, `sync { source = ${q(src)}, delay = 0, action = function(inlet) return default.rsync.action(inlet) end }`);
  await engine.whenIdle();
  writeFileSync(path.join(src, 'f'), '');
  await waitFor(() => engine.status()[0]?.state === 'dead', 'the sync to stop');
  assert.match(log.lines.join('\n'), /default\.rsync\.action\(inlet\) is not supported in the action of a custom sync by lsyncd-ts/);
});
