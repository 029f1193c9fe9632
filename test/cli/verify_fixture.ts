// Shared set-up of the `lsyncd-ts verify` tests (verify.test.ts, verify_repair.test.ts): a small
// source tree with one excluded file, its mirror made as the daemon's full transfer would make it,
// the three kinds of drift on the target, a byte-exact snapshot of a tree, and the Lua `ssh{}`
// table of the loopback sshd and an rsyncssh sync through it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type test from 'node:test';

import { startSshd, type Sshd } from '../helpers/sshd.js';
import { tempDir } from '../helpers/temp_tree.js';

export const ENV = { PATH: '/usr/local/bin:/usr/bin:/bin' };

/** Every entry under root: type, mode, size, mtime (ns), content or link value. */
export function snapshot(root: string): string[] {
  const rows: string[] = [];
  const walk = (rel: string): void => {
    for (const name of readdirSync(path.join(root, rel)).sort()) {
      const r = path.join(rel, name);
      const p = path.join(root, r);
      const st = lstatSync(p, { bigint: true });
      const body = st.isFile() ? readFileSync(p, 'latin1') : st.isSymbolicLink() ? readlinkSync(p) : '';
      rows.push(`${r} ${st.mode} ${st.size} ${st.mtimeNs} ${JSON.stringify(body)}`);
      if (st.isDirectory()) walk(r);
    }
  };
  walk('');
  return rows;
}

export function mirror(t: test.TestContext): { dir: string; src: string; dst: string } {
  const dir = tempDir(t, 'lsyncd-ts-verify-');
  const src = path.join(dir, 'src');
  const dst = path.join(dir, 'dst');
  mkdirSync(path.join(src, 'd', 'e'), { recursive: true });
  writeFileSync(path.join(src, 'a'), 'alpha\n');
  writeFileSync(path.join(src, 'd', 'b'), 'bravo\n');
  writeFileSync(path.join(src, 'd', 'e', 'c'), 'charlie\n');
  writeFileSync(path.join(src, 'skip.tmp'), 'excluded\n');
  mkdirSync(dst);
  return { dir, src, dst };
}

/** Copy src to dst as the daemon's full transfer would (rsync -a, excluding *.tmp). */
export function sync(src: string, dst: string): void {
  assert.equal(spawnSync('rsync', ['-a', '--exclude=*.tmp', `${src}/`, `${dst}/`]).status, 0);
}

export function writeConfig(dir: string, body: string): string {
  const file = path.join(dir, 'verify.lua');
  writeFileSync(file, body);
  return file;
}

export function drift(dst: string): void {
  writeFileSync(path.join(dst, 'a'), 'ALPHA changed\n');
  rmSync(path.join(dst, 'd', 'e', 'c'));
  writeFileSync(path.join(dst, 'd', 'extra'), 'not in the source\n');
}

export function sshLua(sshd: Sshd): string {
  const opts = Object.entries(sshd.sshTable.options).map(([k, v]) => `${k} = "${v}"`).join(', ');
  return `ssh = { identityFile = "${sshd.identityFile}", port = ${sshd.port}, options = { ${opts} } }`;
}

/** mirror() synced, and an rsyncssh sync named "remote" to it through a started loopback sshd. */
export async function rsyncsshMirror(t: test.TestContext): Promise<{ sshd: Sshd; src: string; dst: string; config: string }> {
  const sshd = await startSshd(t);
  const { dir, src, dst } = mirror(t);
  sync(src, dst);
  const config = writeConfig(
    dir,
    `sync { default.rsyncssh, name = "remote", source = "${src}", host = "${sshd.user}@${sshd.host}", targetdir = "${dst}", exclude = { "*.tmp" }, ${sshLua(sshd)} }\n`,
  );
  return { sshd, src, dst, config };
}
