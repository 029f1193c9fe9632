// Prints the binding.gyp of the PACKAGED addon: the checkout's binding.gyp (one home for the
// source list and flags) plus the two compat sources of this folder (glibc_compat.c explains
// why). Used by scripts/package-common.sh (build_portable_addon), which copies native/ and these
// sources into a scratch directory and runs node-gyp there, so the development build in build/
// is never touched.
// Usage: node portable_gyp.mjs path/to/binding.gyp > scratch/binding.gyp
import { readFileSync } from 'node:fs';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: node portable_gyp.mjs BINDING_GYP\n');
  process.exit(2);
}
// binding.gyp is JSON plus whole-line `#` comments.
const text = readFileSync(file, 'utf8').split('\n').filter((l) => !/^\s*#/.test(l)).join('\n');
const gyp = JSON.parse(text);
const target = gyp.targets.find((t) => t.target_name === 'lsyncd_ts_native');
if (!target) {
  process.stderr.write(`portable_gyp: no lsyncd_ts_native target in ${file}\n`);
  process.exit(1);
}
target.sources = [...target.sources, 'native/glibc_compat.c', 'native/libstdcxx_compat.cc'];
process.stdout.write(`${JSON.stringify(gyp, null, 2)}\n`);
