// Load what the command line names — a config file (made absolute, as lsyncd does so that a HUP
// can re-read it, docs/lsyncd-compat.md#command-line) or command-line syncs (-rsync/-rsyncssh/-direct) —
// into a validated config via src/config, then refuses a local target inside its own source
// (target_in_source.ts: it reads rule files, so it is not part of the pure loader). Never throws;
// diagnostics are values.
import path from 'node:path';
import type { CliSync } from '../config/cli_args.js';
import type { LoadResult } from '../config/diagnostics.js';
import { loadConfig, type LoadOptions } from '../config/load_config.js';
import type { ConfigOverrides } from '../config/normalize.js';
import { configFromCliSyncs } from '../config/cli_args.js';
import { targetInSourceErrors } from './target_in_source.js';

export type ConfigSource = { kind: 'file'; file: string } | { kind: 'syncs'; syncs: readonly CliSync[] };

export async function loadForCli(source: ConfigSource, overrides: ConfigOverrides = {}, opts: LoadOptions = {}): Promise<LoadResult> {
  const file = source.kind === 'syncs' ? '<command line>' : path.resolve(source.file);
  const r = source.kind === 'syncs' ? configFromCliSyncs(source.syncs, overrides) : await loadConfig(file, overrides, opts);
  if (!r.ok) return r;
  const errors = targetInSourceErrors(file, r.config);
  return errors.length === 0 ? r : { ok: false, errors, warnings: r.warnings };
}
