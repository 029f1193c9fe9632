// SyncRunner with a transport that connects first (Transport.connect), driven by hand: the
// connection is made outside the Scheduler's slots, a failed one backs off as *down* (unreachable)
// or *retrying* (other `again`), a failed one while the init transfer is pending without `insist`
// is a start-up failure, and once connected the sync sends exactly what was queued (no full
// transfer). The real components (ssh master, stuck server) are in target_isolation.test.ts.
import assert from 'node:assert/strict';
import test from 'node:test';

import { loadConfigText } from '../../src/config/load_config.js';
import type { NormalizedSync } from '../../src/config/schema.js';
import { memoryLog } from '../../src/log/log.js';
import { Scheduler } from '../../src/engine/scheduler.js';
import { SyncRunner } from '../../src/engine/sync_runner.js';
import type { Delay } from '../../src/queue/events.js';
import type { TransferContext, TransferOutcome, TransferReport, Transport } from '../../src/transports/transport.js';
import { waitFor } from '../helpers/wait_for.js';

function syncOf(extra: Record<string, unknown> = {}): NormalizedSync {
  const res = loadConfigText('t.json', JSON.stringify({ sync: [{ mode: 'rsync', source: '/src', target: 'h::m', delay: 0, ...extra }] }), 'json');
  if (!res.ok) throw new Error(res.errors.map((e) => e.text).join('\n'));
  return res.config.syncs[0]!;
}

/** A transport that records what it is asked to transfer (and has no connect()). */
class RecordingTransport implements Transport {
  readonly description = '/src/ -> h::m/';
  readonly keepsMoves = false;
  readonly batchOptions = {};
  readonly batches: string[][] = [];
  fulls = 0;
  async full(): Promise<TransferReport> {
    this.fulls++;
    return { outcome: { kind: 'ok' } };
  }
  async batch(delays: readonly Delay[]): Promise<TransferReport> {
    this.batches.push(delays.map((d) => `${d.kind} ${String(d.path)}`));
    return { outcome: { kind: 'ok' } };
  }
  async close(): Promise<void> {}
}

/** ...and a connect() whose outcomes the test hands out one by one. */
class ScriptedTransport extends RecordingTransport {
  connects = 0;
  private pendingConnect: ((out: TransferOutcome) => void) | undefined;
  connect(ctx: TransferContext): Promise<TransferOutcome> {
    this.connects++;
    return new Promise((resolve) => {
      this.pendingConnect = resolve;
      // The contract: end promptly at shutdown (when this connect() is still waiting).
      ctx.signal.addEventListener('abort', () => this.pendingConnect === resolve && this.answer({ kind: 'again', reason: 'aborted' }), { once: true });
    });
  }
  /** Ends the connect() in progress. */
  answer(out: TransferOutcome): void {
    const r = this.pendingConnect;
    this.pendingConnect = undefined;
    if (r === undefined) throw new Error('no connect() in progress');
    r(out);
  }
  get connecting(): boolean {
    return this.pendingConnect !== undefined;
  }
}

function runner(t: test.TestContext, sched: Scheduler, transport: Transport, opts: { insist?: boolean; init?: boolean } = {}): SyncRunner {
  const r = new SyncRunner(syncOf({ init: opts.init ?? false }), transport, sched, memoryLog(), opts.insist ?? false);
  sched.add(r);
  t.after(() => r.stop(0));
  return r;
}

/** A running sync with one queued change, whose connect() is in progress. */
async function connectingOnChange(t: test.TestContext): Promise<{ sched: Scheduler; tr: ScriptedTransport; r: SyncRunner }> {
  const sched = new Scheduler(1);
  const tr = new ScriptedTransport();
  const r = runner(t, sched, tr);
  r.activate();
  r.event({ kind: 'Create', path: '/a' });
  sched.pump();
  await waitFor(() => tr.connecting, 'a connect');
  return { sched, tr, r };
}

