// render_text / render_json against fixed snapshots: lsyncd's layout exactly (docs/lsyncd-compat.md#status-file), excludes
// listed under Filtering (lsyncd forgets them), the lsyncd-ts per-sync lines, escaping, and the
// versioned JSON shape.
import assert from 'node:assert/strict';
import test from 'node:test';

import { formatDuration, lineSafe, lsyncdDate, syncHealth } from '../../src/status/format.js';
import { parseStatusJson, renderStatusJson, statusJson } from '../../src/status/render_json.js';
import { MAX_LISTED_DELAYS, renderStatusText } from '../../src/status/render_text.js';
import { renderMetrics } from '../../src/metrics/prometheus.js';
import { renderSummary, slowestLine } from '../../src/status/summary.js';
import { NOW, T, dead, healthy, retrying, snap, status } from './snapshots.js';

test("lsyncdDate is lsyncd's os.date() (C locale %c)", () => {
  assert.equal(lsyncdDate(NOW), 'Wed Nov 25 02:19:51 2026');
  assert.equal(lsyncdDate(new Date(2026, 0, 5, 9, 3, 7)), 'Mon Jan  5 09:03:07 2026');
});

test('text: exact layout, two syncs, excludes listed, watched directories counted not listed', () => {
  const text = renderStatusText([healthy(), retrying()], { now: NOW });
  assert.equal(
    text,
    [
      'Lsyncd status report at Wed Nov 25 02:19:51 2026',
      '',
      'sync[1] source=/srv/src/',
      'State: running',
      'Transfer: /srv/src/ -> /srv/dst/ (rsync)',
      'Running transfers: 1',
      'Last success at Wed Nov 25 02:19:40 2026 (11 s ago)',
      'Replication lag: 3.2 s',
      'Retry: none',
      'Last error: none',
      'Transfers: 12 ok, 1 failed; overflows: 0',
      'Watching 4 directories',
      'There are 4 delays',
      'active Modify /a',
      'wait   Create /new1',
      'wait   Move /old -> /new',
      'block  Delete /d1/',
      'Filtering:',
      '+ /keep/',
      '- *.tmp',
      '- /cache/',
      '',
      '',
      'backup source=/srv/other/',
      'State: retrying',
      'Transfer: /srv/other/ -> host:/bak/ (rsyncssh)',
      'Running transfers: 0',
      'Last success at Wed Nov 25 01:19:51 2026 (60m 0s ago)',
      'Replication lag: 45 s',
      'Retry: next attempt at Wed Nov 25 02:20:03 2026 (in 12 s)',
      'Last error: rsync exited 12 (error in rsync protocol data stream)',
      'Transfers: 5 ok, 2 failed; overflows: 1',
      'Watching 10 directories',
      'There are 0 delays',
      'Filtering:',
      '  nothing.',
      '',
      '',
      'Inotify watching 14 directories',
      '  (counted, not listed: the list was ~50 MB for 571k directories in lsyncd, #117)',
      '',
    ].join('\n'),
  );
});

test('text: a sync with no rules says "nothing." like lsyncd; never succeeded says never', () => {
  const text = renderStatusText([snap()], { now: NOW });
  assert.match(text, /\nFiltering:\n {2}nothing\.\n\n\nInotify watching 1 directories\n/);
  assert.match(text, /\nLast success: never\n/);
});

test('text: hostile names cannot forge lines (control characters and backslashes escaped)', () => {
  const text = renderStatusText(
    [snap({ delays: [{ state: 'wait', kind: 'Create', path: '/a\nwait   Delete /etc' }, { state: 'wait', kind: 'Move', path: '/x\\y', destination: '/z\r' }] })],
    { now: NOW },
  );
  assert.ok(text.includes('wait   Create /a\\x0await   Delete /etc\n'));
  assert.ok(text.includes('wait   Move /x\\\\y -> /z\\x0d\n'));
  assert.ok(!/^wait {3}Delete \/etc$/m.test(text));
});

test('text: at most MAX_LISTED_DELAYS delays are listed, all are counted', () => {
  const n = MAX_LISTED_DELAYS + 5;
  const delays = Array.from({ length: n }, (_, i) => ({ state: 'wait' as const, kind: 'Modify', path: `/f${i}` }));
  const text = renderStatusText([snap({ delays })], { now: NOW });
  assert.match(text, new RegExp(`There are ${n} delays\n`));
  assert.match(text, /\n\.\.\. and 5 more \(not listed\)\nFiltering:/);
  assert.equal(text.split('\n').filter((l) => l.startsWith('wait   Modify ')).length, MAX_LISTED_DELAYS);
});

