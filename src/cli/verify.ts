// `lsyncd-ts verify CONFIG [--sync NAME]... [--json] [--limit N] [--repair [--force]]`: a drift
// check of each sync's target against its source, changing nothing — an rsync dry run with
// checksums per target (src/transports/verify_target.ts builds and runs it; rsync/itemize.ts
// classifies the lines). With --repair, each drifted target is then brought back to its source
// by the sync's own full transfer (src/engine/drift_repair.ts: its delete mode, and a refusal
// when the deletes would be a mass delete unless --force) and checked again; the text
// report adds one line per repaired sync (`NAME: repaired: now clean`, `…: repair refused: …`),
// the JSON report a `repair: { outcome: "repaired" | "refused" | "failed", reason?, stateAfter }`.
//
// Output: per sync one line `NAME: SOURCE -> TARGET: clean` or `…: drifted (M missing, C changed,
// E extra)` followed by the first N paths of each kind (shown byte-safely: control characters and backslashes escaped, bytes that are not UTF-8 as
// \xNN), or
// `skipped` (custom actions) / `error`. --json prints one JSON object instead (version 1:
// { version, config, syncs: [{ name, mode, source, target, state, missing, changed, extra,
// extraIsDrift, attributesOnly, reason }] }, state "clean" | "drifted" | "skipped" | "error", each kind
// { count, paths }).
//
// Extra files count as drift only for a sync that deletes at full transfers (verify_target.ts);
// otherwise the clean line says how many are kept.
// Exit codes (exit_codes.ts): 0 every checked target is clean (skipped syncs do not count);
// 1 a target has drifted; 2 verification could not run for a sync or at all — a config that does
// not load, an unknown --sync name, unreadable rule files, an unreachable target, no rsync —
// with one line on stderr. 2 wins over 1: a partial answer is not a verdict. With --repair the
// codes describe the targets after the repair, as the check after it found them (a refused
// repair leaves 1); a refused or failed repair also gets its line on stderr.
// The config is loaded like check-config (checkOnly: a Lua config's side effects are stubbed);
// without --repair the command changes nothing anywhere.
import type { NormalizedSync } from '../config/schema.js';
import { loadSyncRules } from '../filters/sync_rules.js';
import { type SyncPath, decodePathBytes, displayPath } from '../paths/byte_path.js';
import { lineSafe } from '../status/format.js';
import { type RepairOutcome, repairDrift } from '../engine/drift_repair.js';
import { type DriftKind, type VerifyResult, isClean, verifySync, verifyTargetName } from '../transports/verify_target.js';
import { EXIT_VERIFY_CLEAN, EXIT_VERIFY_DRIFTED, EXIT_VERIFY_FAILED } from './exit_codes.js';
import { loadForCli } from './load_for_cli.js';
import { err, out } from './output.js';

export interface VerifyArgs {
  readonly config: string | undefined;
  readonly syncs: readonly string[];
  readonly json: boolean;
  /** Paths shown per kind. */
  readonly limit: number;
  /** Bring each drifted target back to its source, then check again (src/engine/drift_repair.ts). */
  readonly repair: boolean;
  /** With repair: skip the mass-delete check. */
  readonly force: boolean;
}

interface SyncReport {
  readonly sync: NormalizedSync;
  readonly result: VerifyResult;
  /** With --repair, for a drifted target: what the repair did and the check after it. */
  readonly repair?: { readonly outcome: RepairOutcome; readonly after: VerifyResult };
}

const KINDS = ['missing', 'changed', 'extra'] as const;

function stateOf(r: VerifyResult): 'clean' | 'drifted' | 'skipped' | 'error' {
  if (r.kind !== 'checked') return r.kind;
  return isClean(r) ? 'clean' : 'drifted';
}

function kindJson(k: DriftKind): { count: number; paths: string[] } {
  return { count: k.count, paths: k.paths.map(displayPath) };
}

/** One path per line for humans: control characters and backslashes escaped (status/format.ts lineSafe), other bytes that are not UTF-8 as \xNN. */
function showPath(p: SyncPath): string {
  return displayPath(lineSafe(typeof p === 'string' ? p : decodePathBytes(p)));
}

function printText(reports: readonly SyncReport[]): void {
  for (const { sync, result: r, repair } of reports) {
    const head = `${sync.name}: ${displayPath(sync.source)} -> ${displayPath(r.target)}`;
    if (r.kind === 'skipped') out(`${head}: skipped (${r.reason})`);
    else if (r.kind === 'error') out(`${head}: error (${r.reason})`);
    else if (isClean(r)) out(`${head}: clean${r.extra.count > 0 ? ` (${r.extra.count} extra kept: this sync does not delete at full transfers)` : ''}`);
    else {
      out(`${head}: drifted (${r.missing.count} missing, ${r.changed.count} changed, ${r.extra.count} extra${r.extraIsDrift ? '' : ' kept'})`);
      for (const kind of KINDS) {
        const k = r[kind];
        if (kind === 'extra' && !r.extraIsDrift) continue;
        for (const p of k.paths) out(`  ${kind.padEnd(8)} ${showPath(p)}`);
        if (k.count > k.paths.length) out(`  … and ${k.count - k.paths.length} more ${kind}`);
      }
    }
    if (repair !== undefined) out(`${sync.name}: ${repairLine(repair.outcome, repair.after)}`);
  }
}

