/**
 * Commands whose arguments arrive byte for byte, for custom actions (substitution.ts).
 *
 * Contract:
 *  - Input: argv items / positional values as byte strings (ByteArg: one char per byte), which
 *    may hold file names that are not valid UTF-8.
 *  - Node can only pass UTF-8 text as argv. When every item is valid UTF-8 the Command carries
 *    them as text, unchanged (the normal case; a binary runs without a shell). Otherwise every
 *    item travels tagged — `T<text>` for valid UTF-8, `B<octal escapes>` for anything else — and
 *    a fixed /bin/sh prologue decodes them in place with printf %b before the user's script, or
 *    the binary via `exec "$@"`, sees them.
 *  - The prologue is constant text: it never contains a value, so no name can inject shell code.
 *  - Pure: builds Command values, runs nothing.
 */
import type { Command } from '../../process/command.js';

/** One argv item or positional value, as a byte string (one char per byte). */
export type ByteArg = string;

/** Zeroth argument ($0) of shell actions: what `sh` names itself in error messages. */
export const SHELL_ARGV0 = 'sh';
export const SHELL = '/bin/sh';

// Decodes T-/B-tagged arguments in place: `T<text>` stays text, `B<\0ooo…>` is printf-%b decoded
// (the trailing 'x' survives command substitution's newline stripping). Holds no value itself.
const DECODE_PROLOGUE = [
  '__lsyncd_n=$#',
  'while [ "$__lsyncd_n" -gt 0 ]; do',
  '  __lsyncd_a=$1; shift',
  '  case $__lsyncd_a in',
  "    B*) __lsyncd_a=$(printf '%bx' \"${__lsyncd_a#B}\"); __lsyncd_a=${__lsyncd_a%x} ;;",
  '    *) __lsyncd_a=${__lsyncd_a#T} ;;',
  '  esac',
  '  set -- "$@" "$__lsyncd_a"',
  '  __lsyncd_n=$((__lsyncd_n - 1))',
  'done',
  'unset __lsyncd_n __lsyncd_a',
].join('\n');

function isUtf8(b: ByteArg): boolean {
  if (/^[\x00-\x7f]*$/.test(b)) return true;
  const buf = Buffer.from(b, 'latin1');
  return Buffer.from(buf.toString('utf8'), 'utf8').equals(buf);
}

/** A byte string as text (UTF-8 decoded). */
export function asText(b: ByteArg): string {
  return Buffer.from(b, 'latin1').toString('utf8');
}

function octalEscaped(b: ByteArg): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += `\\0${b.charCodeAt(i).toString(8).padStart(3, '0')}`;
  return s;
}

function tagged(b: ByteArg): string {
  return isUtf8(b) ? `T${asText(b)}` : `B${octalEscaped(b)}`;
}

/**
 * `binary args…` with exact bytes: plain when every item is valid UTF-8 (the normal case, no
 * shell); otherwise through the fixed decoding prologue and `exec "$@"`.
 */
export function byteArgsCommand(argv: readonly ByteArg[]): Command {
  if (argv.length === 0) throw new Error('empty command');
  if (argv.every(isUtf8)) {
    const [bin, ...args] = argv.map(asText);
    return { binary: bin!, args, stdin: undefined };
  }
  return { binary: SHELL, args: ['-c', `${DECODE_PROLOGUE}\nexec "$@"`, SHELL_ARGV0, ...argv.map(tagged)], stdin: undefined };
}

/** `/bin/sh -c SCRIPT sh V1 V2 …`, values exact (decoding prologue only for non-UTF-8 values). */
export function shellCommand(script: string, values: readonly ByteArg[]): Command {
  if (values.every(isUtf8)) {
    return { binary: SHELL, args: ['-c', script, SHELL_ARGV0, ...values.map(asText)], stdin: undefined };
  }
  return { binary: SHELL, args: ['-c', `${DECODE_PROLOGUE}\n${script}`, SHELL_ARGV0, ...values.map(tagged)], stdin: undefined };
}
