// Item `relay`: the cost of one extra hop. A hub lsyncd-ts (JSON host list, rsyncssh, delay 0)
// sends one source to two "servers" of common.ts startServers: server 0 is a leaf reached
// directly (ROOT/h0/data-*), server 1 is a relay (ROOT/h1/data-*). A second lsyncd-ts, the relay,
// watches ROOT/h1/data and sends it on, rsyncssh with delay 0, to server 2 (ROOT/h2/data-*, the leaf
// behind the relay). Every sample writes one small file in the hub's source and takes, from
// the same write, the time it arrived at the direct leaf and at the leaf behind the relay; the
// extra latency of the hop is their difference. A burst of `files` files is timed the same way.
// With `hubTempDir` the hub's rsync gets `temp_dir` = ROOT/h1/.incoming (on the relay's side, same
// file system, outside the relayed directory), so its temp files never appear in the relay's
// source. While it runs, names shaped like rsync's temporary files (".NAME.XXXXXX") are recorded (fs.watch)
// in the relay's source (the hub's rsync writes them there) and in the leaf behind the relay (the
// relay's own rsync writes its temp files there, with other random suffixes). A hub temp name
// that also shows up behind the relay is a temp file the relay sent on; the leaf is also
// checked for temp-named leftovers at the end.
import fs from 'node:fs';
import path from 'node:path';

import { burstContent, burstName, waitAll } from '../sync/burst.js';
import { Daemon, makeTempDir, releaseTempDir, sleep, waitIdle } from '../sync/common.js';
import { fanoutSample, type Servers, startVariant, targetDir, TS_LIST, waitStartups } from './common.js';

export interface RelayResult {
  hubTempDir: boolean;
  samples: { direct: number; relayed: number }[];
  burstFiles: number;
  bursts: { direct: number; relayed: number }[];
  /** Temp-file names the hub's rsync wrote in the relay's source. */
  hubTempNames: number;
  /** Those of them that also appeared in the leaf behind the relay (sent on by the relay). */
  tempNamesSeen: string[];
  /** rsync temp-file names left in that leaf at the end. */
  tempNamesLeft: string[];
  error?: string;
}

/** rsync's temporary name for NAME in the target directory: ".NAME.XXXXXX". */
export const RSYNC_TEMP_RE = /^\..+\.[A-Za-z0-9]{6}$/;

