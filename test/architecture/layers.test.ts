// Layers that point one way: the import rules of src/, checked on the source text (every relative
// import, export-from and dynamic import() of every src/**/*.ts, as TypeScript itself reads them;
// `import type` counts too: a type ties two files together as much as a value does).
//
//   - every import between top-level folders of src/ is a row of ALLOWED below;
//   - no file imports itself through other files (no file-level cycle);
//   - only src/native/ loads the compiled addon; everything else goes through its loader.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import { fileURLToPath } from 'node:url';

import ts from 'typescript';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../src');

// Which top-level folder of src/ may import which: the layers, written down once. A row reads
// "files in <folder> may import files in these folders"; a folder may always import itself.
// Top to bottom:
//   - the command line is the composition root: it builds the engine and hands it the transport
//     factory and the watcher factory, so it may use everything;
//   - the service around one running engine (daemon/) and the views of it (status/, metrics/);
//   - the engine: it drives the watcher, the delay queue, the filters and the transports through
//     their contracts (src/transports/transport.ts, src/watcher/watcher_port.ts), never the other
//     way round;
//   - the transports run child processes (process/);
//   - at the bottom, what every layer may use: config types, logging, OS calls (system/), the
//     addon loader (native/) and byte-exact paths (paths/).
// Why: a lower layer that imports a higher one makes the two one unit: neither can be tested,
// replaced or read alone, and a change at the top ripples to the bottom. The table itself has no
// cycle (checked below), so code that follows it cannot form a folder-level cycle.
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  // The package's public API (src/index.ts): config helpers and types for TypeScript configs.
  'index.ts': ['config'],
  cli: ['state', 'daemon', 'metrics', 'status', 'engine', 'sysctl', 'watcher', 'transports', 'queue', 'filters', 'process', 'system', 'native', 'log', 'config', 'paths'],
  daemon: ['metrics', 'status', 'engine', 'system', 'log', 'config', 'paths'],
  metrics: ['status', 'engine', 'log', 'config', 'paths'],
  status: ['engine', 'log', 'config', 'paths'],
  // shellQuote (process/argv_display.ts) names the sysctl target in the out-of-watches error.
  engine: ['state', 'watcher', 'transports', 'sysctl', 'queue', 'filters', 'process', 'log', 'config', 'paths'],
  // Per-sync state on disk: the manifests (lmdb), the source scan and the catch-up plan.
  // The addon's directory listing and batch lstat come through system/.
  state: ['queue', 'filters', 'system', 'log', 'config', 'paths'],
  transports: ['process', 'queue', 'filters', 'system', 'log', 'config', 'paths'],
  // Counting the directories a config will watch: shared by `lsyncd-ts sysctl` and the engine.
  sysctl: ['filters', 'config', 'paths'],
  watcher: ['native', 'paths'],
  queue: ['paths'],
  filters: ['config', 'paths'],
  process: ['native', 'paths'],
  // The command-line checks of config/cli_args.ts use the log's category rule; the schema may
  // validate inotifyMode against the watcher's own list of names (the addon numbers them).
  config: ['watcher', 'log', 'paths'],
  log: ['system', 'paths'],
  system: ['native', 'paths'],
  native: [],
  paths: [],
};

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(p));
    else if (e.name.endsWith('.ts')) out.push(p);
  }
  return out.sort();
}

const rel = (file: string): string => path.relative(SRC, file);

/** The top-level folder of src/ a file belongs to (a file directly in src/ is its own row). */
function layerOf(file: string): string {
  return rel(file).split(path.sep)[0]!;
}