const DOWN: TransferOutcome = { kind: 'again', reason: 'ssh master connection to h failed with exit code 255', unreachable: true };

test('a sync that is connecting holds no slot: under a global cap of 1 the other sync transfers meanwhile', async (t) => {
  const sched = new Scheduler(1);
  const slow = new ScriptedTransport();
  const other = new RecordingTransport();
  const a = runner(t, sched, slow);
  const b = runner(t, sched, other);
  for (const r of [a, b]) {
    r.activate();
    r.event({ kind: 'Create', path: '/f' });
  }
  sched.pump();
  await waitFor(() => other.batches.length === 1, 'the other sync to transfer');
  assert.equal(slow.connecting, true, 'the first sync is still connecting');
  assert.equal(a.running, 0);
  assert.equal(slow.batches.length, 0);
  other.batches.length = 0;
  b.event({ kind: 'Create', path: '/g' });
  await waitFor(() => other.batches.length === 1, 'a second transfer of the other sync, still while the first connects');
  slow.answer({ kind: 'ok' });
  await waitFor(() => slow.batches.length === 1, 'the first sync to transfer once connected');
  assert.deepEqual(slow.batches[0], ['Create /f']);
});

test('unreachable: down with the reason and the next attempt, events queue and collapse, then exactly they are sent', async (t) => {
  const { sched, tr, r } = await connectingOnChange(t);
  tr.answer(DOWN);
  await waitFor(() => r.status().state === 'down', 'the down state');
  const st = r.status();
  assert.equal(st.lastError, DOWN.kind === 'again' ? DOWN.reason : '');
  assert.ok(st.retryAt !== undefined && st.retryAt > Date.now(), 'the next attempt lies ahead');
  r.event({ kind: 'Modify', path: '/a' });
  r.event({ kind: 'Create', path: '/b' });
  await waitFor(() => tr.connecting, 'the next attempt after the backoff', 5000);
  assert.equal(tr.connects, 2);
  tr.answer({ kind: 'ok' });
  await waitFor(() => tr.batches.length === 1, 'the catch-up');
  assert.deepEqual(tr.batches[0], ['Create /a', 'Create /b'], 'the queued changes, collapsed');
  assert.equal(tr.fulls, 0, 'no full transfer');
  assert.equal(r.status().state, 'running');
  assert.equal(r.status().retryAt, undefined);
});

test('another again is retrying, not down; a failed connect before the init transfer without insist is a start-up failure', async (t) => {
  const { sched, tr, r } = await connectingOnChange(t);
  tr.answer({ kind: 'again', reason: 'ssh master connection failed with signal SIGKILL' });
  await waitFor(() => r.status().state === 'retrying', 'the retrying state');

  const init = new ScriptedTransport();
  const failures: string[] = [];
  const s = runner(t, sched, init, { init: true });
  s.startupFailure = (reason) => failures.push(reason);
  s.queueInit();
  s.activate();
  sched.pump();
  await waitFor(() => init.connecting, 'the connect before the init transfer');
  init.answer(DOWN);
  await s.initSettled;
  assert.equal(s.status().state, 'dead');
  assert.deepEqual(failures, [`${DOWN.kind === 'again' ? DOWN.reason : ''} — the init transfer failed and "insist" is not set (set insist = true to keep retrying)`]);
  assert.equal(init.fulls, 0);

  const insisted = new ScriptedTransport();
  const u = runner(t, sched, insisted, { init: true, insist: true });
  u.queueInit();
  u.activate();
  sched.pump();
  await waitFor(() => insisted.connecting, 'the connect before the init transfer (insist)');
  insisted.answer(DOWN);
  await u.initSettled;
  assert.equal(u.status().state, 'down');
  await waitFor(() => insisted.connecting, 'the retry', 5000);
  insisted.answer({ kind: 'ok' });
  await waitFor(() => insisted.fulls === 1, 'the init transfer once connected');
});
