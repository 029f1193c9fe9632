// The pure recommendation (src/sysctl/recommend.ts) with injected current limits and usage, and
// its rendering into `sysctl -w` lines and the sysctl.d snippet.
import test from 'node:test';
import assert from 'node:assert/strict';
import { changesOf, recommendLimits, roundUp } from '../../src/sysctl/recommend.js';
import { humanBytes, sysctlConf, sysctlWLines } from '../../src/sysctl/render.js';

const cur = (w: number | undefined, i: number | undefined, q: number | undefined) => ({ max_user_watches: w, max_user_instances: i, max_queued_events: q });

test('roundUp', () => {
  assert.deepEqual([roundUp(1, 65536), roundUp(65536, 65536), roundUp(65537, 65536), roundUp(0, 128)], [65536, 65536, 131072, 0]);
});

test('watches: too low, low headroom, ok — needed counts other processes\' watches', () => {
  const table: [number, number, number, string, number][] = [
    // dirs, current, in use → status, recommended
    [100_000, 8192, 0, 'too-low', 262144],
    [100_000, 120_000, 30_000, 'too-low', 262144],
    [100_000, 150_000, 0, 'low-headroom', 262144],
    [100_000, 1_048_576, 0, 'ok', 1_048_576],
    [10, 8192, 0, 'low-headroom', 65536],
    [10, 65536, 0, 'ok', 65536],
  ];
  for (const [dirs, current, used, status, recommended] of table) {
    const r = recommendLimits({ dirs, trees: 1, current: cur(current, 128, 65536), inUse: { watches: used, instances: 0 } });
    assert.deepEqual([r.watches.status, r.watches.recommended, r.watches.needed], [status, recommended, dirs + used], `${dirs}/${current}/${used}`);
    assert.equal(r.tooLow, status === 'too-low');
  }
});

test('instances and queued events; unknown values; never lowers a setting', () => {
  const r = recommendLimits({ dirs: 5, trees: 2, current: cur(65536, 3, 16384), inUse: { watches: 0, instances: 2 } });
  assert.deepEqual([r.instances.status, r.instances.needed, r.instances.recommended], ['too-low', 4, 128]);
  assert.deepEqual([r.queuedEvents.status, r.queuedEvents.recommended], ['low-headroom', 65536]);
  assert.equal(r.tooLow, true);
  const big = recommendLimits({ dirs: 5, trees: 1, current: cur(9_000_000, 8192, 1_000_000), inUse: { watches: 0, instances: 0 } });
  assert.deepEqual(changesOf(big), []);
  assert.equal(sysctlConf(big), '');
  const unknown = recommendLimits({ dirs: 5, trees: 1, current: cur(undefined, undefined, undefined), inUse: { watches: 0, instances: 0 } });
  assert.equal(unknown.unknown, true);
  assert.equal(unknown.tooLow, false);
  assert.deepEqual(changesOf(unknown).map((c) => c.name), ['max_user_watches', 'max_user_instances', 'max_queued_events']);
});

test('memory cost: 1 KiB per watch (64-bit assumption)', () => {
  const r = recommendLimits({ dirs: 100_000, trees: 1, current: cur(8192, 128, 16384), inUse: { watches: 0, instances: 0 } });
  assert.equal(r.memory.treeBytes, 100_000 * 1024);
  assert.equal(r.memory.limitBytes, 262144 * 1024);
  assert.equal(humanBytes(r.memory.limitBytes), '256 MiB');
  assert.equal(humanBytes(r.memory.treeBytes), '97.7 MiB');
});

test('sysctl -w lines and the sysctl.d snippet list only what is raised', () => {
  const r = recommendLimits({ dirs: 100_000, trees: 1, current: cur(8192, 128, 16384), inUse: { watches: 0, instances: 0 } });
  assert.deepEqual(sysctlWLines(r), ['sysctl -w fs.inotify.max_user_watches=262144', 'sysctl -w fs.inotify.max_queued_events=65536']);
  assert.equal(sysctlConf(r), [
    '# inotify limits for lsyncd-ts (written by `lsyncd-ts sysctl`; one watch per watched directory).',
    'fs.inotify.max_user_watches = 262144',
    'fs.inotify.max_queued_events = 65536',
    '',
  ].join('\n'));
});
