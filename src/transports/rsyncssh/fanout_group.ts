/**
 * FanoutGroup: the rsyncssh syncs that send one source with the same rules and rsync options to
 * different targets (a hub's target list), so that one large in-place change is computed once
 * and sent to all of them with rsync's batch mode (rsync/batch_fanout.ts has the argv and the
 * rsync behaviour; docs/batch-mode.md the measurements and when it pays).
 *
 * Contract:
 *   - Members join with their own target (host, targetdir, ssh) and two callbacks: `connect`
 *     (their ssh master, outside any lock) and `plain` (their ordinary rsync of a run of
 *     delays). A member's transport calls transfer() instead of its own rsync for a run of
 *     Create/Modify/Attrib/Delete delays; transfer() resolves with that member's TransferReport
 *     and never throws.
 *   - Only runs made of Modify delays of files can go by batch: in-place changes are what batch
 *     mode makes cheap (the batch holds deltas; a new file would be carried whole in a batch file
 *     on the hub), and a batch cannot carry deletions. Anything else goes `plain` at once.
 *   - A *round* collects the members whose runs are identical (same delays, same order) for up
 *     to ROUND_WINDOW_MS, or until every member joined: members on one source get the same
 *     records in the same turn and their delay windows end together, so identical runs arrive
 *     within milliseconds. useBatchFanout (the sizes of the changed files, the number of
 *     members in the round) decides. No: every member runs `plain`. Yes: one
 *     `--only-write-batch` against the first member's target, then every member reads the batch
 *     on its target (ssh, the batch file as stdin), a few at a time (targets on one host share
 *     its ssh master, and sshd limits the sessions of one connection). A read that is rejected (the
 *     target was not identical to the reference) falls back to that member's `plain`, which
 *     repairs whatever the read left. A failed write sends everybody `plain`.
 *   - Each member's scheduler slot stays with its own transfer: the read (or its fallback) is
 *     awaited inside the member's transfer() call. The write is one more process, run while
 *     the round's members wait.
 *   - The batch file lives in a private temp directory (mode 0700) removed after the round.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, lstat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import type { NormalizedRsyncsshSync } from '../../config/schema.js';
import type { WireRule } from '../../filters/rule_list.js';
import { toByteString, toBytes } from '../../paths/byte_path.js';
import { describeCommand, runCommand } from '../../process/process_runner.js';
import type { Delay } from '../../queue/events.js';
import type { TransferContext, TransferReport } from '../transport.js';
import { batchReadCommand, batchReadRejected, batchWriteCommand, MIN_BATCH_BYTES, MIN_REMOTE_TARGETS, useBatchFanout } from '../rsync/batch_fanout.js';
import { includeEntriesFromDelays, rshOption, rsyncsshDestination, type SshControl, type SshTable } from '../rsync/index.js';

/** How long a round waits for the other members' identical runs. */
const ROUND_WINDOW_MS = 50;
/** Batch reads running at once (see run()). */
const READS_AT_ONCE = 6;

export interface FanoutMember {
  readonly sync: NormalizedRsyncsshSync;
  /** The ssh options every ssh call of this target uses (the sync's, with the link bounds). */
  readonly ssh: SshTable;
  /** The member's ssh master (undefined control: none), or a failure report. */
  connect(ctx: TransferContext): Promise<{ control: SshControl | undefined } | { report: TransferReport }>;
  /** The member's ordinary transfer of these delays. */
  plain(delays: readonly Delay[], ctx: TransferContext): Promise<TransferReport>;
}

interface Participant {
  readonly member: FanoutMember;
  readonly delays: readonly Delay[];
  readonly ctx: TransferContext;
  readonly resolve: (r: TransferReport) => void;
}

interface Round {
  readonly key: string;
  /** Bytes of the run's changed files, measured once by the member that opened the round. */
  readonly bytes: number;
  readonly participants: Participant[];
  timer?: NodeJS.Timeout;
}

/** The identity of a run: its delays' kinds and paths, in order. */
function runKey(delays: readonly Delay[]): string {
  return delays.map((d) => `${d.kind}\0${toByteString(d.path)}`).join('\0\0');
}

export class FanoutGroup {
  private readonly members = new Set<FanoutMember>();
  private readonly open = new Map<string, Round>();

  constructor(
    private readonly source: string,
    private readonly rules: readonly WireRule[],
  ) {}

  get size(): number {
    return this.members.size;
  }

  join(m: FanoutMember): void {
    this.members.add(m);
  }

  leave(m: FanoutMember): void {
    this.members.delete(m);
  }

  async transfer(m: FanoutMember, delays: readonly Delay[], ctx: TransferContext): Promise<TransferReport> {
    if (delays.length === 0 || !delays.every((d) => d.kind === 'Modify' && !d.isDir) || this.members.size < MIN_REMOTE_TARGETS) return m.plain(delays, ctx);
    const key = runKey(delays);
    let round = this.open.get(key);
    if (round === undefined) {
      // A run that could never qualify does not wait for a round (the common small change).
      const bytes = await this.changedBytes(delays);
      if (bytes < MIN_BATCH_BYTES) return m.plain(delays, ctx);
      round = this.open.get(key) ?? this.openRound(key, bytes);
    }
    const joined = round;
    const result = new Promise<TransferReport>((resolve) => joined.participants.push({ member: m, delays, ctx, resolve }));
    if (joined.participants.length >= this.members.size) this.close(joined);
    return result;
  }

  private openRound(key: string, bytes: number): Round {
    const r: Round = { key, bytes, participants: [] };
    r.timer = setTimeout(() => this.close(r), ROUND_WINDOW_MS);
    this.open.set(key, r);
    return r;
  }

