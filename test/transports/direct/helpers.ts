// Helpers of the direct-transport tests: a real NormalizedDirectSync (through normalizeConfig),
// its rule list (loadSyncRules), hand-made delays, byte-exact tree comparison, and temp roots
// removed in t.after. No fs mocks anywhere: every test works on real files.
import { lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { normalizeConfig } from '../../../src/config/normalize.js';
import type { DeleteMode, NormalizedDirectSync, RsyncOptions } from '../../../src/config/schema.js';
import { memoryLog } from '../../../src/log/log.js';
import type { SyncPath } from '../../../src/paths/byte_path.js';
import type { Delay, DelayKind } from '../../../src/queue/events.js';
import { loadSyncRules } from '../../../src/filters/sync_rules.js';
import { DirectTransport, type DirectTransportOptions } from '../../../src/transports/direct/index.js';
import type { TransferContext } from '../../../src/transports/transport.js';

export interface Roots {
  readonly base: string;
  readonly src: string;
  readonly dst: string;
}

export function roots(t: TestContext): Roots {
  const base = mkdtempSync(path.join(os.tmpdir(), 'lsyncd-ts-direct-'));
  t.after(() => rmSync(base, { recursive: true, force: true }));
  return { base, src: path.join(base, 'src'), dst: path.join(base, 'dst') };
}

export interface SyncInput {
  readonly delete?: DeleteMode;
  readonly exclude?: string[];
  readonly filter?: string[];
  readonly rsync?: RsyncOptions;
  readonly rsyncExitCodes?: Record<string, 'ok' | 'again' | 'die'>;
}

export function directSync(r: Roots, input: SyncInput = {}): NormalizedDirectSync {
  const res = normalizeConfig(
    { sync: [{ mode: 'direct', source: r.src, target: r.dst, ...input }] },
    { file: 'test', lineOf: () => undefined },
  );
  if (res.errors.length > 0) throw new Error(res.errors.map((e) => e.message).join('; '));
  const s = res.config.syncs[0]!;
  if (s.mode !== 'direct') throw new Error('not a direct sync');
  return s;
}

export function transport(r: Roots, input: SyncInput = {}, opts: DirectTransportOptions = {}): DirectTransport {
  const sync = directSync(r, input);
  const rules = loadSyncRules(sync);
  if (rules.rules === undefined) throw new Error(rules.problems.map((p) => p.message).join('; '));
  return new DirectTransport(sync, { rules: rules.rules, hasFilters: rules.hasFilters }, opts);
}

export function ctx(): TransferContext & { log: ReturnType<typeof memoryLog> } {
  return { log: memoryLog(), signal: new AbortController().signal };
}

let seq = 1;
export function delay(kind: DelayKind, p: SyncPath, extra: { destination?: SyncPath; fromMove?: boolean } = {}): Delay {
  const isDir = typeof p === 'string' ? p.endsWith('/') : p[p.length - 1] === 0x2f;
  return {
    seq: seq++,
    kind,
    path: p,
    destination: extra.destination,
    isDir,
    alarm: 0,
    status: 'active',
    fromMove: extra.fromMove ?? false,
    attempts: 0,
    reason: undefined,
  };
}

/** Joins a root and a byte path ("/a/b" string or Buffer) into an fs path (Buffer when needed). */
export function at(root: string, rel: SyncPath): string | Buffer {
  if (typeof rel === 'string') return root + rel;
  return Buffer.concat([Buffer.from(root), rel]);
}

export interface TreeEntry {
  type: 'file' | 'dir' | 'link' | 'other';
  mode: number;
  content?: string;
  link?: string;
  uid: number;
  gid: number;
}

/** Byte-exact snapshot: rel path (latin1 byte string) → type, mode, content (base64), link target. */
export function snapshot(root: string, opts: { skip?: (rel: string) => boolean } = {}): Map<string, TreeEntry> {
  const out = new Map<string, TreeEntry>();
  const walk = (dir: Buffer, rel: string): void => {
    for (const name of readdirSync(dir, { encoding: 'buffer' })) {
      const p = Buffer.concat([dir, Buffer.from('/'), name]);
      const r = `${rel}/${name.toString('latin1')}`;
      if (opts.skip?.(r)) continue;
      const st = lstatSync(p);
      const e: TreeEntry = {
        type: st.isFile() ? 'file' : st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'link' : 'other',
        mode: st.mode & 0o7777,
        uid: st.uid,
        gid: st.gid,
      };
      if (e.type === 'link') e.mode = 0;
      if (e.type === 'file') e.content = readFileSync(p).toString('base64');
      if (e.type === 'link') e.link = readlinkSync(p, { encoding: 'buffer' }).toString('latin1');
      out.set(r, e);
      if (e.type === 'dir') walk(p, r);
    }
  };
  walk(Buffer.from(root), '');
  return out;
}

/** Differences between two trees (empty = identical in type, mode, content, symlink target). */
export function treeDiff(a: string, b: string, opts: { skip?: (rel: string) => boolean; owners?: boolean } = {}): string[] {
  const sa = snapshot(a, opts);
  const sb = snapshot(b, opts);
  const diffs: string[] = [];
  const show = (r: string) => JSON.stringify(Buffer.from(r, 'latin1').toString('utf8'));
  for (const [r, e] of sa) {
    const f = sb.get(r);
    if (f === undefined) diffs.push(`missing on target: ${show(r)}`);
    else {
      if (e.type !== f.type) diffs.push(`type ${show(r)}: ${e.type} vs ${f.type}`);
      else if (e.mode !== f.mode) diffs.push(`mode ${show(r)}: ${e.mode.toString(8)} vs ${f.mode.toString(8)}`);
      else if (e.content !== f.content) diffs.push(`content ${show(r)}`);
      else if (e.link !== f.link) diffs.push(`link ${show(r)}: ${e.link} vs ${f.link}`);
      else if (opts.owners && (e.uid !== f.uid || e.gid !== f.gid)) diffs.push(`owner ${show(r)}`);
    }
  }
  for (const r of sb.keys()) if (!sa.has(r)) diffs.push(`extra on target: ${show(r)}`);
  return diffs;
}

export const IS_ROOT = process.geteuid?.() === 0;
