// Relays (README "Relays: hub → relays → leaves"): a hub mirrors its source over rsyncssh (real
// loopback sshd) into a relay's directory; a second engine, the relay, watches that directory
// and mirrors it to two leaves (one over rsyncssh, one a local rsync target). Real inotify, real
// rsync, real ssh.
//
// What must hold:
//  - a file created, modified, moved and deleted on the hub ends up the same on both leaves;
//  - nothing flows back: the hub's source keeps exactly what the test wrote there (same inodes),
//    and once both engines are idle, neither sends anything more over an observation window of
//    QUIET_MS (a bounded watch, not a synchronisation sleep);
//  - the temporary files the hub's rsync writes into the relay's directory (".NAME.XXXXXX",
//    renamed over NAME when complete) are harmless: the relay may pick one up while it is being
//    written, but its rename is a move the relay passes on, so no temp name stays on a leaf and
//    the leaves end identical to the relay. How many temp names the relay saw, and how many
//    showed up on a leaf on the way, is recorded in the test's diagnostics.
import assert from 'node:assert/strict';
import { type FSWatcher, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, unlinkSync, watch, writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';

import { compareTrees } from '../helpers/compare_trees.js';
import { startEngine } from '../helpers/engine_harness.js';
import { startSshd } from '../helpers/sshd.js';
import { tempDir } from '../helpers/temp_tree.js';
import { waitFor } from '../helpers/wait_for.js';

const QUIET_MS = 1500;
/** rsync's temporary name for NAME in the receiving directory. */
const RSYNC_TEMP = /^\..+\.[A-Za-z0-9]{6}$/;

/** Every root-relative path below `root` (files and directories), with its inode. */
function inodes(root: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const rel of readdirSync(root, { recursive: true, encoding: 'utf8' }).sort()) out[rel] = lstatSync(path.join(root, rel)).ino;
  return out;
}

const has = (file: string, text: string): boolean => {
  try {
    return readFileSync(file, 'utf8') === text;
  } catch {
    return false;
  }
};

const gone = (file: string): boolean => {
  try {
    lstatSync(file);
    return false;
  } catch {
    return true;
  }
};

/** Records rsync temp names appearing in `dirs` (each dir relative to `root`) until closed. */
function recordTempNames(root: string, dirs: readonly string[]): { names: Set<string>; close: () => void } {
  const names = new Set<string>();
  const watchers: FSWatcher[] = dirs.map((d) =>
    watch(path.join(root, d), (_e, name) => {
      if (name !== null && RSYNC_TEMP.test(String(name))) names.add(path.join(d, String(name)));
    }),
  );
  return { names, close: () => watchers.forEach((w) => w.close()) };
}

