// Churn: seeded random file-system activity on a source tree, for convergence tests (lsyncd's
// tests/churn-*.lua, extended): create, overwrite, append, truncate, delete,
// mkdir, rm -r, file and directory renames, symlinks, chmod — with hostile names (spaces,
// newline, leading dash, quotes, $(...), *?[], backslash, non-UTF-8 bytes). The seed is printed
// by the caller so a failure can be replayed: LSYNCD_TS_CHURN_SEED=<seed>.
import {
  appendFileSync,
  chmodSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
  type Dirent,
} from 'node:fs';

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NAMES: Buffer[] = [
  'a', 'b', 'c', 'dir', 'file.txt', 'sp ace', 'new\nline', '-dash', '--delete', `q'uo"te`,
  '$(touch pwned)', '`id`', '*?[x]', 'back\\slash', 'ünï', 'x y z',
].map((s) => Buffer.from(s)).concat([Buffer.from([0x6e, 0xff, 0xfe, 0x75]), Buffer.from([0x80, 0x2d])]);

const SLASH = Buffer.from('/');

export class Churner {
  private readonly rnd: () => number;
  readonly log: string[] = [];
  private counter = 0;

  constructor(
    private readonly root: string,
    readonly seed: number,
    private readonly maxEntries = 400,
  ) {
    this.rnd = mulberry32(seed);
  }

  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rnd() * xs.length)]!;
  }

  private abs(rel: Buffer): Buffer {
    return Buffer.concat([Buffer.from(this.root), rel]);
  }

  private entries(): { dirs: Buffer[]; files: Buffer[]; links: Buffer[] } {
    const dirs: Buffer[] = [Buffer.alloc(0)];
    const files: Buffer[] = [];
    const links: Buffer[] = [];
    for (let i = 0; i < dirs.length; i++) {
      let list: Dirent<Buffer>[];
      try {
        list = readdirSync(this.abs(dirs[i]!), { encoding: 'buffer', withFileTypes: true });
      } catch {
        continue;
      }
      for (const d of list) {
        const rel = Buffer.concat([dirs[i]!, SLASH, d.name]);
        if (d.isDirectory()) dirs.push(rel);
        else if (d.isSymbolicLink()) links.push(rel);
        else files.push(rel);
      }
    }
    return { dirs, files, links };
  }

  private freshName(): Buffer {
    // Mostly hostile names, suffixed so collisions stay rare but possible.
    const base = this.pick(NAMES);
    return this.rnd() < 0.3 ? base : Buffer.concat([base, Buffer.from(`.${this.counter++ % 50}`)]);
  }

  private content(): Buffer {
    const n = Math.floor(this.rnd() * 3000);
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = 97 + Math.floor(this.rnd() * 26);
    return b;
  }

  /** Performs one random operation; returns its description. Errors (races with itself) are fine. */
  step(): string {
    const { dirs, files, links } = this.entries();
    const total = dirs.length + files.length + links.length;
    const shrink = total > this.maxEntries;
    const r = this.rnd();
    const dir = this.pick(dirs);
    const show = (b: Buffer) => JSON.stringify(b.toString('latin1'));
    const op = (name: string, f: () => void): string => {
      try {
        f();
        this.log.push(name);
        return name;
      } catch (e) {
        return `${name} (failed: ${(e as NodeJS.ErrnoException).code})`;
      }
    };
    if (shrink || r < 0.08) {
      if (dirs.length > 1 && this.rnd() < 0.3) {
        const d = this.pick(dirs.slice(1));
        return op(`rm -r ${show(d)}`, () => rmSync(this.abs(d), { recursive: true, force: true }));
      }
      const victim = this.pick([...files, ...links, ...dirs.slice(1)]);
      if (victim) return op(`rm ${show(victim)}`, () => rmSync(this.abs(victim), { recursive: true, force: true }));
    }
    if (r < 0.3) {
      const p = Buffer.concat([dir, SLASH, this.freshName()]);
      return op(`create ${show(p)}`, () => writeFileSync(this.abs(p), this.content()));
    }
    if (r < 0.4 && files.length > 0) {
      const f = this.pick(files);
      return op(`overwrite ${show(f)}`, () => writeFileSync(this.abs(f), this.content()));
    }
    if (r < 0.47 && files.length > 0) {
      const f = this.pick(files);
      return op(`append ${show(f)}`, () => appendFileSync(this.abs(f), this.content()));
    }
    if (r < 0.52 && files.length > 0) {
      const f = this.pick(files);
      return op(`truncate ${show(f)}`, () => truncateSync(this.abs(f), Math.floor(this.rnd() * 100)));
    }
    if (r < 0.64) {
      const p = Buffer.concat([dir, SLASH, this.freshName()]);
      return op(`mkdir ${show(p)}`, () => mkdirSync(this.abs(p)));
    }
    if (r < 0.74 && files.length + links.length > 0) {
      const f = this.pick([...files, ...links]);
      const to = Buffer.concat([this.pick(dirs), SLASH, this.freshName()]);
      return op(`mv ${show(f)} ${show(to)}`, () => renameSync(this.abs(f), this.abs(to)));
    }
    if (r < 0.82 && dirs.length > 1) {
      const d = this.pick(dirs.slice(1));
      const into = this.pick(dirs.filter((x) => !(x.length >= d.length && x.subarray(0, d.length).equals(d) && (x.length === d.length || x[d.length] === 0x2f))));
      if (into === undefined) return 'skip';
      const to = Buffer.concat([into, SLASH, this.freshName()]);
      return op(`mvdir ${show(d)} ${show(to)}`, () => renameSync(this.abs(d), this.abs(to)));
    }
    if (r < 0.9) {
      const p = Buffer.concat([dir, SLASH, this.freshName()]);
      const target = this.rnd() < 0.5 ? this.pick(NAMES) : Buffer.from('../some/where');
      return op(`symlink ${show(p)}`, () => symlinkSync(target, this.abs(p)));
    }
    if (files.length > 0) {
      const f = this.pick(files);
      const mode = this.pick([0o644, 0o600, 0o755, 0o640, 0o444]);
      return op(`chmod ${mode.toString(8)} ${show(f)}`, () => chmodSync(this.abs(f), mode));
    }
    return 'skip';
  }
}

/** Seed for this run: LSYNCD_TS_CHURN_SEED when set (replay), else random. */
export function churnSeed(): number {
  const env = process.env.LSYNCD_TS_CHURN_SEED;
  return env ? Number(env) : Math.floor(Math.random() * 2 ** 31);
}

/** Churn duration in ms: LSYNCD_TS_CHURN_SECONDS (default 30, the convergence bar). */
export function churnMs(): number {
  return Number(process.env.LSYNCD_TS_CHURN_SECONDS ?? 30) * 1000;
}

/** Runs steps in bursts for `ms`, yielding to the event loop between bursts. */
export async function churnFor(c: Churner, ms: number): Promise<number> {
  const end = Date.now() + ms;
  let steps = 0;
  while (Date.now() < end) {
    const burst = 1 + Math.floor(Math.random() * 20);
    for (let i = 0; i < burst; i++, steps++) c.step();
    // Pacing, not synchronisation: give the daemon a chance to run batches mid-churn.
    await new Promise((r) => setTimeout(r, 5 + Math.floor(Math.random() * 40)));
  }
  return steps;
}
