// Show a Command (src/process/command.ts) as a copy-pastable POSIX shell line for check-config
// (check-config shows the exact rsync/ssh command lines it would run). Only for display: the
// daemon never runs a shell. Words with nothing special stay bare; everything else is single-quoted
// with ' → '\''; a word with bytes that are not valid UTF-8 becomes bash's $'…\xNN…'.
import { hasEscapedBytes, showEscapedBytes } from '../paths/byte_path.js';
import type { Command } from './command.js';

const SAFE = /^[A-Za-z0-9_\-+=/.,:@%^]+$/;

export function shellQuote(word: string): string {
  if (hasEscapedBytes(word)) return ansiCQuote(word);
  return SAFE.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}

/**
 * A word holding bytes that are not valid UTF-8 (src/paths/byte_path.ts), as bash's $'…' with
 * those bytes as \xNN: plain single quotes cannot show them. Backslash and quote are escaped.
 */
function ansiCQuote(word: string): string {
  return `$'${showEscapedBytes(word.replace(/\\/g, '\\\\').replace(/'/g, "\\'"))}'`;
}

export function commandLine(cmd: Command): string {
  return [cmd.binary, ...cmd.args].map(shellQuote).join(' ');
}

/** NUL-separated stdin shown as its items, each shell-quoted, or undefined when there is no stdin. */
export function nulListItems(stdin: Buffer | undefined): string | undefined {
  if (stdin === undefined) return undefined;
  return stdin.toString('utf8').split('\0').map(shellQuote).join(' ');
}