  private close(round: Round): void {
    if (this.open.get(round.key) !== round) return;
    this.open.delete(round.key);
    clearTimeout(round.timer);
    void this.run(round);
  }

  private async run(round: Round): Promise<void> {
    const parts = round.participants;
    // Participants whose outcome is set, so that an error path does not run them twice.
    const settled = new Set<Participant>();
    const plain = (p: Participant): Promise<void> => {
      settled.add(p);
      return p.member.plain(p.delays, p.ctx).then(p.resolve, (e: unknown) => p.resolve({ outcome: { kind: 'again', reason: (e as Error).message } }));
    };
    const first = parts[0]!;
    const decision = useBatchFanout({ remoteTargets: parts.length, changedBytes: round.bytes, hasDeletes: false });
    if (!decision.batch) {
      await Promise.all(parts.map(plain));
      return;
    }
    let dir: string | undefined;
    try {
      dir = await mkdtemp(path.join(os.tmpdir(), 'lsyncd-ts-batch-'));
      const batchFile = path.join(dir, 'batch');
      first.ctx.log.normal(`rsync batch mode: ${decision.reason}; computing the change once for ${parts.length} targets`);
      const ref = await first.member.connect(first.ctx);
      if ('report' in ref) {
        await Promise.all(parts.map(plain));
        return;
      }
      const rsync = first.member.sync.rsync;
      const write = batchWriteCommand({
        rsync,
        source: this.source,
        reference: rsyncsshDestination(first.member.sync.host, first.member.sync.targetdir),
        entries: includeEntriesFromDelays(first.delays),
        rules: this.rules,
        extraRsh: rshOption(first.member.ssh, ref.control),
        batchFile,
      });
      first.ctx.log.debug('Exec', describeCommand(write));
      const w = await runCommand(write, { signal: first.ctx.signal });
      if (w.code !== 0) {
        first.ctx.log.warn(`rsync batch mode: writing the batch failed (exit ${String(w.code)}): ${w.stderrTail.trim()}; each target gets its own rsync`);
        await Promise.all(parts.map(plain));
        return;
      }
      // Reads share each host's ssh master: at most READS_AT_ONCE sessions at a time, below
      // sshd's default MaxSessions (10), so a fallback rsync still finds a session free.
      const queue = [...parts];
      const worker = async (): Promise<void> => {
        for (let p = queue.shift(); p !== undefined; p = queue.shift()) await this.read(p, batchFile, plain, settled);
      };
      await Promise.all(Array.from({ length: Math.min(READS_AT_ONCE, parts.length) }, worker));
    } catch (e) {
      first.ctx.log.warn(`rsync batch mode: ${(e as Error).message}; each target gets its own rsync`);
      await Promise.all(parts.filter((p) => !settled.has(p)).map(plain));
    } finally {
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    }
  }

  /** One member reads the batch on its target; a rejection (or any error) falls back to its plain rsync. Never throws. */
  private async read(p: Participant, batchFile: string, plain: (p: Participant) => Promise<void>, settled: Set<Participant>): Promise<void> {
    try {
      await this.readOnce(p, batchFile, plain, settled);
    } catch (e) {
      p.ctx.log.warn(`rsync batch mode: ${(e as Error).message}; sending ${p.member.sync.host} its own rsync`);
      if (!settled.has(p)) await plain(p);
    }
  }

  private async readOnce(p: Participant, batchFile: string, plain: (p: Participant) => Promise<void>, settled: Set<Participant>): Promise<void> {
    const conn = await p.member.connect(p.ctx);
    if ('report' in conn) {
      settled.add(p);
      return p.resolve(conn.report);
    }
    const s = p.member.sync;
    const cmd = batchReadCommand({ rsync: s.rsync, batchFile, host: s.host, targetdir: s.targetdir, ssh: p.member.ssh, ...(conn.control !== undefined ? { control: conn.control } : {}) });
    let stderr = '';
    p.ctx.log.debug('Exec', describeCommand(cmd));
    const r = await runCommand(cmd, {
      signal: p.ctx.signal,
      stdinStream: () => createReadStream(batchFile),
      onLine: (stream, line) => {
        if (stream === 'stderr') stderr += `${line}\n`;
      },
    });
    if (batchReadRejected(r.code, stderr)) {
      p.ctx.log.normal(`rsync batch mode: ${s.host} was not identical to the reference (exit ${String(r.code)}); sending it its own rsync`);
      return plain(p);
    }
    settled.add(p);
    p.resolve({ outcome: { kind: 'ok' }, filesSent: p.delays.length });
  }

  /** Bytes of the regular files the run changed, as they are in the source now. */
  private async changedBytes(delays: readonly Delay[]): Promise<number> {
    let n = 0;
    for (const d of delays) {
      try {
        const st = await lstat(Buffer.concat([toBytes(this.source.replace(/\/$/, '')), toBytes(d.path)]));
        if (st.isFile()) n += st.size;
      } catch {
        // gone meanwhile: nothing to send for it
      }
    }
    return n;
  }
}

/** The groups of the process, by what members must share to share a batch. */
const groups = new Map<string, FanoutGroup>();

/** The group of an rsyncssh sync (created on first use); members with equal keys share batches. */
export function fanoutGroupFor(sync: NormalizedRsyncsshSync, rules: readonly WireRule[]): FanoutGroup {
  const key = JSON.stringify([sync.source, sync.rsync, rules, sync.delete]);
  let g = groups.get(key);
  if (g === undefined) {
    g = new FanoutGroup(sync.source, rules);
    groups.set(key, g);
  }
  return g;
}

/** Drops a group that no member uses any more. */
export function releaseFanoutGroup(g: FanoutGroup): void {
  if (g.size > 0) return;
  for (const [k, v] of groups) if (v === g) groups.delete(k);
}
