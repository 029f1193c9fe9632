// The oldest system the packages claim (packaging/runtime.conf: GLIBC_MAX, GLIBCXX_MAX,
// CXXABI_MAX — glibc 2.28 and GCC 8's libstdc++, RHEL 8) can load what they ship: the bundled
// node and the packaged addon are read out of the built .deb, and the newest GLIBC_ / GLIBCXX_ /
// CXXABI_ symbol version each one requires (objdump -T, the dynamic symbol table) must not be
// newer than the claim. The dynamic loader refuses a binary that asks for a version the running
// libc lacks, whatever the function; packaging/portable/glibc_compat.c is what keeps the addon,
// compiled on Debian 12, within the claim. Needs binutils' objdump (build-essential).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { builtPackage, REPO } from '../helpers/built_package.js';

/** packaging/runtime.conf as KEY → value. */
function runtimeConf(): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of readFileSync(path.join(REPO, 'packaging/runtime.conf'), 'utf8').split('\n')) {
    const kv = /^([A-Z_]+)=(\S+)$/.exec(line);
    if (kv) m.set(kv[1]!, kv[2]!);
  }
  return m;
}

/** The built .deb unpacked into a temp directory (removed when the test ends). */
function unpackedDeb(t: TestContext): string {
  const deb = builtPackage('deb');
  const root = mkdtempSync(path.join(tmpdir(), 'lsyncd-ts-glibc-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const x = spawnSync('dpkg-deb', ['-x', deb, root], { encoding: 'utf8' });
  assert.equal(x.status, 0, `dpkg-deb -x: ${x.stderr}`);
  return root;
}

/** Compares dotted versions component by component (2.28 > 2.3). */
function cmpVersion(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The symbol versions of `prefix` (GLIBC, GLIBCXX, CXXABI) the binary's dynamic symbols require. */
function requiredVersions(binary: string, prefix: string): { max: string; symbols: string[] } {
  const r = spawnSync('objdump', ['-T', binary], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  assert.equal(r.status, 0, `objdump -T ${binary}: ${r.error?.message ?? r.stderr} (objdump is in binutils, part of build-essential)`);
  const re = new RegExp(`\\*UND\\*.*\\(${prefix}_([0-9.]+)\\)\\s+(\\S+)`);
  const found: Array<{ v: string; sym: string }> = [];
  for (const line of r.stdout.split('\n')) {
    const m = re.exec(line);
    if (m) found.push({ v: m[1]!, sym: m[2]! });
  }
  assert.ok(found.length > 0, `${binary} requires no ${prefix}_ symbol at all: is it a dynamically linked ELF file?`);
  const max = found.map((f) => f.v).sort(cmpVersion).pop()!;
  return { max, symbols: found.filter((f) => f.v === max).map((f) => f.sym) };
}

test('glibc: the bundled node and the packaged addon need no newer glibc/libstdc++ than runtime.conf claims', { timeout: 900_000 }, (t) => {
  const conf = runtimeConf();
  const root = unpackedDeb(t);

  const binaries = ['usr/lib/lsyncd-ts/node', 'usr/lib/lsyncd-ts/build/Release/lsyncd_ts_native.node'];
  const limits: Array<[string, string]> = [
    ['GLIBC', conf.get('GLIBC_MAX')!],
    ['GLIBCXX', conf.get('GLIBCXX_MAX')!],
    ['CXXABI', conf.get('CXXABI_MAX')!],
  ];
  for (const [prefix, limit] of limits) assert.match(limit ?? '', /^\d+(\.\d+)+$/, `packaging/runtime.conf must set ${prefix}_MAX`);
  const over: string[] = [];
  for (const rel of binaries) {
    for (const [prefix, limit] of limits) {
      const { max, symbols } = requiredVersions(path.join(root, rel), prefix);
      if (cmpVersion(max, limit) > 0) over.push(`/${rel} needs ${prefix}_${max} (> ${limit}) for ${symbols.slice(0, 6).join(', ')}`);
    }
  }
  assert.deepEqual(over, [], 'every required symbol version is within packaging/runtime.conf');
});

test('glibc: every other native module in the package is an optional one within OPTIONAL_GLIBC_MAX (lmdb: loaded only for the per-sync state)', { timeout: 900_000 }, (t) => {
  const conf = runtimeConf();
  const root = unpackedDeb(t);
  const modules = path.join(root, 'usr/lib/lsyncd-ts/node_modules');
  const found = spawnSync('find', [modules, '-name', '*.node', '-not', '-name', '*musl*'], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l !== '');
  const optional = found.filter((f) => /\/node_modules\/(@lmdb|lmdb|@msgpackr-extract|msgpackr-extract)\//.test(f));
  assert.ok(optional.length > 0, `no lmdb binary in the package under ${modules}: is the state feature packaged?`);
  assert.deepEqual(found.filter((f) => !optional.includes(f)), [], 'no native module other than the optional ones (add a new one to runtime.conf and this list, with why)');
  const over: string[] = [];
  for (const f of optional) {
    for (const [prefix, limit] of [['GLIBC', conf.get('OPTIONAL_GLIBC_MAX')!], ['GLIBCXX', conf.get('OPTIONAL_GLIBCXX_MAX')!]] as const) {
      const r = spawnSync('objdump', ['-T', f], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
      const versions = [...r.stdout.matchAll(new RegExp(`\\(${prefix}_([0-9.]+)\\)`, 'g'))].map((m) => m[1]!);
      const max = versions.sort(cmpVersion).pop();
      if (max !== undefined && cmpVersion(max, limit) > 0) over.push(`${path.relative(root, f)} needs ${prefix}_${max} (> ${limit})`);
    }
  }
  assert.deepEqual(over, []);
});
