// Whether a sync's target is a directory on this machine: direct targets always, rsync targets
// unless they name a host (`host:path`, `host::module`) or a daemon (`rsync://`). The one home
// of that rule for check-config's facts and for the transports' target-root check
// (target-root.ts). rsyncssh targets are remote by definition.
import type { NormalizedSync } from '../config/schema.js';

export function localTarget(sync: NormalizedSync): string | undefined {
  if (sync.mode !== 'rsync' && sync.mode !== 'direct') return undefined;
  if (sync.mode === 'rsync' && (/^[^/]*:/.test(sync.target) || sync.target.startsWith('rsync://'))) return undefined;
  return sync.target;
}
