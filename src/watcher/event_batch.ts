// EventBatch: a read-only view of one batch from the addon. Records stay in the typed arrays and
// the single path buffer they arrived in; paths are decoded only when asked for (no per-event
// JS objects on the hot path). A path whose bytes are not UTF-8 (flag NonUtf8) is returned as a
// Buffer so it reaches the transports byte for byte.
import type { RawBatch } from '../native/native_binding.js';
import { kindName, RecordFlag, type RecordKindName } from './record_kind.js';

export interface WatchRecord {
  kind: RecordKindName;
  root: number;
  /** Root-relative, no leading '/'; '' for root-level records (Overflow, RootGone). */
  path: string | Buffer;
  isDir: boolean;
  synthetic: boolean;
  unpaired: boolean;
  cookie: number;
  errno: number;
}

export class EventBatch {
  constructor(private readonly raw: RawBatch) {}

  get length(): number {
    return this.raw.kind.length;
  }
  kind(i: number): number {
    return this.raw.kind[i]!;
  }
  flags(i: number): number {
    return this.raw.flags[i]!;
  }
  root(i: number): number {
    return this.raw.root[i]!;
  }
  cookie(i: number): number {
    return this.raw.cookie[i]!;
  }
  pathBuffer(i: number): Buffer {
    return this.raw.pathBytes.subarray(this.raw.pathOff[i]!, this.raw.pathOff[i + 1]!);
  }
  path(i: number): string | Buffer {
    if (this.raw.flags[i]! & RecordFlag.NonUtf8) return Buffer.from(this.pathBuffer(i));
    return this.raw.pathBytes.toString('utf8', this.raw.pathOff[i]!, this.raw.pathOff[i + 1]!);
  }
  record(i: number): WatchRecord {
    const f = this.raw.flags[i]!;
    return {
      kind: kindName(this.raw.kind[i]!),
      root: this.raw.root[i]!,
      path: this.path(i),
      isDir: (f & RecordFlag.IsDir) !== 0,
      synthetic: (f & RecordFlag.Synthetic) !== 0,
      unpaired: (f & RecordFlag.Unpaired) !== 0,
      cookie: this.raw.cookie[i]!,
      errno: this.raw.err[i]!,
    };
  }
  *[Symbol.iterator](): IterableIterator<WatchRecord> {
    for (let i = 0; i < this.length; i++) yield this.record(i);
  }
}

/** What a consumer of records reads from a batch (a view of part of one may stand in for it). */
export type BatchView = Pick<EventBatch, 'length' | 'root' | 'kind' | 'flags' | 'cookie' | 'path' | 'record'>;