/** The file a relative specifier names ('./x.js' → x.ts, './dir' → dir/index.ts), or undefined. */
function resolveImport(from: string, spec: string): string | undefined {
  const base = path.resolve(path.dirname(from), spec);
  for (const candidate of [base.replace(/\.js$/, '.ts'), `${base}.ts`, path.join(base, 'index.ts')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

interface ImportGraph {
  readonly files: readonly string[];
  readonly edges: ReadonlyMap<string, readonly string[]>;
  readonly unresolved: readonly string[];
}

function importGraph(): ImportGraph {
  const files = sourceFiles(SRC);
  const edges = new Map<string, string[]>();
  const unresolved: string[] = [];
  for (const file of files) {
    const targets: string[] = [];
    for (const { fileName } of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
      if (!fileName.startsWith('.')) continue;
      const target = resolveImport(file, fileName);
      if (target === undefined) unresolved.push(`${rel(file)}: '${fileName}'`);
      else targets.push(target);
    }
    edges.set(file, targets);
  }
  return { files, edges, unresolved };
}

/** Strongly connected components with more than one file, or a file that imports itself. */
function fileCycles(graph: ImportGraph): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (graph.edges.get(v) ?? []).includes(v)) cycles.push(component);
  };
  for (const f of graph.files) if (!index.has(f)) visit(f);
  return cycles;
}

/** One concrete loop through a cycle's files, for the message (a → b → … → a). */
function loopThrough(graph: ImportGraph, component: readonly string[]): string {
  const inside = new Set(component);
  const start = component[0]!;
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const w of graph.edges.get(v) ?? []) {
      if (!inside.has(w)) continue;
      if (w === start) {
        const loop = [start];
        for (let x: string | undefined = v; x !== undefined && x !== start; x = previous.get(x)) loop.splice(1, 0, x);
        return [...loop, start].map(rel).join(' → ');
      }
      if (!previous.has(w)) {
        previous.set(w, v);
        queue.push(w);
      }
    }
  }
  return component.map(rel).join(', ');
}

const graph = importGraph();

test('every relative import in src/ names a file that exists', () => {
  assert.deepEqual(graph.unresolved, []);
});

test('the layer table has a row for every top-level entry of src/, and names only those', () => {
  const entries = readdirSync(SRC).filter((e) => e.endsWith('.ts') || statSync(path.join(SRC, e)).isDirectory());
  assert.deepEqual(entries.filter((e) => !(e in ALLOWED)), [], 'place a new folder in ALLOWED (which layers may it use, which may use it?)');
  const named = new Set([...Object.keys(ALLOWED), ...Object.values(ALLOWED).flat()]);
  assert.deepEqual([...named].filter((e) => !entries.includes(e)), [], 'rows for folders that no longer exist');
});

test('the layer table has no cycle, so following it cannot create a folder-level cycle', () => {
  const state = new Map<string, 'open' | 'done'>();
  const found: string[] = [];
  const visit = (layer: string, trail: string[]): void => {
    if (state.get(layer) === 'done') return;
    if (state.get(layer) === 'open') {
      found.push([...trail.slice(trail.indexOf(layer)), layer].join(' → '));
      return;
    }
    state.set(layer, 'open');
    for (const next of ALLOWED[layer] ?? []) visit(next, [...trail, layer]);
    state.set(layer, 'done');
  };
  for (const layer of Object.keys(ALLOWED)) visit(layer, []);
  assert.deepEqual(found, []);
});

test('every import between folders of src/ follows the layer table', () => {
  const wrongWay: string[] = [];
  for (const [file, targets] of graph.edges) {
    const from = layerOf(file);
    for (const target of targets) {
      const to = layerOf(target);
      if (to === from || ALLOWED[from]?.includes(to)) continue;
      wrongWay.push(`${rel(file)} imports ${rel(target)}: ${from}/ may import only ${(ALLOWED[from] ?? []).join(', ') || 'nothing'}`);
    }
  }
  assert.deepEqual(wrongWay, []);
});

test('no file in src/ imports itself through other files', () => {
  assert.deepEqual(fileCycles(graph).map((c) => loopThrough(graph, c)), []);
});

test('only src/native/ loads the compiled addon', () => {
  const loaders = graph.files.filter((f) => layerOf(f) !== 'native' && /lsyncd_ts_native|require\(\s*['"]bindings['"]\s*\)|process\.dlopen/.test(readFileSync(f, 'utf8')));
  assert.deepEqual(loaders.map(rel), [], 'load the addon through src/native/native_binding.ts (loadNative)');
});
