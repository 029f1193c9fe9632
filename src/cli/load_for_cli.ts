// Load what the command line names — a config file (made absolute, as lsyncd does so that a HUP
// can re-read it, lsyncd-behaviour.md §10) or command-line syncs (-rsync/-rsyncssh/-direct) —
// into a validated config via src/config. Never throws; diagnostics are values.
import path from 'node:path';
import type { CliSync } from '../config/cli_args.js';
import type { LoadResult } from '../config/diagnostics.js';
import { loadConfig } from '../config/load_config.js';
import type { ConfigOverrides } from '../config/normalize.js';
import { configFromCliSyncs } from '../config/cli_args.js';

export type ConfigSource = { kind: 'file'; file: string } | { kind: 'syncs'; syncs: readonly CliSync[] };

export async function loadForCli(source: ConfigSource, overrides: ConfigOverrides = {}): Promise<LoadResult> {
  if (source.kind === 'syncs') return configFromCliSyncs(source.syncs, overrides);
  return loadConfig(path.resolve(source.file), overrides);
}
