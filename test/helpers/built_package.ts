// builtPackage('deb' | 'rpm'): the package scripts/package-{deb,rpm}.sh builds from this
// checkout, built once per content and shared by every packaging test file (node --test runs
// each file in its own process, and a build takes minutes: it compiles the addon and xz/zstd
// compresses ~100 MB). Cache: <tmpdir>/lsyncd-ts-package-cache/<kind>-<hash>/, where the hash
// covers every input of the package: the compiled JS (dist/src), the addon sources, packaging/,
// the package scripts, package.json + lock, README, the man page source and the node binary.
// A new build goes to a temporary name and is renamed into place, so a half-written package
// is never reused. Callers must have compiled the TypeScript (npm test does it first).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

const INPUTS = ['dist/src', 'native', 'binding.gyp', 'packaging', 'scripts/package-common.sh', 'scripts/package-deb.sh', 'scripts/package-rpm.sh', 'package.json', 'package-lock.json', 'README.md', 'docs/lsyncd-ts.1.md', 'bin'];

function hashTree(h: ReturnType<typeof createHash>, abs: string, rel: string): void {
  if (!existsSync(abs)) return;
  const st = statSync(abs);
  if (st.isDirectory()) {
    if (rel === 'packaging/dist') return;
    for (const name of readdirSync(abs).sort()) hashTree(h, path.join(abs, name), `${rel}/${name}`);
  } else if (st.isFile()) {
    h.update(`${rel}\0${st.mode & 0o111 ? 'x' : '-'}\0`);
    h.update(readFileSync(abs));
    h.update('\0');
  }
}

function inputHash(kind: string): string {
  const h = createHash('sha256');
  h.update(`${kind}\0${process.execPath}\0${process.version}\0${statSync(process.execPath).mtimeMs}\0`);
  for (const rel of INPUTS) hashTree(h, path.join(REPO, rel), rel);
  return h.digest('hex').slice(0, 16);
}

/** Path of the built package; throws with the build's output when the script fails. */
export function builtPackage(kind: 'deb' | 'rpm'): string {
  const cacheRoot = path.join(tmpdir(), 'lsyncd-ts-package-cache');
  const dir = path.join(cacheRoot, `${kind}-${inputHash(kind)}`);
  const pattern = kind === 'deb' ? /\.deb$/ : /\.rpm$/;
  const found = existsSync(dir) ? readdirSync(dir).filter((f) => pattern.test(f)) : [];
  if (found.length === 1) return path.join(dir, found[0]!);
  mkdirSync(cacheRoot, { recursive: true });
  const partial = `${dir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  const r = spawnSync('bash', [path.join(REPO, `scripts/package-${kind}.sh`)], {
    encoding: 'utf8',
    env: { ...process.env, LSYNCD_TS_SKIP_BUILD: '1', LSYNCD_TS_DIST_DIR: partial },
    timeout: 600_000,
  });
  if (r.status !== 0) {
    rmSync(partial, { recursive: true, force: true });
    throw new Error(`scripts/package-${kind}.sh failed (exit ${r.status}${r.signal ? `, ${r.signal}` : ''})\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  }
  const out = r.stdout.trim().split('\n').pop()!;
  rmSync(dir, { recursive: true, force: true });
  renameSync(partial, dir);
  // Older builds of this kind are stale now: keep the cache at one package per kind.
  for (const old of readdirSync(cacheRoot)) {
    if (old.startsWith(`${kind}-`) && !old.includes('.partial-') && path.join(cacheRoot, old) !== dir) rmSync(path.join(cacheRoot, old), { recursive: true, force: true });
  }
  return path.join(dir, path.basename(out));
}
