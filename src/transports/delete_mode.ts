/**
 * `delete = true | false | 'startup' | 'running'` (docs/lsyncd-compat.md#rsync-mode-keys), for all modes:
 * true → delete on the init/full transfer and while running; 'startup' → only on init/full;
 * 'running' → only for events; false → never.
 */
import type { DeleteMode } from '../config/schema.js';

export function deletesOnFull(mode: DeleteMode): boolean {
  return mode === true || mode === 'startup';
}

export function deletesWhileRunning(mode: DeleteMode): boolean {
  return mode === true || mode === 'running';
}
