// Output helpers for the CLI: stdout/stderr lines, and config diagnostics in two styles:
//  - lsyncd style for the legacy form and `run` (`Error: …` / `Warn: …`, lsyncd's log
//    categories in the config phase, docs/lsyncd-compat.md#logging), errors on stderr;
//  - `error: …` / `warning: …` for check-config (like compilers and `nginx -t`).
// Each diagnostic is one line: `FILE:LINE: path: message` (src/config/diagnostics.ts).
// Writes go through process.stdout/stderr; callers set process.exitCode (never process.exit), so
// output is flushed even when piped.
// Bytes of a configured path that are not valid UTF-8 (byte-escaped, src/paths/byte_path.ts)
// are written as \xNN.
import type { ConfigDiagnostic } from '../config/diagnostics.js';
import { showEscapedBytes } from '../paths/byte_path.js';

// A reader that stops early (`lsyncd-ts check-config … | head`) closes the pipe: the rest of the
// output has nowhere to go, which is the reader's choice, not a failure to report with a stack
// trace. End as a shell tool ends on SIGPIPE, keeping the exit code already decided.
function quietOnEpipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    process.exit(process.exitCode ?? 0);
  });
}
quietOnEpipe(process.stdout);

export function out(line = ''): void {
  process.stdout.write(`${showEscapedBytes(line)}\n`);
}

export function err(line: string): void {
  process.stderr.write(`${showEscapedBytes(line)}\n`);
}

export function printLsyncdDiagnostics(errors: readonly ConfigDiagnostic[], warnings: readonly ConfigDiagnostic[]): void {
  for (const w of warnings) err(`Warn: ${w.text}`);
  for (const e of errors) err(`Error: ${e.text}`);
}

export function printCheckDiagnostics(errors: readonly ConfigDiagnostic[], warnings: readonly ConfigDiagnostic[], strict: boolean): void {
  for (const e of errors) err(`error: ${e.text}`);
  for (const w of warnings) err(`${strict ? 'error' : 'warning'}: ${w.text}`);
}
