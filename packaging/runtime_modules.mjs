// Prints, one per line, the node_modules directories (relative to the checkout) lsyncd-ts needs
// at RUN time: the closure of package.json's `dependencies` (plus their `dependencies` and
// installed `optionalDependencies`), resolved the way Node resolves them, minus BUILD_ONLY.
// scripts/package-common.sh copies exactly these into the packages.
// Why not `npm ls --omit=dev`: package.json lists the addon's build tools (node-gyp,
// node-addon-api) as dependencies because `npm install` compiles the addon; a package ships the
// compiled addon and needs neither (nor node-gyp's own ~100 dependencies).
// Usage: node runtime_modules.mjs CHECKOUT_DIR
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Needed to compile the addon, never loaded by the installed program. */
const BUILD_ONLY = new Set(['node-gyp', 'node-addon-api']);

const root = path.resolve(process.argv[2] ?? '.');
const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));

/** The directory `name` resolves to from package directory `from` (Node's lookup, upwards). */
function resolvePackage(name, from) {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const cand = path.join(dir, 'node_modules', name);
    if (existsSync(path.join(cand, 'package.json'))) return cand;
    if (dir === root || dir === path.dirname(dir)) return null;
  }
}

const seen = new Set();
const queue = Object.keys(readJson(path.join(root, 'package.json')).dependencies ?? {})
  .filter((n) => !BUILD_ONLY.has(n))
  .map((name) => ({ name, from: root, optional: false }));
while (queue.length > 0) {
  const { name, from, optional } = queue.shift();
  const dir = resolvePackage(name, from);
  if (dir === null) {
    if (optional) continue;
    process.stderr.write(`runtime_modules: ${name} (needed by ${path.relative(root, from) || 'lsyncd-ts'}) is not installed: run npm ci\n`);
    process.exit(1);
  }
  if (seen.has(dir)) continue;
  seen.add(dir);
  const pkg = readJson(path.join(dir, 'package.json'));
  for (const n of Object.keys(pkg.dependencies ?? {})) queue.push({ name: n, from: dir, optional: false });
  for (const n of Object.keys(pkg.optionalDependencies ?? {})) queue.push({ name: n, from: dir, optional: true });
}
process.stdout.write([...seen].map((d) => path.relative(root, d)).sort().join('\n') + '\n');
