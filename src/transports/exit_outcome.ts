/**
 * How a transport process ended → ok / again / die (docs/lsyncd-compat.md#exit-codes-of-transfers):
 * the one decision every transport (rsync, rsyncssh, direct, actions) uses.
 *
 *  - could not be started (spawnError): `die`. Nothing ran; retrying does not install a binary;
 *  - no exit code (killed by a signal, or a closed ssh master): `again`. That is our own shutdown
 *    or an OOM kill, not a verdict about the transfer;
 *  - an exit code: looked up in the sync's table (src/config/defaults.ts RSYNC_EXIT_CODES /
 *    SSH_EXIT_CODES / CUSTOM_EXIT_CODES with the user's `exitcodes` on top); a code not in the
 *    table is `die`, as in lsyncd.
 *
 * The verdict is decided here only; the words are the caller's (`EndingWords`), because each
 * transport names its process in its own log and status lines (and those texts are kept stable).
 */
import type { ExitAction } from '../config/schema.js';
import type { TransferOutcome } from './transport.js';
import type { RunResult } from '../process/process_runner.js';

/** A sync's exit-code table: code → action; codes not listed are `die`. */
export type ExitTable = Readonly<Record<number, ExitAction>>;

/** The table lookup alone (an exit code, or null for "no exit code"). */
export function classifyExit(code: number | null, table: ExitTable): ExitAction {
  if (code === null) return 'again';
  return table[code] ?? 'die';
}

/** The reason texts of one transport; each is asked only for the ending it names. */
export interface EndingWords {
  /** The process could not be started. */
  readonly cannotStart: (error: NodeJS.ErrnoException) => string;
  /** It ended without an exit code (`signal` may be null, e.g. a closed ssh master). */
  readonly killed: (signal: NodeJS.Signals | null) => string;
  /** It exited with `code`, which the table does not call ok. */
  readonly exited: (code: number) => string;
}

/** The outcome of one finished process under `table`, worded by `words`. */
export function processOutcome(r: Pick<RunResult, 'code' | 'signal' | 'spawnError'>, table: ExitTable, words: EndingWords): TransferOutcome {
  if (r.spawnError !== undefined) return { kind: 'die', reason: words.cannotStart(r.spawnError) };
  if (r.code === null) return { kind: 'again', reason: words.killed(r.signal) };
  const action = classifyExit(r.code, table);
  return action === 'ok' ? { kind: 'ok' } : { kind: action, reason: words.exited(r.code) };
}
