/**
 * ONE ssh call that performs MANY moves on the rsyncssh target (lsyncd#367: lsyncd runs
 * one ssh per move, docs/lsyncd-compat.md#rsyncssh-commands).
 *
 * Command: `ssh <sshArgs> HOST sh -s` with a POSIX sh script on stdin. Not `sh -c '<script>'`:
 * ssh hands its remote command to the user's login shell, which may not be POSIX (fish treats
 * backslashes inside '…' differently), whereas "sh -s" is the same in every shell, and the
 * script itself then only ever meets /bin/sh. Every path is single-quoted with ' → '\'' , which
 * is safe for ANY byte sequence without NUL: newlines, quotes, `$(...)`, backticks, `*?[]`,
 * backslashes and non-UTF-8 bytes are all literal inside '…'. Paths are absolute or
 * targetdir-relative and always preceded by `--`, so a leading dash is never an option.
 *
 * Per move: `m 'OLD' 'NEW'` where m() first removes NEW if it is a symlink or an EMPTY
 * directory — what rename(2) does; plain `mv a b` would move a INTO an existing directory b or
 * into the directory a symlink b points to — and then runs `mv -f`. A non-empty directory at NEW
 * makes the move fail (rename(2) fails with ENOTEMPTY too).
 * On failure the script prints `F <index>` and, when the delete mode deletes while running
 * (true/'running'), removes OLD (`|| rm -rf`, lsyncd's fallback; lsyncd adds it even with
 * delete=false — a bug). The caller re-queues Create(NEW) for every reported failure
 * (parseMoveFailures), because after a failed mv the destination still has to be transferred;
 * lsyncd simply dies on the non-zero exit (lsyncd#719). The script itself exits 0 unless the
 * shell breaks, so exit 255 still means "ssh failed" (again).
 */
import type { DeleteMode } from '../../config/schema.js';
import { type SyncPath, toByteString } from '../../paths/byte_path.js';
import type { Command } from '../../process/command.js';
import { deletesWhileRunning } from '../delete_mode.js';
import { type SshControl, type SshTable, sshArgs, sshBinary } from './ssh_argv.js';

export interface RemoteMove {
  readonly origin: SyncPath;
  readonly destination: SyncPath;
}

/** POSIX sh single-quoting of a byte string (one char per byte). */
export function shQuoteBytes(bytes: string): string {
  return `'${bytes.replace(/'/g, "'\\''")}'`;
}

/** targetdir + root-relative path, without a trailing "/" (byte string). */
function remotePath(targetdir: string, path: SyncPath): string {
  const td = toByteString(targetdir);
  let rel = toByteString(path).replace(/^\/+/, '');
  if (rel.endsWith('/')) rel = rel.slice(0, -1);
  if (rel === '') throw new Error('refusing to move the target root');
  const base = td === '' || td.endsWith('/') || td.endsWith(':') ? td.replace(/:$/, '') : `${td}/`;
  return base + rel;
}

/** The script bytes for a list of moves (see header). */
export function remoteMoveScript(targetdir: string, moves: readonly RemoteMove[], deleteMode: DeleteMode): Buffer {
  const fallback = deletesWhileRunning(deleteMode);
  const lines = [
    'm() { if [ -L "$2" ]; then rm -f -- "$2" || return 1; elif [ -d "$2" ]; then rmdir -- "$2" 2>/dev/null || return 1; fi; mv -f -- "$1" "$2"; }',
  ];
  moves.forEach((mv, i) => {
    const o = shQuoteBytes(remotePath(targetdir, mv.origin));
    const d = shQuoteBytes(remotePath(targetdir, mv.destination));
    lines.push(`m ${o} ${d} || { echo 'F ${i}';${fallback ? ` rm -rf -- ${o};` : ''} }`);
  });
  lines.push('exit 0', '');
  return Buffer.from(lines.join('\n'), 'latin1');
}

export interface RemoteMovesInput {
  readonly ssh: SshTable;
  readonly host: string;
  readonly targetdir: string;
  readonly moves: readonly RemoteMove[];
  readonly delete: DeleteMode;
  readonly control?: SshControl;
}

export function remoteMovesCommand(input: RemoteMovesInput): Command {
  if (input.host === '' || input.host.startsWith('-')) throw new Error(`invalid ssh host ${JSON.stringify(input.host)}`);
  return {
    binary: sshBinary(input.ssh),
    args: [...sshArgs(input.ssh, input.control), input.host, 'sh', '-s'],
    stdin: remoteMoveScript(input.targetdir, input.moves, input.delete),
  };
}

/** Indexes (into the moves list) of moves the script reported as failed. */
export function parseMoveFailures(stdout: string): number[] {
  const out: number[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^F (\d+)$/.exec(line.trim());
    if (m !== null) out.push(Number(m[1]));
  }
  return out;
}