test('json: version 1 shape with every documented field', () => {
  const j = statusJson([healthy(), retrying(), dead()], { now: NOW, pid: 4242, hostname: 'h1', statusInterval: 10 });
  assert.equal(j.version, 1);
  assert.equal(j.time, NOW.toISOString());
  assert.equal(j.pid, 4242);
  assert.equal(j.hostname, 'h1');
  assert.equal(j.statusInterval, 10);
  assert.equal(j.watchedDirs, 16);
  assert.deepEqual(j.syncs[0], {
    name: 'sync[1]',
    mode: 'rsync',
    source: '/srv/src/',
    description: '/srv/src/ -> /srv/dst/',
    state: 'running',
    healthy: true,
    reason: '',
    waiting: 3,
    running: 1,
    lagSeconds: 3.2,
    lastSuccess: new Date(T - 11_000).toISOString(),
    lastError: null,
    retryAt: null,
    transfersOk: 12,
    transfersFailed: 1,
    overflows: 0,
    watchedDirs: 4,
    watcherOverflows: 0,
    deleteHold: null,
    unwatchedDirs: 0,
    watchRetryAt: null,
    verify: null,
    backlogDropped: false,
    rules: [
      { include: true, pattern: '/keep/' },
      { include: false, pattern: '*.tmp' },
      { include: false, pattern: '/cache/' },
    ],
    delayCount: 4,
    delays: [
      { state: 'active', kind: 'Modify', path: '/a' },
      { state: 'wait', kind: 'Create', path: '/new1' },
      { state: 'wait', kind: 'Move', path: '/old', destination: '/new' },
      { state: 'block', kind: 'Delete', path: '/d1/' },
    ],
  });
  const r = j.syncs[1]!;
  assert.equal(r.state, 'retrying');
  assert.equal(r.healthy, false);
  assert.equal(r.retryAt, new Date(T + 12_000).toISOString());
  assert.equal(r.reason, 'retrying after a failed transfer; next attempt in 12 s: rsync exited 12 (error in rsync protocol data stream)');
  assert.equal(j.syncs[2]!.reason, 'stopped after an error: rsync exited 23 at startup (fix the cause, then reload or restart)');
  // The file text round-trips through the reader.
  const back = parseStatusJson(renderStatusJson([healthy()], { now: NOW }));
  assert.ok(!('error' in back));
  assert.equal(back.syncs[0]!.name, 'sync[1]');
});

test('json reader refuses what is not a version-1 status', () => {
  assert.match((parseStatusJson('{"version":2,"time":"x","syncs":[]}') as { error: string }).error, /version 2 is not supported/);
  assert.match((parseStatusJson('{"sync":[]}') as { error: string }).error, /not an lsyncd-ts status/);
  assert.match((parseStatusJson('{"version":1,') as { error: string }).error, /not JSON/);
});

test('health: only "running" is healthy; every other state has a reason', () => {
  assert.deepEqual(syncHealth({ state: 'running', lastError: 'old', retryAt: undefined }), { healthy: true, reason: '' });
  for (const state of ['starting', 'degraded', 'retrying', 'source-gone', 'dead', 'stopped'] as const) {
    const h = syncHealth({ state, lastError: undefined, retryAt: undefined });
    assert.equal(h.healthy, false);
    assert.ok(h.reason.length > 0, state);
  }
});

