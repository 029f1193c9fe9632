// Whether a sync's target is a directory on this machine: direct targets always, rsync targets
// unless they name a host or a daemon (the rule itself: isLocalTarget in
// src/config/local_paths.ts). Used by check-config's facts and for the transports' target-root check
// (target_root.ts). rsyncssh targets are remote by definition.
import { isLocalTarget } from '../config/local_paths.js';
import type { NormalizedSync } from '../config/schema.js';

export function localTarget(sync: NormalizedSync): string | undefined {
  if (sync.mode !== 'rsync' && sync.mode !== 'direct') return undefined;
  return isLocalTarget(sync.mode, sync.target) ? sync.target : undefined;
}
