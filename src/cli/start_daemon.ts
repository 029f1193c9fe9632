// Where `run` and the legacy form hand a valid config to the daemon. The sync engine is issue 4;
// until it lands this says so on stderr and exits 1 (EXIT_NOT_IMPLEMENTED), AFTER the config was
// loaded and validated, so `lsyncd-ts -nodaemon /etc/lsyncd.conf` already reports config errors
// exactly as it will later (exit 255).
import type { NormalizedConfig } from '../config/schema.js';
import { EXIT_NOT_IMPLEMENTED } from './exit_codes.js';
import { err } from './output.js';

export interface DaemonOptions {
  /** -log categories (all, scarce, or names), in order. */
  readonly log: readonly string[];
}

export function startDaemon(_config: NormalizedConfig, _opts: DaemonOptions): number {
  err('not implemented yet: the sync engine lands with issue 4');
  return EXIT_NOT_IMPLEMENTED;
}
