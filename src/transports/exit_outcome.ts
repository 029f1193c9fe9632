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
 *
 * "Cannot connect" (`cannotConnect`, the one decision): the process failed because its target did
 * not answer — refused, timed out, never spoke, or the link dropped — rather than because of what
 * was transferred. Such an `again` carries `unreachable: true`; the runner then shows the sync as
 * *down* and backs off (src/engine/sync_runner.ts). The endings that mean it:
 *  - ssh (a ControlMaster start, or a command over ssh): exit 255, ssh's own failure code (a remote
 *    command's codes are its own; our move script exits 0, remote_moves.ts);
 *  - rsync: 10 (socket I/O: refused, no route, --contimeout), 35 (timeout waiting for a daemon
 *    connection), 30 (the link went silent past --timeout, also a daemon that never greets),
 *    255 (its remote shell, ssh, failed), and 12 (protocol stream) only when stderr shows the
 *    connection itself was refused or closed before a byte arrived — otherwise 12 is a protocol
 *    problem that a reconnect does not cure.
 * An `again` that is not "cannot connect" keeps the sync's state *retrying*; a code the table calls
 * `die` dies whatever its cause. (Checks that are not a process ending mark `unreachable`
 * themselves: the rsync daemon greeting probe, rsync/daemon_target.ts, and the ssh master's
 * handshake limit, rsyncssh_transport.ts.) Only remote targets are judged: a local rsync has no
 * connection to lose (rsync_transport.ts passes no tool).
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

/** The tools whose endings `cannotConnect` can read. */
export type ConnectingTool = 'ssh' | 'rsync';

/** How rsync's stderr says the connection itself failed (exit 12, see the header). */
const NO_CONNECTION = /connection refused|connection unexpectedly closed \(0 bytes received so far\)|connection reset by peer|no route to host|connection timed out/i;

type Ending = Pick<RunResult, 'code' | 'signal' | 'spawnError'> & { readonly stderrTail?: string };

/** Whether `tool` ended because its target could not be reached (see the header). */
export function cannotConnect(r: Ending, tool: ConnectingTool): boolean {
  if (r.spawnError !== undefined || r.code === null) return false;
  if (tool === 'ssh') return r.code === 255;
  if (r.code === 10 || r.code === 30 || r.code === 35 || r.code === 255) return true;
  return r.code === 12 && NO_CONNECTION.test(r.stderrTail ?? '');
}

/**
 * The outcome of one finished process under `table`, worded by `words`. With `tool`, an `again`
 * that `cannotConnect` recognises is marked `unreachable`.
 */
export function processOutcome(r: Ending, table: ExitTable, words: EndingWords, tool?: ConnectingTool): TransferOutcome {
  if (r.spawnError !== undefined) return { kind: 'die', reason: words.cannotStart(r.spawnError) };
  if (r.code === null) return { kind: 'again', reason: words.killed(r.signal) };
  const action = classifyExit(r.code, table);
  if (action === 'ok') return { kind: 'ok' };
  if (action === 'again' && tool !== undefined && cannotConnect(r, tool)) return { kind: 'again', reason: words.exited(r.code), unreachable: true };
  return { kind: action, reason: words.exited(r.code) };
}
