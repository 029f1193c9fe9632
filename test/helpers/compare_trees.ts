// compareTrees: byte-for-byte comparison of two directory trees — entry types, file contents,
// symlink targets and permission bits — with names handled as bytes (non-UTF-8 safe). Returns
// the differences as readable lines (empty = identical). Directory mtimes are not compared
// (they legitimately differ while mirroring).
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';


export interface CompareOptions {
  /** Compare permission bits (mode & 0o7777). Default true. */
  readonly modes?: boolean;
  /** Root-relative names (as latin1/binary strings of their bytes) to ignore. */
  readonly ignore?: (rel: string) => boolean;
}

function list(dir: Buffer): Buffer[] {
  try {
    return readdirSync(dir, { encoding: 'buffer' });
  } catch {
    return [];
  }
}

const show = (b: Buffer): string => JSON.stringify(b.toString('latin1'));

export function compareTrees(a: string, b: string, opts: CompareOptions = {}): string[] {
  const diffs: string[] = [];
  const modes = opts.modes ?? true;
  const walk = (rel: Buffer): void => {
    const pa = Buffer.concat([Buffer.from(a), rel]);
    const pb = Buffer.concat([Buffer.from(b), rel]);
    const na = new Map(list(pa).map((n) => [n.toString('latin1'), n]));
    const nb = new Map(list(pb).map((n) => [n.toString('latin1'), n]));
    for (const [key, name] of na) {
      const childRel = Buffer.concat([rel, Buffer.from('/'), name]);
      const relKey = childRel.toString('latin1');
      if (opts.ignore?.(relKey)) continue;
      if (!nb.has(key)) {
        diffs.push(`missing in target: ${show(childRel)}`);
        continue;
      }
      const ca = Buffer.concat([Buffer.from(a), childRel]);
      const cb = Buffer.concat([Buffer.from(b), childRel]);
      const sa = lstatSync(ca);
      const sb = lstatSync(cb);
      const type = (s: typeof sa) => (s.isDirectory() ? 'dir' : s.isSymbolicLink() ? 'symlink' : s.isFile() ? 'file' : 'other');
      if (type(sa) !== type(sb)) {
        diffs.push(`type differs: ${show(childRel)} ${type(sa)} vs ${type(sb)}`);
        continue;
      }
      if (modes && !sa.isSymbolicLink() && (sa.mode & 0o7777) !== (sb.mode & 0o7777)) {
        diffs.push(`mode differs: ${show(childRel)} ${(sa.mode & 0o7777).toString(8)} vs ${(sb.mode & 0o7777).toString(8)}`);
      }
      if (sa.isSymbolicLink()) {
        if (!readlinkSync(ca, { encoding: 'buffer' }).equals(readlinkSync(cb, { encoding: 'buffer' })))
          diffs.push(`symlink target differs: ${show(childRel)}`);
      } else if (sa.isFile()) {
        if (sa.size !== sb.size || !readFileSync(ca).equals(readFileSync(cb))) diffs.push(`content differs: ${show(childRel)}`);
      } else if (sa.isDirectory()) {
        walk(childRel);
      }
    }
    for (const [key, name] of nb) {
      const childRel = Buffer.concat([rel, Buffer.from('/'), name]);
      if (opts.ignore?.(childRel.toString('latin1'))) continue;
      if (!na.has(key)) diffs.push(`extra in target: ${show(childRel)}`);
    }
  };
  walk(Buffer.alloc(0));
  return diffs;
}

