// What a HUP changes: the difference between the running config and a freshly loaded one.
// lsyncd's HUP is "an almost restart" (lsyncd#580; docs/lsyncd-compat.md#signals-and-exit-codes): it fades, waits for
// children and restarts everything — every sync resyncs. lsyncd-ts applies only the difference.
//
// Contract (pure, no I/O): planReload(old, next) →
//   keep:    syncs whose normalized config is deep-equal (ignoring `index` and `line`, i.e. their
//            position in the file, a generated "sync[N]" (or "sync[N]@TARGET") name that a renumbering changed, and
//            maxProcesses and crontab, which the engine changes on the running sync).
//            They keep their queue, watches and running transfers; no resync.
//   stop:    running syncs with no equal counterpart (removed, or changed: the old one stops).
//   start:   new syncs with no equal running counterpart (new, or changed: starts with its init
//            transfer, which covers whatever the stopped version still had queued).
//   changed: names present in both stop and start (for the log: "changed" rather than new/removed).
//   restarted: syncs that had died (a `die` exit code; the log told the operator to "fix the
//            cause and reload") — never kept, even when unchanged: they stop and start afresh.
//   settings: per changed settings key, whether it applies live or needs a restart.
// Functions (TS/JS action callbacks) compare by their source text.
import { isDeepStrictEqual } from 'node:util';

import type { NormalizedConfig, NormalizedSettings, NormalizedSync } from '../config/schema.js';

/** Settings the engine applies on reload; every other changed key needs a restart. */
export const LIVE_SETTINGS: ReadonlySet<keyof NormalizedSettings> = new Set<keyof NormalizedSettings>([
  'maxProcesses', // the scheduler's global cap
  'maxDelays', // already folded into each sync's maxDelays: those syncs restart
  'insist', // used by syncs started from now on
  'inotifyMode', // used by syncs started from now on
  'statusFile', // observers.ts restarts the status writer
  'statusInterval',
  'metrics', // observers.ts re-binds the endpoint
]);

export interface SettingChange {
  readonly key: keyof NormalizedSettings;
  readonly from: unknown;
  readonly to: unknown;
  readonly live: boolean;
}

export interface ReloadPlan<T> {
  readonly keep: { readonly running: T; readonly next: NormalizedSync }[];
  readonly stop: T[];
  readonly start: NormalizedSync[];
  readonly changed: string[];
  readonly restarted: string[];
  readonly settings: SettingChange[];
}

// "sync[N]", and "sync[N]@TARGET" for one target of a list (config/expand_targets.ts): the target
// itself is compared with the rest, so only the renumberable part is ignored.
const GENERATED_NAME = /^sync\[\d+\](?:@|$)/;

function canonical(v: unknown): unknown {
  if (typeof v === 'function') return `function:${String(v)}`;
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) out[k] = canonical(x);
    }
    return out;
  }
  return v;
}

/** The part of a sync that decides "unchanged". */
export function syncIdentity(s: NormalizedSync): unknown {
  // maxProcesses: applied to a kept sync live (a changed global cap must not resync everything);
  // crontab: a new schedule needs no full transfer of its own.
  const { index: _i, line: _l, maxProcesses: _m, crontab: _c, name, ...rest } = s;
  return canonical({ ...rest, name: GENERATED_NAME.test(name) ? undefined : name });
}

export function sameSync(a: NormalizedSync, b: NormalizedSync): boolean {
  return isDeepStrictEqual(syncIdentity(a), syncIdentity(b));
}

export function planReload<T>(
  running: readonly { unit: T; sync: NormalizedSync }[],
  oldSettings: NormalizedSettings,
  next: NormalizedConfig,
  mustRestart: (unit: T) => boolean = () => false,
): ReloadPlan<T> {
  const unmatched = running.filter((r) => !mustRestart(r.unit));
  const restartedUnits = running.filter((r) => mustRestart(r.unit));
  const keep: { running: T; next: NormalizedSync }[] = [];
  const start: NormalizedSync[] = [];
  for (const s of next.syncs) {
    const i = unmatched.findIndex((r) => sameSync(r.sync, s));
    if (i >= 0) {
      keep.push({ running: unmatched[i]!.unit, next: s });
      unmatched.splice(i, 1);
    } else {
      start.push(s);
    }
  }
  const stopNames = new Set(unmatched.map((r) => r.sync.name));
  const changed = start.map((s) => s.name).filter((n) => stopNames.has(n));
  const restarted = restartedUnits.map((r) => r.sync.name).filter((n) => start.some((s) => s.name === n));
  const settings: SettingChange[] = [];
  for (const key of Object.keys(next.settings) as (keyof NormalizedSettings)[]) {
    if (!isDeepStrictEqual(oldSettings[key], next.settings[key])) {
      settings.push({ key, from: oldSettings[key], to: next.settings[key], live: LIVE_SETTINGS.has(key) });
    }
  }
  return { keep, stop: [...unmatched, ...restartedUnits].map((r) => r.unit), start, changed, restarted, settings };
}
