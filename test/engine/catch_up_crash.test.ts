// Crash safety of the per-sync state (docs/state.md, src/state/sync_ledger.ts): the daemon is
// killed with SIGKILL (its whole process group, as a service manager would) at random moments of
// a burst of changes, restarted, and the target must converge to the source every time — a
// manifest that claimed more than the target had would make the catch-up skip a change forever.
// Every restart must be a catch-up (never the full init), or the test would not test the state.
// The changes (test/helpers/churn.ts: hostile and non-UTF-8 names, moves, symlinks, chmod) and
// the kill moments come from one seed, printed so a failure replays.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import test, { type TestContext } from 'node:test';

import { BIN } from '../cli/run_bin.js';
import { Churner, mulberry32 } from '../helpers/churn.js';
import { compareTrees } from '../helpers/compare_trees.js';
import { modeSync } from '../helpers/mode_sync.js';
import { tempDir } from '../helpers/temp_tree.js';
import { waitFor } from '../helpers/wait_for.js';

const ROUNDS = 6;

interface Daemon {
  readonly child: ChildProcess;
  output(): string;
  readonly exited: Promise<void>;
}

/** The binary in its own process group, so a kill takes its rsync/ssh children along. */
function start(t: TestContext, conf: string): Daemon {
  const child = spawn(process.execPath, [BIN, 'run', conf, '--nodaemon', '--log', 'Exec'], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  t.after(() => killGroup(child));
  return { child, output: () => out, exited };
}

function killGroup(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

for (const mode of ['rsync', 'rsyncssh'] as const) {
  test(`${mode}: SIGKILL at random moments of a burst: every restart catches up and the target converges`, { timeout: 120_000 }, async (t) => {
    const seed = Number(process.env.CRASH_SEED ?? Date.now() % 100000);
    t.diagnostic(`seed ${seed} (CRASH_SEED=${seed} replays it)`);
    const r = mulberry32(seed + 1);
    const src = tempDir(t);
    const dst = tempDir(t);
    const conf = path.join(tempDir(t), 'c.json');
    writeFileSync(conf, JSON.stringify({ settings: { stateDir: path.join(path.dirname(conf), 'state') }, sync: [await modeSync(t, mode, src, dst, { name: 'm', delay: 0 })] }));
    const churner = new Churner(src, seed);
    for (let i = 0; i < 60; i++) churner.step();
    const converged = async (d: Daemon, what: string): Promise<void> => {
      try {
        // A transfer may move or remove a path while the trees are compared: not converged yet.
      const same = (): boolean => {
        try {
          return compareTrees(src, dst, { modes: false }).length === 0;
        } catch {
          return false;
        }
      };
      await waitFor(same, `${what}: target converges (seed ${seed})`, 20_000);
      } catch (e) {
        let diff: string;
      try {
        diff = compareTrees(src, dst, { modes: false }).join('\n');
      } catch (e2) {
        diff = (e2 as Error).message;
      }
      throw new Error(`${(e as Error).message}\n${d.output()}\n${diff}`);
      }
    };

    let daemon = start(t, conf);
    await waitFor(() => /Startup of .* finished\./.test(daemon.output()), `first start-up\n${daemon.output()}`);
    for (let round = 0; round < ROUNDS; round++) {
      // The burst runs on; the kill lands somewhere inside it (or in the transfers it caused).
      const killAt = 20 + Math.floor(r() * 400);
      const killer = setTimeout(() => killGroup(daemon.child), killAt);
      const end = Date.now() + 500;
      while (Date.now() < end) {
        churner.step();
        await new Promise((res) => setTimeout(res, Math.floor(r() * 8)));
      }
      clearTimeout(killer);
      killGroup(daemon.child);
      await daemon.exited;
      daemon = start(t, conf);
      const d = daemon;
      await waitFor(() => /m: catch-up: \d+ changes|full init transfer/.test(d.output()) || d.child.exitCode !== null, `restart ${round} (seed ${seed})`);
      assert.match(daemon.output(), /m: catch-up: \d+ changes/, `restart ${round} must catch up (seed ${seed})\n${daemon.output()}`);
      await converged(daemon, `round ${round}`);
    }
    killGroup(daemon.child);
    await daemon.exited;
  });
}