for (const hubTempDir of [false, true]) {
  const how = hubTempDir
    ? "with the hub's rsync temp_dir outside the relayed tree, no temp file ever appears in it"
    : 'rsync temp files do not stay on the leaves';
  test(`hub → relay (rsyncssh) → 2 leaves: create, modify, move and delete reach both leaves; nothing flows back; ${how}`, async (t) => {
    const sshd = await startSshd(t);
    const hub = tempDir(t);
    const relay = tempDir(t);
    const leaves = [tempDir(t), tempDir(t)];
    mkdirSync(path.join(hub, 'd'));
    writeFileSync(path.join(hub, 'before'), 'on the hub at start\n');
    writeFileSync(path.join(hub, 'd', 'inner'), 'inner at start\n');
    // archive (perms): rsync creates a directory it is about to fill as 0700 and gives it its
    // mode at the end; a relay without `perms` may pass on the 0700 and never the fix (the
    // README's relay section). --stats: rsync reports the files sent (the engines' filesSent).
    const rsync = { archive: true, _extra: ['--stats'] };
    // On the relay's side of the hub's transfers, next to (not inside) the relayed directory.
    const hubRsync = hubTempDir ? { ...rsync, temp_dir: tempDir(t) } : rsync;
    // The relay reaches one leaf over ssh and the other as a local rsync target: both transports
    // pass on what the hub's rsync does in the relay's directory (its temp files, their renames).
    const { engine: relayEngine } = await startEngine(t, {
      sync: [
        { mode: 'rsyncssh', name: 'leaf-ssh', source: relay, host: `${sshd.user}@${sshd.host}`, targetdir: leaves[0], ssh: sshd.sshTable, delay: 0, rsync },
        { mode: 'rsync', name: 'leaf-local', source: relay, target: leaves[1], delay: 0, rsync },
      ],
    });
    const { engine: hubEngine } = await startEngine(t, {
      sync: [{ mode: 'rsyncssh', name: 'hub', source: hub, host: `${sshd.user}@${sshd.host}`, targetdir: relay, ssh: sshd.sshTable, delay: 0, rsync: hubRsync }],
    });
    const mirrored = (): boolean => leaves.every((l) => compareTrees(hub, l).length === 0) && compareTrees(hub, relay).length === 0;
    /** Waits until relay and leaves equal the hub; a timeout names what still differs. */
    const waitMirrored = async (what: string): Promise<void> => {
      try {
        await waitFor(mirrored, what);
      } catch (e) {
        const diffs = [relay, ...leaves].map((d) => `${d}: ${compareTrees(hub, d).join('; ') || 'same'}`);
        throw new Error(`${(e as Error).message}; hub vs ${diffs.join(' | ')}`);
      }
    };
    await waitMirrored('the start-up tree on both leaves');

    const atRelay = recordTempNames(relay, ['', 'd']);
    const onLeaves = leaves.map((l) => recordTempNames(l, ['', 'd']));
    t.after(() => [atRelay, ...onLeaves].forEach((r) => r.close()));
    const onBoth = (rel: string, ok: (file: string) => boolean): boolean => leaves.every((l) => ok(path.join(l, rel)));

    // create (a small file, and one large enough that rsync writes its temp file in several steps)
    writeFileSync(path.join(hub, 'new.txt'), 'created on the hub\n');
    const big = Buffer.alloc(4 << 20, 'relay ');
    writeFileSync(path.join(hub, 'd', 'big.bin'), big);
    await waitFor(() => onBoth('new.txt', (f) => has(f, 'created on the hub\n')), 'new.txt on both leaves');
    await waitFor(() => onBoth('d/big.bin', (f) => { try { return readFileSync(f).equals(big); } catch { return false; } }), 'd/big.bin on both leaves');
    // modify
    writeFileSync(path.join(hub, 'new.txt'), 'modified on the hub, longer than before\n');
    await waitFor(() => onBoth('new.txt', (f) => has(f, 'modified on the hub, longer than before\n')), 'the modified new.txt on both leaves');
    // move
    renameSync(path.join(hub, 'new.txt'), path.join(hub, 'd', 'moved.txt'));
    await waitFor(() => onBoth('d/moved.txt', (f) => has(f, 'modified on the hub, longer than before\n')) && onBoth('new.txt', gone), 'the move on both leaves');
    // delete
    unlinkSync(path.join(hub, 'before'));
    await waitFor(() => onBoth('before', gone), 'the delete on both leaves');

    await waitMirrored('both leaves identical to the hub');
    await Promise.all([hubEngine.whenIdle(), relayEngine.whenIdle()]);

    // Nothing flows back and nothing keeps moving.
    const expected = { d: 0, 'd/big.bin': 0, 'd/inner': 0, 'd/moved.txt': 0 };
    const hubInodes = inodes(hub);
    assert.deepEqual(Object.keys(hubInodes), Object.keys(expected), 'the hub holds exactly what the test wrote');
    const snap = (): string =>
      JSON.stringify({ hub: inodes(hub), sent: [hubEngine.status()[0]!.filesSent, ...relayEngine.status().map((s) => s.filesSent)] });
    const before = snap();
    const end = Date.now() + QUIET_MS;
    while (Date.now() < end) {
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(snap(), before, 'something moved after both engines were idle (a loop, or a change echoed back)');
    }
    assert.deepEqual(inodes(hub), hubInodes);
    assert.ok(hubEngine.status()[0]!.filesSent >= 3, 'the hub sent the creates and the modify');
    for (const s of relayEngine.status()) assert.ok(s.filesSent >= 3, `${s.name} sent the creates and the modify`);

    // rsync's temp files: the hub's rsync wrote them into the relay (unless temp_dir puts them
    // elsewhere); none stays on a leaf.
    if (hubTempDir) {
      assert.deepEqual([...atRelay.names], [], 'with temp_dir, no temp file in the relayed tree');
    } else assert.ok(atRelay.names.size >= 3, `the hub's rsync wrote temp files into the relay (saw ${[...atRelay.names].join(', ')})`);
    for (const l of leaves) {
      const left = readdirSync(l, { recursive: true, encoding: 'utf8' }).filter((n) => RSYNC_TEMP.test(path.basename(n)));
      assert.deepEqual(left, [], `rsync temp files left on ${l}`);
      assert.deepEqual(compareTrees(relay, l), [], `${l} differs from the relay`);
    }
    const crossed = onLeaves.map((r) => [...atRelay.names].filter((n) => r.names.has(n)));
    t.diagnostic(`hub temp names at the relay: ${atRelay.names.size}; seen on the leaves on the way: ${crossed.map((c) => c.join(' ') || 'none').join('; ')}`);
  });
}