/** One line: what the repair did and what the check after it found. */
function repairLine(outcome: RepairOutcome, after: VerifyResult): string {
  if (outcome.kind !== 'repaired') return `repair ${outcome.kind}: ${outcome.reason}`;
  if (after.kind === 'error') return `repaired, but the check after it failed: ${after.reason}`;
  if (isClean(after)) return 'repaired: now clean';
  return after.kind === 'checked' ? `repaired, but still drifted (${after.missing.count} missing, ${after.changed.count} changed, ${after.extra.count} extra)` : `repaired (${after.kind})`;
}

function printJson(config: string, reports: readonly SyncReport[]): void {
  const syncs = reports.map(({ sync, result: r, repair }) => ({
    name: sync.name,
    mode: sync.mode,
    source: displayPath(sync.source),
    target: displayPath(r.target),
    state: stateOf(r),
    ...(r.kind === 'checked'
      ? { missing: kindJson(r.missing), changed: kindJson(r.changed), extra: kindJson(r.extra), extraIsDrift: r.extraIsDrift, attributesOnly: r.attributesOnly }
      : { reason: r.reason }),
    ...(repair !== undefined
      ? { repair: { outcome: repair.outcome.kind, ...(repair.outcome.kind !== 'repaired' ? { reason: repair.outcome.reason } : {}), stateAfter: stateOf(repair.after) } }
      : {}),
  }));
  process.stdout.write(`${JSON.stringify({ version: 1, config, syncs }, null, 2)}\n`);
}

export async function runVerify(args: VerifyArgs): Promise<number> {
  if (args.config === undefined) {
    err('lsyncd-ts verify: name the config — e.g. "lsyncd-ts verify /etc/lsyncd/lsyncd.conf.lua"');
    return EXIT_VERIFY_FAILED;
  }
  const r = await loadForCli({ kind: 'file', file: args.config }, {}, { checkOnly: true });
  if (!r.ok) {
    err(`lsyncd-ts verify: the config does not load: ${r.errors[0]?.text ?? 'invalid'} — run "lsyncd-ts check-config ${args.config}" for every problem`);
    return EXIT_VERIFY_FAILED;
  }
  const all = r.config.syncs;
  const unknown = args.syncs.filter((n) => !all.some((s) => s.name === n));
  if (unknown.length > 0) {
    err(`lsyncd-ts verify: no sync named ${unknown.map((n) => `"${n}"`).join(', ')} — the config has ${all.map((s) => `"${s.name}"`).join(', ')}`);
    return EXIT_VERIFY_FAILED;
  }
  const chosen = args.syncs.length === 0 ? all : all.filter((s) => args.syncs.includes(s.name));
  const reports: SyncReport[] = [];
  for (const sync of chosen) {
    const rules = loadSyncRules(sync);
    if (rules.rules === undefined || rules.problems.length > 0) {
      const p = rules.problems[0];
      const reason = p === undefined ? 'invalid filter/exclude rules' : `${p.key}: ${p.message}`;
      reports.push({ sync, result: { kind: 'error', target: verifyTargetName(sync), reason } });
      continue;
    }
    const wire = { rules: rules.rules.rules, hasFilters: rules.hasFilters };
    const result = await verifySync(sync, wire, { limit: args.limit });
    if (!args.repair || result.kind !== 'checked' || isClean(result)) {
      reports.push({ sync, result });
      continue;
    }
    const extra = result.extraIsDrift ? result.extra.count : 0;
    const outcome = await repairDrift(sync, wire, extra, { ruleList: rules.rules, force: args.force });
    const after = outcome.kind === 'refused' ? result : await verifySync(sync, wire, { limit: args.limit });
    reports.push({ sync, result, repair: { outcome, after } });
  }
  if (args.json) printJson(args.config, reports);
  else printText(reports);
  for (const { sync, result, repair } of reports) {
    if (result.kind === 'error') err(`lsyncd-ts verify: ${sync.name}: ${result.reason}`);
    if (repair !== undefined && repair.outcome.kind !== 'repaired') err(`lsyncd-ts verify: ${sync.name}: ${repairLine(repair.outcome, repair.after)}`);
    else if (repair?.after.kind === 'error') err(`lsyncd-ts verify: ${sync.name}: the check after the repair failed: ${repair.after.reason}`);
  }
  // With --repair the verdict is the state after it (the check that followed the repair).
  const finals = reports.map((r) => r.repair?.after ?? r.result);
  if (finals.some((f) => f.kind === 'error')) return EXIT_VERIFY_FAILED;
  return finals.some((f) => f.kind === 'checked' && !isClean(f)) ? EXIT_VERIFY_DRIFTED : EXIT_VERIFY_CLEAN;
}
