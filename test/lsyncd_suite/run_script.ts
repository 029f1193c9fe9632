// runSuiteScript: runs ONE of lsyncd's own test scripts (vendor/tests/*.lua) unchanged, the way
// lsyncd's CI does: `lua tests/NAME.lua` in a directory holding `tests/` and an executable
// `./lsyncd` — here the shim (./lsyncd next to this file), which runs bin/lsyncd-ts with the same
// argv, or the daemon named by `daemon` (e.g. /usr/bin/lsyncd for a reference run).
//
// Contract:
//   - The scripts need a real Lua 5.x interpreter with luaposix (they fork, exec, sleep and stat
//     through it): `lua5.3` + `lua-posix` from Debian (LUA_INIT bridges luaposix 33, below). findLua() picks the first of lua5.3, lua5.4,
//     lua that can `require "posix"`, or throws naming the packages to install.
//   - Everything lives in a private working directory (removed in t.after): the copied scripts,
//     the shim link, tests/ssh/ (the suite's key layout, filled by the caller for ssh scripts),
//     and TMPDIR, so the scripts' `mktemp -td ltest.XXX` trees (which they never remove) go too.
//   - The script runs in its own process group; when it ends (pass or fail — a failing script
//     exits without killing its lsyncd) the whole group gets SIGTERM, so no daemon outlives it.
//   - Resolves with the exit code/signal, the script's output and the tail of every lsyncd log
//     file it made, for a failure message that shows what went wrong.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';

/** Repository root (this file runs from dist/test/lsyncd_suite/). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const SUITE_DIR = path.join(repoRoot, 'test/lsyncd_suite');
export const VENDOR_TESTS = path.join(SUITE_DIR, 'vendor/tests');
export const SHIM = path.join(SUITE_DIR, 'lsyncd');

export const LUA_PACKAGES = 'lua5.3 lua-posix';

/**
 * Run before each script: upstream's testlib.lua calls posix.unistd.getcwd(), which luaposix 34+
 * exposes on the `posix` table and Debian 12's luaposix 33.4 only as the `posix.unistd` module.
 * require() caches the table, so the script's own `require 'posix'` sees the field.
 */
const LUA_INIT = 'local p = require "posix"; p.unistd = p.unistd or require "posix.unistd"';

let luaBinary: string | undefined;

/** A Lua interpreter with luaposix, or throws with the Debian packages to install. */
export function findLua(): string {
  if (luaBinary !== undefined) return luaBinary;
  for (const cand of ['lua5.3', 'lua5.4', 'lua']) {
    const r = spawnSync(cand, ['-e', 'require "posix"'], { stdio: 'ignore' });
    if (r.error === undefined && r.status === 0) return (luaBinary = cand);
  }
  throw new Error(`lsyncd's test scripts need Lua with luaposix: install them (apt-get install ${LUA_PACKAGES})`);
}

export interface SuiteRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly output: string;
  /** Working directory (scripts under tests/, the shim as ./lsyncd). */
  readonly dir: string;
  /** Last lines of each lsyncd log file the script wrote (its `tdir/log`). */
  readonly logs: string;
}

/** A fresh working directory with the vendored scripts and the shim; removed in t.after. */
export function suiteWorkdir(t: TestContext): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lsyncd-ts-suite-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(path.join(dir, 'tests'));
  mkdirSync(path.join(dir, 'tmp'));
  for (const f of readdirSync(VENDOR_TESTS)) copyFileSync(path.join(VENDOR_TESTS, f), path.join(dir, 'tests', f));
  symlinkSync(SHIM, path.join(dir, 'lsyncd'));
  return dir;
}

function logTails(tmp: string): string {
  const out: string[] = [];
  const walk = (d: string, depth: number): void => {
    for (const e of readdirSync(d)) {
      const p = path.join(d, e);
      const st = statSync(p, { throwIfNoEntry: false });
      if (st === undefined) continue;
      if (st.isDirectory() && depth < 1) walk(p, depth + 1);
      else if (st.isFile() && e === 'log') out.push(`--- ${p} (last lines)\n${readFileSync(p, 'utf8').split('\n').slice(-30).join('\n')}`);
    }
  };
  walk(tmp, 0);
  return out.join('\n');
}

/** Runs tests/NAME.lua in `dir` (from suiteWorkdir) to its end; never rejects for a failing script. */
export function runSuiteScript(dir: string, name: string, daemon?: string, timeoutMs = 300_000): Promise<SuiteRun> {
  const lua = findLua();
  const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: path.join(dir, 'tmp'), LUA_INIT_5_3: LUA_INIT, LUA_INIT_5_4: LUA_INIT, LUA_INIT: LUA_INIT };
  if (daemon !== undefined) env['LSYNCD_SUITE_DAEMON'] = daemon;
  else delete env['LSYNCD_SUITE_DAEMON'];
  const child = spawn(lua, [`tests/${name}.lua`], { cwd: dir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
  const killGroup = (sig: NodeJS.Signals): void => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, sig);
    } catch {
      // the group is gone already
    }
  };
  const timer = setTimeout(() => {
    output += `\n[runner] ${name} did not finish within ${timeoutMs} ms: killed\n`;
    killGroup('SIGKILL');
  }, timeoutMs);
  return new Promise((resolve) => {
    // 'exit', not 'close': a daemon the script left running still holds the output pipes.
    child.on('exit', () => killGroup('SIGTERM'));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      // eslint-disable-next-line no-control-regex
      const plain = output.replace(/\x1b\[[0-9;]*m/g, '');
      resolve({ code, signal, output: plain, dir, logs: logTails(path.join(dir, 'tmp')) });
    });
  });
}

/** The failure text of a run: exit status, the script's last lines and the daemon's logs. */
export function describeRun(name: string, r: SuiteRun): string {
  const tail = r.output.split('\n').slice(-40).join('\n');
  return `tests/${name}.lua exited ${r.code ?? r.signal}\n--- output (last lines)\n${tail}\n${r.logs}`;
}
