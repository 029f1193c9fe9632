// Fixed engine snapshots for the status and metrics tests (no engine needed): a healthy rsync
// sync with delays of every state, a move, filters and excludes; a retrying one; a dead one.
import type { SyncSnapshot } from '../../src/engine/engine.js';
import type { SyncStatus } from '../../src/engine/sync_runner.js';

/** Local 2026-11-25 02:19:51 — the docs/lsyncd-compat.md#status-file example's time, in whatever TZ the tests run. */
export const NOW = new Date(2026, 10, 25, 2, 19, 51);
export const T = NOW.getTime();

export function status(over: Partial<SyncStatus> = {}): SyncStatus {
  return {
    name: 'sync[1]',
    state: 'running',
    description: '/srv/src/ -> /srv/dst/',
    waiting: 0,
    running: 0,
    lastSuccessAt: undefined,
    lastError: undefined,
    retryAt: undefined,
    overflows: 0,
    transfersOk: 0,
    transfersFailed: 0,
    transfersRetried: 0,
    filesSent: 0,
    bytesSent: 0,
    lagMs: 0,
    unwatchedDirs: 0,
    watchRetryAt: undefined,
    ...over,
  };
}

export function snap(over: Partial<Omit<SyncSnapshot, 'status'>> & { status?: Partial<SyncStatus> } = {}): SyncSnapshot {
  const { status: st, ...rest } = over;
  const source = rest.source ?? '/srv/src/';
  return {
    mode: 'rsync',
    source,
    rules: [],
    delays: [],
    watchedDirs: 1,
    watcherOverflows: 0,
    ...rest,
    watchRoot: rest.watchRoot ?? source,
    status: status(st),
  };
}

export const healthy = (): SyncSnapshot =>
  snap({
    status: { waiting: 3, running: 1, lastSuccessAt: T - 11_000, transfersOk: 12, transfersFailed: 1, transfersRetried: 1, filesSent: 40, bytesSent: 123456, lagMs: 3200 },
    rules: [
      { include: true, pattern: '/keep/' },
      { include: false, pattern: '*.tmp' },
      { include: false, pattern: '/cache/' },
    ],
    delays: [
      { state: 'active', kind: 'Modify', path: '/a' },
      { state: 'wait', kind: 'Create', path: '/new1' },
      { state: 'wait', kind: 'Move', path: '/old', destination: '/new' },
      { state: 'block', kind: 'Delete', path: '/d1/' },
    ],
    watchedDirs: 4,
  });

export const retrying = (): SyncSnapshot =>
  snap({
    source: '/srv/other/',
    status: {
      name: 'backup',
      state: 'retrying',
      description: '/srv/other/ -> host:/bak/',
      waiting: 7,
      lastSuccessAt: T - 3_600_000,
      lastError: 'rsync exited 12 (error in rsync protocol data stream)',
      retryAt: T + 12_000,
      transfersOk: 5,
      transfersFailed: 2,
      transfersRetried: 2,
      overflows: 1,
      lagMs: 45_000,
    },
    mode: 'rsyncssh',
    watchedDirs: 10,
    watcherOverflows: 1,
  });

export const dead = (): SyncSnapshot =>
  snap({ status: { name: 'media', state: 'dead', lastError: 'rsync exited 23 at startup', transfersFailed: 1 }, source: '/srv/media/', watchedDirs: 2 });
