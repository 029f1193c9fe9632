// `lsyncd-ts check-config CONFIG [--json] [--strict]`: validate without starting anything
// (lsyncd has no config test, lsyncd#505 — `nginx -t` is the model).
//
// Output:
//  - stderr: one line per diagnostic, `error: FILE:LINE: path: message` / `warning: …` (under
//    --strict warnings are printed as `error:`);
//  - stdout: per sync the summary of describe_sync.ts (mode, source → target, delay, delete,
//    filters/excludes, the exact rsync/ssh command lines), then the verdict line
//    `FILE: configuration is valid (N syncs, W warnings)` or `FILE: configuration is INVALID (…)`;
//  - --json: stdout carries ONLY the normalised config as JSON (config_json.ts) when valid; the
//    verdict goes to stderr.
// Exit: 0 valid; 1 invalid, or any warning under --strict (the systemd unit's ExecStartPre uses
// --strict). Diagnostics come from the loader plus environment_checks.ts. The config is loaded
// with `checkOnly` (load_config.ts): validating has no side effects, and a Lua config's calls that
// would have one (os.execute, io.popen, os.remove, os.rename) are stubbed and reported as warnings.
import path from 'node:path';
import type { ConfigDiagnostic } from '../config/diagnostics.js';
import { systemRoot } from '../sysctl/proc_root.js';
import { configToJson } from './config_json.js';
import { describeSync } from './describe_sync.js';
import { checkEnvironment } from './environment_checks.js';
import { EXIT_INVALID, EXIT_OK } from './exit_codes.js';
import { loadForCli } from './load_for_cli.js';
import { err, out, printCheckDiagnostics } from './output.js';
import { diagnostic } from '../config/diagnostics.js';

export interface CheckConfigArgs {
  readonly config: string;
  readonly json: boolean;
  readonly strict: boolean;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

export async function runCheckConfig(args: CheckConfigArgs): Promise<number> {
  const file = path.resolve(args.config);
  const r = await loadForCli({ kind: 'file', file: args.config }, {}, { checkOnly: true });
  const verdict = args.json ? err : out;
  if (!r.ok) {
    printCheckDiagnostics(r.errors, r.warnings, args.strict);
    verdict(`${file}: configuration is INVALID (${plural(r.errors.length, 'error')}, ${plural(r.warnings.length, 'warning')})`);
    return EXIT_INVALID;
  }
  const env = checkEnvironment(file, r.config, {
    envPath: process.env['PATH'] ?? '',
    root: systemRoot(),
    uid: process.getuid?.() ?? 0,
    selfPid: process.pid,
  });
  const errors: ConfigDiagnostic[] = [...env.errors];
  const warnings = [...r.warnings, ...env.warnings];
  const blocks: string[][] = [];
  for (const f of env.facts) {
    const d = describeSync(f.sync, f.realSource, f.rules);
    for (const p of d.problems) errors.push(diagnostic('error', file, f.sync.line, `sync[${f.sync.index}]`, p));
    blocks.push(d.lines);
  }
  printCheckDiagnostics(errors, warnings, args.strict);
  if (args.json) {
    if (errors.length === 0) out(configToJson(r.config));
  } else {
    for (const b of blocks) {
      for (const l of b) out(l);
      out();
    }
  }
  const syncs = plural(r.config.syncs.length, 'sync');
  if (errors.length > 0) {
    verdict(`${file}: configuration is INVALID (${plural(errors.length, 'error')}, ${plural(warnings.length, 'warning')})`);
    return EXIT_INVALID;
  }
  if (args.strict && warnings.length > 0) {
    verdict(`${file}: configuration is INVALID under --strict (${syncs}, ${plural(warnings.length, 'warning')} treated as errors)`);
    return EXIT_INVALID;
  }
  verdict(`${file}: configuration is valid (${syncs}, ${plural(warnings.length, 'warning')})`);
  return EXIT_OK;
}