test('degraded (directories not watched): text, JSON, health and metrics say so, with the count', () => {
  const snap = { ...healthy(), status: status({ state: 'degraded', unwatchedDirs: 3, watchRetryAt: T + 4000 }) };
  const text = renderStatusText([snap], { now: NOW });
  assert.match(text, /^State: degraded$/m);
  assert.match(text, /^Not watched: 3 directories, each with its subtree \(out of inotify watches\); next attempt at .* \(in 4 s\)$/m);
  const j = statusJson([snap], { now: NOW }).syncs[0]!;
  assert.equal(j.healthy, false);
  assert.equal(j.unwatchedDirs, 3);
  assert.equal(j.watchRetryAt, new Date(T + 4000).toISOString());
  assert.match(j.reason, /^degraded: 3 directories not watched \(out of inotify watches.*next watch attempt in 4 s.*lsyncd-ts sysctl --apply/);
  assert.match(renderMetrics([snap], { rssBytes: 1, startTimeSeconds: 1 }, T), /^lsyncd_ts_sync_unwatched_directories\{sync="sync\[1\]"\} 3$/m);
  assert.match(renderMetrics([snap], { rssBytes: 1, startTimeSeconds: 1 }, T), /^lsyncd_ts_sync_state\{sync="sync\[1\]",state="degraded"\} 1$/m);
});

test('periodic drift check: text, JSON, health, metrics and the status summary show the last verdict; drifted is unhealthy', () => {
  const drifted = { ...healthy(), status: status({ verify: { state: 'drifted', at: T - 5000, missing: 1, changed: 2, extra: 3 } }) };
  const clean = { ...healthy(), status: status({ name: 'c', verify: { state: 'clean', at: T - 5000, missing: 0, changed: 0, extra: 0 } }) };
  const refused = {
    ...healthy(),
    status: status({ name: 'r', verify: { state: 'drifted', at: T, missing: 0, changed: 0, extra: 80, repair: { at: T, outcome: 'refused', reason: 'too many' } } }),
  };
  const text = renderStatusText([drifted, clean, refused], { now: NOW });
  assert.match(text, /^Verify: drifted at .* \(5 s ago\): 1 missing, 2 changed, 3 extra$/m);
  assert.match(text, /^Verify: clean at .* \(5 s ago\)$/m);
  assert.match(text, /^Verify: drifted at .*: 0 missing, 0 changed, 80 extra; last repair refused at .*: too many$/m);
  assert.doesNotMatch(renderStatusText([healthy()], { now: NOW }), /^Verify:/m, 'no line before the first check');

  const j = statusJson([drifted, clean, refused], { now: NOW });
  assert.deepEqual(j.syncs[0]!.verify, { state: 'drifted', at: new Date(T - 5000).toISOString(), missing: 1, changed: 2, extra: 3, reason: null, repair: null });
  assert.equal(j.syncs[0]!.healthy, false);
  assert.match(j.syncs[0]!.reason, /^target drifted \(drift check 5 s ago: 1 missing, 2 changed, 3 extra\) — run "lsyncd-ts verify --repair CONFIG", or set verifyRepair = true$/);
  assert.equal(j.syncs[1]!.healthy, true);
  assert.deepEqual(j.syncs[2]!.verify?.repair, { outcome: 'refused', at: new Date(T).toISOString(), reason: 'too many' });
  assert.match(j.syncs[2]!.reason, /; repair refused: too many$/);
  assert.equal(syncHealth({ ...status({ verify: { state: 'error', at: T, missing: 0, changed: 0, extra: 0, reason: 'x' } }) }, T).healthy, true, 'a check that could not run is shown, not unhealthy');

  const m = renderMetrics([drifted, clean], { rssBytes: 1, startTimeSeconds: 1 }, T);
  assert.match(m, /^lsyncd_ts_sync_drift_files\{sync="sync\[1\]",kind="changed"\} 2$/m);
  assert.match(m, /^lsyncd_ts_sync_drift_files\{sync="c",kind="extra"\} 0$/m);
  assert.match(m, /^lsyncd_ts_sync_verify_state\{sync="sync\[1\]",state="drifted"\} 1$/m);
  assert.match(m, /^lsyncd_ts_sync_verify_state\{sync="c",state="clean"\} 1$/m);
  assert.match(m, new RegExp(`^lsyncd_ts_sync_last_verify_timestamp_seconds\\{sync="c"\\} ${(T - 5000) / 1000}$`, 'm'));
  assert.match(m, /^lsyncd_ts_sync_up\{sync="sync\[1\]"\} 0$/m);

  const parsed = parseStatusJson(renderStatusJson([drifted, clean], { now: NOW, hostname: 'elsewhere' }));
  assert.ok(!('error' in parsed));
  const sum = renderSummary(parsed, { file: 'f', now: T, hostname: 'here', isAlive: () => true });
  assert.equal(sum.healthy, false);
  assert.match(sum.text, /^sync\[1\]: Verify: drifted at .*: 1 missing, 2 changed, 3 extra$/m);
  assert.match(sum.text, /^c: Verify: clean at /m);
  assert.match(sum.text, /^sync\[1\]: target drifted \(drift check 5 s ago/m);
});

test('durations and line-safe strings', () => {
  assert.deepEqual([0, 999, 3200, 10_000, 119_400, 125_000, 7_300_000, 200_000_000].map(formatDuration), ['0 s', '1 s', '3.2 s', '10 s', '119 s', '2m 5s', '2h 1m', '2d 7h']);
  assert.equal(lineSafe('a\tb\\c\x7f'), 'a\\x09b\\\\c\\x7f');
});

test('down (target cannot be reached): text, JSON, health and metrics show it with the next attempt; the summary names the slowest target', () => {
  const down = snap({ status: { name: 'web7', state: 'down', lastError: 'ssh master connection to web7 failed with exit code 255', retryAt: T + 8_000, lagMs: 95_000, waiting: 4 } });
  const text = renderStatusText([healthy(), down], { now: NOW });
  assert.match(text, /web7 source=\/srv\/src\/\nState: down\n[^]*?\nRetry: next attempt at .* \(in 8 s\)\n/);
  const json = statusJson([healthy(), down], { now: NOW });
  assert.equal(json.syncs[1]!.state, 'down');
  assert.equal(json.syncs[1]!.retryAt, new Date(T + 8_000).toISOString());
  assert.equal(json.syncs[1]!.reason, 'target down (cannot connect); next attempt in 8 s: ssh master connection to web7 failed with exit code 255; changes are queued and sent once it answers');
  assert.equal(syncHealth(down.status, T).healthy, false);
  const prom = renderMetrics([healthy(), down], { rssBytes: 1, startTimeSeconds: 1 }, T);
  assert.match(prom, /^lsyncd_ts_sync_target_down\{sync="web7"\} 1$/m);
  assert.match(prom, /^lsyncd_ts_sync_target_down\{sync="sync\[1\]"\} 0$/m);
  assert.match(prom, new RegExp(`^lsyncd_ts_sync_next_retry_timestamp_seconds\\{sync="web7"\\} ${(T + 8_000) / 1000}$`, 'm'));
  assert.equal(slowestLine(json.syncs), 'slowest target: web7 (lag 95 s, down)');
  assert.equal(slowestLine(statusJson([snap()], { now: NOW }).syncs), 'slowest target: none (no sync lags behind)');
});