export async function runRelay(srv: Servers, o: { samples: number; burstFiles: number; burstReps: number; hubTempDir: boolean }): Promise<RelayResult> {
  const res: RelayResult = { hubTempDir: o.hubTempDir, samples: [], burstFiles: o.burstFiles, bursts: [], hubTempNames: 0, tempNamesSeen: [], tempNamesLeft: [] };
  const dir = makeTempDir('lsyncd-ts-bench-fan-relay-');
  const src = path.join(dir, 'src');
  fs.mkdirSync(src);
  for (let r = 1; r <= o.burstReps; r++) fs.mkdirSync(path.join(src, `burst-${r}`));
  const incoming = path.join(srv.root, 'h1', '.incoming');
  fs.mkdirSync(incoming, { recursive: true });
  const hubConf = { mode: 'rsyncssh' as const, source: src, servers: [0, 1], subdir: `data-${o.hubTempDir ? 'tempdir' : 'plain'}`, srv, ...(o.hubTempDir ? { rsync: { temp_dir: incoming } } : {}) };
  const direct = targetDir(hubConf, 0)!;
  const relaySrc = targetDir(hubConf, 1)!;
  const relayConf = { mode: 'rsyncssh' as const, source: relaySrc, servers: [2], subdir: `data-${o.hubTempDir ? 'tempdir' : 'plain'}`, srv };
  const behind = targetDir(relayConf, 0)!;
  for (const d of [direct, relaySrc, behind]) fs.mkdirSync(d, { recursive: true });
  const hubDir = path.join(dir, 'hub');
  const relayDir = path.join(dir, 'relay');
  fs.mkdirSync(hubDir);
  fs.mkdirSync(relayDir);
  const atRelay = new Set<string>();
  const behindRelay = new Set<string>();
  const watchers: fs.FSWatcher[] = [];
  const record = (root: string, d: string, into: Set<string>): void => {
    watchers.push(fs.watch(d, (_e, name) => {
      if (name !== null && RSYNC_TEMP_RE.test(String(name))) into.add(path.relative(root, path.join(d, String(name))));
    }));
  };
  const daemons: Daemon[] = [];
  try {
    daemons.push(startVariant(TS_LIST, relayConf, relayDir));
    const relayUp = await waitStartups(daemons[0]!, 1, 60_000);
    if (!relayUp.ok) throw new Error(`relay: ${relayUp.reason}`);
    daemons.push(startVariant(TS_LIST, hubConf, hubDir));
    const hubUp = await waitStartups(daemons[1]!, 2, 60_000);
    if (!hubUp.ok) throw new Error(`hub: ${hubUp.reason}`);
    // The relay's onward copy of the (empty) init tree: wait until the burst dirs are behind it.
    for (let r = 1; r <= o.burstReps; r++) {
      const want = path.join(behind, `burst-${r}`);
      const end = performance.now() + 30_000;
      while (!fs.existsSync(want)) {
        if (performance.now() > end) throw new Error(`${want} did not appear behind the relay`);
        await sleep(20);
      }
    }
    for (const [root, into] of [[relaySrc, atRelay], [behind, behindRelay]] as const) {
      record(root, root, into);
      for (let r = 1; r <= o.burstReps; r++) record(root, path.join(root, `burst-${r}`), into);
    }
    const idle = async (): Promise<void> => {
      for (const d of daemons) await waitIdle(d.pid, 200, 10_000);
    };
    await idle();
    for (let i = 0; i <= o.samples; i++) {
      const [a, b] = await fanoutSample(src, [direct, behind], `lat-${i}`, 30_000);
      if (i > 0) res.samples.push({ direct: a!, relayed: b! });
      await sleep(100);
      await idle();
    }
    for (let r = 1; r <= o.burstReps; r++) {
      const waits = [direct, behind].map((t) => waitAll(path.join(t, `burst-${r}`), o.burstFiles, r, 120_000));
      const b0 = performance.now();
      for (let i = 0; i < o.burstFiles; i++) fs.writeFileSync(path.join(src, `burst-${r}`, burstName(i)), burstContent(i, r));
      const [a, b] = await Promise.all(waits);
      res.bursts.push({ direct: a! - b0, relayed: b! - b0 });
      await idle();
    }
    const left = (d: string): string[] => fs.readdirSync(d, { recursive: true, encoding: 'utf8' }).filter((n) => RSYNC_TEMP_RE.test(path.basename(n)));
    res.tempNamesLeft = left(behind);
  } catch (e) {
    res.error = (e as Error).message;
  } finally {
    for (const w of watchers) w.close();
    res.hubTempNames = atRelay.size;
    res.tempNamesSeen = [...atRelay].filter((n) => behindRelay.has(n)).sort();
    for (const d of daemons) await d.stop();
    releaseTempDir(dir);
  }
  process.stderr.write(
    `  relay${o.hubTempDir ? ' (hub temp_dir outside the relayed tree)' : ''}: ${res.error ?? `direct ${res.samples.map((s) => s.direct.toFixed(0)).join(' ')} ms; via relay ${res.samples.map((s) => s.relayed.toFixed(0)).join(' ')} ms; burst ${res.bursts.map((b) => `${b.direct.toFixed(0)}/${b.relayed.toFixed(0)}`).join(' ')} ms; hub temp names at the relay: ${res.hubTempNames}, of them behind the relay: ${res.tempNamesSeen.length}, left: ${res.tempNamesLeft.length}`}\n`,
  );
  return res;
}
