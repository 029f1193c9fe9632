// Benchmark tree generator (bench/RESULTS.md "Benchmark").
//
// What it builds: a balanced directory tree of `top × mid × leaf` leaf directories plus their
// parents (default 10 × 100 × 99 → 10 + 1,000 + 99,000 = 100,010 directories below the root,
// 100,011 including it), with one small file in every `fileEvery`-th leaf directory (~9,900
// files), so a tree walker also has to skip non-directory entries.
//
// How: plain synchronous fs.mkdirSync / fs.writeFileSync in one loop (parents before children, no
// `recursive` option, so each call is exactly one mkdir(2)); 100k directories take ~1-3 s on a
// warm disk. `removeTree` deletes it again (rm -rf, which is much faster than fs.rmSync here).
//
// CLI: node dist/bench/watcher/make_tree.js <dir> [top mid leaf]   (prints the counts as JSON)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface TreeShape {
  top: number;
  mid: number;
  leaf: number;
  /** One file in every n-th leaf directory (0: no files). */
  fileEvery: number;
}

export interface TreeInfo {
  root: string;
  /** Directories including the root itself (what a recursive watcher has to watch). */
  dirs: number;
  files: number;
  buildMs: number;
}

export const defaultShape: TreeShape = { top: 10, mid: 100, leaf: 99, fileEvery: 10 };

export function makeTree(root: string, shape: TreeShape = defaultShape): TreeInfo {
  const t0 = performance.now();
  fs.mkdirSync(root, { recursive: true });
  let dirs = 1;
  let files = 0;
  let leafNo = 0;
  for (let a = 0; a < shape.top; a++) {
    const pa = path.join(root, `t${a}`);
    fs.mkdirSync(pa);
    dirs++;
    for (let b = 0; b < shape.mid; b++) {
      const pb = path.join(pa, `m${b}`);
      fs.mkdirSync(pb);
      dirs++;
      for (let c = 0; c < shape.leaf; c++) {
        const pc = path.join(pb, `l${c}`);
        fs.mkdirSync(pc);
        dirs++;
        if (shape.fileEvery > 0 && leafNo++ % shape.fileEvery === 0) {
          fs.writeFileSync(path.join(pc, 'file.txt'), 'x\n');
          files++;
        }
      }
    }
  }
  return { root, dirs, files, buildMs: performance.now() - t0 };
}

/** Removes a tree made by makeTree (or any directory); never throws. */
export function removeTree(root: string): void {
  const r = spawnSync('rm', ['-rf', '--', root], { stdio: 'ignore' });
  if (r.status !== 0) fs.rmSync(root, { recursive: true, force: true });
}

/** Reads every directory once (readdir), so the dentry/inode caches are warm for both daemons. */
export function warmTree(root: string): number {
  let n = 0;
  const stack = [root];
  while (stack.length > 0) {
    const d = stack.pop()!;
    n++;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) stack.push(path.join(d, e.name));
    }
  }
  return n;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [dir, top, mid, leaf] = process.argv.slice(2);
  if (!dir) {
    console.error('usage: make_tree.js <dir> [top mid leaf]');
    process.exit(2);
  }
  const shape: TreeShape = {
    top: top ? Number(top) : defaultShape.top,
    mid: mid ? Number(mid) : defaultShape.mid,
    leaf: leaf ? Number(leaf) : defaultShape.leaf,
    fileEvery: defaultShape.fileEvery,
  };
  console.log(JSON.stringify(makeTree(dir, shape)));
}
