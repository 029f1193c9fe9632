/**
 * Exit status of a transport process → ok / again / die (docs/lsyncd-compat.md#exit-codes-of-transfers).
 * The tables come from the normalised config (src/config/defaults.ts RSYNC_EXIT_CODES /
 * SSH_EXIT_CODES, with the user's `exitcodes` on top); a code not in the table is `die`, as in
 * lsyncd. A process killed by a signal (no exit code) is `again`: that is our own shutdown or an
 * OOM kill, not a verdict about the transfer.
 */
import type { ExitAction } from '../config/schema.js';

export function classifyExit(code: number | null, table: Readonly<Record<number, ExitAction>>): ExitAction {
  if (code === null) return 'again';
  return table[code] ?? 'die';
}
