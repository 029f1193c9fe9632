// Ingest CPU while a transfer is running (docs/lsyncd-compat.md#performance-baseline: lsyncd's
// queue is O(n²) while work is pending, 94.6 s CPU for 16k events): daemon CPU time spent
// ingesting N inotify events that arrive while the init transfer is held active.
//
// How: rsync mode through the same generated Lua config for both daemons, with
// `rsync = { binary = WRAPPER }`: WRAPPER is a shell script that sleeps while a flag file exists
// and then execs /usr/bin/rsync, so the init transfer stays active (lsyncd: maxProcesses = 1, the
// sync is busy; lsyncd-ts: events wait behind the init). When the daemon has logged
// "recursive startup rsync" and its CPU has been quiet for 300 ms, we read its utime+stime from
// /proc/PID/stat (all threads), create N/2 empty files in SRC from this process (open O_CREAT +
// close = IN_CREATE + IN_CLOSE_WRITE: N raw events, < fs.inotify.max_queued_events so nothing can
// overflow even if the daemon reads nothing meanwhile), and wait until the daemon's CPU time has
// not changed for 1.5 s. Ingest CPU = that final value − the value before the files. A run whose
// CPU passes `capSec` is stopped and reported as "> cap". Afterwards the flag is removed (the
// init rsync then runs and copies everything) and we check that all files reached the target;
// the daemon's log is checked for lost events (lsyncd: OVERFLOW; lsyncd-ts: "events were lost").
import fs from 'node:fs';
import path from 'node:path';

import { type DaemonKind, makeTempDir, onCleanup, readCpuSeconds, releaseTempDir, sleep, startPair, waitIdle } from './common.js';

export interface IngestSample {
  kind: DaemonKind;
  events: number;
  cpuSec: number;
  /** Wall time from the first file to the last CPU tick of the ingest (ms). */
  wallMs: number;
  capped: boolean;
  overflows: string[];
  /** All N/2 files reached the target after the transfer was released. */
  converged: boolean;
  /** Daemon CPU after the release until idle (lsyncd works through its queue then). */
  afterReleaseCpuSec: number;
}

async function ingestOnce(kind: DaemonKind, events: number, capSec: number): Promise<IngestSample> {
  const dir = makeTempDir(`lsyncd-ts-bench-ingest-${kind}-`);
  const flag = path.join(dir, 'hold');
  const wrapper = path.join(dir, 'rsync-held.sh');
  fs.writeFileSync(flag, '');
  const unhold = onCleanup(() => fs.rmSync(flag, { force: true }));
  fs.writeFileSync(wrapper, `#!/bin/sh\n# bench: hold the transfer while ${flag} exists\nwhile [ -e '${flag}' ]; do sleep 0.05; done\nexec /usr/bin/rsync "$@"\n`, { mode: 0o755 });
  const p = await startPair(kind, 'rsync', dir, { rsyncBinary: wrapper, delay: 0 });
  try {
    await p.daemon.waitLog(/recursive startup rsync/, 60_000);
    await waitIdle(p.daemon.pid, 300, 10_000, false);
    const files = events / 2;
    const cpu0 = readCpuSeconds(p.daemon.pid);
    const t0 = performance.now();
    for (let i = 0; i < files; i++) fs.closeSync(fs.openSync(path.join(p.src, `e${i}`), 'w'));
    let last = readCpuSeconds(p.daemon.pid);
    let lastChange = performance.now();
    let capped = false;
    for (;;) {
      await sleep(100);
      const c = readCpuSeconds(p.daemon.pid);
      if (!p.daemon.alive) throw new Error(`${kind} exited during ingest: ${p.daemon.tail()}`);
      if (c !== last) {
        last = c;
        lastChange = performance.now();
      }
      if (c - cpu0 > capSec) {
        capped = true;
        break;
      }
      if (performance.now() - lastChange >= 1500) break;
    }
    const cpuSec = last - cpu0;
    const wallMs = lastChange - t0;
    const overflows = p.daemon.overflowLines();
    let converged = false;
    let afterReleaseCpuSec = NaN;
    if (!capped) {
      const cpuR = readCpuSeconds(p.daemon.pid);
      fs.rmSync(flag, { force: true });
      const end = performance.now() + 120_000;
      while (performance.now() < end) {
        await sleep(50);
        if (fs.existsSync(path.join(p.tgt, `e${files - 1}`)) && fs.readdirSync(p.tgt).filter((n) => /^e\d+$/.test(n)).length === files) {
          converged = true;
          break;
        }
      }
      await waitIdle(p.daemon.pid, 1000, 60_000);
      afterReleaseCpuSec = readCpuSeconds(p.daemon.pid) - cpuR;
    }
    return { kind, events, cpuSec, wallMs, capped, overflows, converged, afterReleaseCpuSec };
  } finally {
    fs.rmSync(flag, { force: true });
    unhold();
    await p.daemon.stop();
    releaseTempDir(dir);
  }
}

export interface IngestPlan {
  /** [kind, events, reps] in the order they run. */
  runs: [DaemonKind, number, number][];
  capSec: number;
}

export async function runIngest(plan: IngestPlan): Promise<IngestSample[]> {
  const out: IngestSample[] = [];
  for (const [kind, events, reps] of plan.runs) {
    for (let r = 0; r < reps; r++) {
      const s = await ingestOnce(kind, events, plan.capSec);
      process.stderr.write(
        `  ingest ${kind} ${events} events: CPU ${s.cpuSec.toFixed(2)} s${s.capped ? ' (CAPPED)' : ''}, wall ${s.wallMs.toFixed(0)} ms, overflows ${s.overflows.length}, converged ${s.converged}, after release CPU ${s.afterReleaseCpuSec.toFixed(2)} s\n`,
      );
      out.push(s);
    }
  }
  return out;
}
