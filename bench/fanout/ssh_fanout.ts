// Items `latency16`, `burst16` and `stuck`: one daemon, one source, several rsyncssh targets on
// the loopback "servers" of common.ts (startServers), delay 0.
//
// A case is a variant and a list of servers (a server index, or 'stuck' for the listener that
// never answers). The source holds empty directories burst-1..R before start, so they are watched
// and copied by the init transfers. After the startups of every non-stuck target and an idle
// daemon (no CPU in it or its children for 300 ms):
//  - latency: a small file is written in the source root; the sample is the time until it is in
//    EVERY measured target (the last one), also kept per target. One warm-up sample first
//    (discarded: first transfer after init, ssh masters being opened), then `samples`;
//  - burst: `files` small files into burst-r as fast as this process writes them; the time until
//    every measured target has all of them with the right content (bench/sync/burst.ts waitAll).
// A sample that does not finish within the timeout ends the case with an error (a daemon that
// lets the stuck server block the others shows up as such a timeout).
import fs from 'node:fs';
import path from 'node:path';

import { burstContent, burstName, waitAll } from '../sync/burst.js';
import { makeTempDir, releaseTempDir, sleep, waitIdle } from '../sync/common.js';
import { type FanoutConfig, fanoutSample, max, type Servers, startVariant, type StuckServer, targetDir, type Variant, waitStartups } from './common.js';

export interface SshCase {
  readonly variant: Variant;
  readonly servers: readonly (number | 'stuck')[];
  /** Target positions that are measured; default: every non-stuck one. */
  readonly measured?: readonly number[];
  /** Short label of the case in the tables (e.g. "16 targets", "8 with one stuck"). */
  readonly label: string;
}

export interface SshCaseResult {
  variant: string;
  label: string;
  targets: number;
  startupMs: number;
  error?: string;
  /** Per sample: ms until the last measured target had the file. */
  last: number[];
  /** Per sample: ms per measured target. */
  perTarget: number[][];
  warmupMs?: number;
  burstFiles: number;
  /** Per repetition: ms until every measured target had every file. */
  burst: number[];
  /** Connections the stuck server accepted during the case. */
  stuckAccepted?: number;
}

export interface SshRunOptions {
  samples: number;
  burstFiles: number;
  burstReps: number;
  startupTimeoutMs: number;
  sampleTimeoutMs: number;
  stuck?: StuckServer;
}

let caseNo = 0;

export async function runSshCase(c: SshCase, srv: Servers, o: SshRunOptions): Promise<SshCaseResult> {
  const tag = `c${caseNo++}`;
  const dir = makeTempDir(`lsyncd-ts-bench-fan-${tag}-`);
  const src = path.join(dir, 'src');
  fs.mkdirSync(src);
  for (let r = 1; r <= o.burstReps; r++) fs.mkdirSync(path.join(src, `burst-${r}`));
  const conf: FanoutConfig = { mode: 'rsyncssh', source: src, servers: c.servers, subdir: `tgt-${tag}`, srv, stuck: o.stuck };
  const measured = c.measured ?? c.servers.flatMap((s, i) => (s === 'stuck' ? [] : [i]));
  const dirs = measured.map((i) => targetDir(conf, i)!);
  for (const d of dirs) fs.mkdirSync(d, { recursive: true });
  const res: SshCaseResult = { variant: c.variant.id, label: c.label, targets: c.servers.length, startupMs: NaN, last: [], perTarget: [], burstFiles: o.burstFiles, burst: [] };
  const accepted0 = o.stuck?.accepted() ?? 0;
  const t0 = performance.now();
  const d = startVariant(c.variant, conf, dir);
  try {
    const up = await waitStartups(d, c.servers.filter((s) => s !== 'stuck').length, o.startupTimeoutMs);
    if (!up.ok) {
      res.error = `start-up: ${up.reason}`;
      return res;
    }
    res.startupMs = up.at - t0;
    await waitIdle(d.pid, 300, 15_000);
    for (let i = 0; i <= o.samples && o.samples > 0; i++) {
      let ms: number[];
      try {
        ms = await fanoutSample(src, dirs, `lat-${i}`, o.sampleTimeoutMs);
      } catch (e) {
        res.error = `latency sample ${i}: ${(e as Error).message}`;
        return res;
      }
      if (i === 0) res.warmupMs = max(ms);
      else {
        res.last.push(max(ms));
        res.perTarget.push(ms);
      }
      await sleep(100);
      await waitIdle(d.pid, 200, 10_000);
    }
    for (let r = 1; r <= o.burstReps; r++) {
      const waits = dirs.map((t) => waitAll(path.join(t, `burst-${r}`), o.burstFiles, r, o.sampleTimeoutMs * 4));
      const b0 = performance.now();
      for (let i = 0; i < o.burstFiles; i++) fs.writeFileSync(path.join(src, `burst-${r}`, burstName(i)), burstContent(i, r));
      try {
        res.burst.push(max(await Promise.all(waits)) - b0);
      } catch (e) {
        res.error = `burst ${r}: ${(e as Error).message}`;
        return res;
      }
      await waitIdle(d.pid, 300, 15_000);
    }
    return res;
  } finally {
    if (o.stuck) res.stuckAccepted = o.stuck.accepted() - accepted0;
    await d.stop();
    releaseTempDir(dir);
    const last = res.last.length ? `last-target latency ${res.last.map((x) => x.toFixed(0)).join(' ')} ms` : '';
    const burst = res.burst.length ? `; ${o.burstFiles}-file burst ${res.burst.map((x) => x.toFixed(0)).join(' ')} ms` : '';
    process.stderr.write(`  ${c.variant.id}, ${c.label}: ${res.error ?? `startup ${res.startupMs.toFixed(0)} ms; ${last}${burst}`}\n`);
  }
}
