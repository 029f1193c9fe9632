// The script's command-line arguments, byte for byte.
//
// Node decodes argv as UTF-8 and replaces bytes that are not valid UTF-8 with U+FFFD, so a source
// named "d-\xff" would arrive as "d-\xef\xbf\xbd": another directory, and with --delete a wrong
// mirror. The kernel keeps the exact bytes in /proc/self/cmdline (NUL-separated: node's own path
// and execArgv, the script, then its arguments — the last process.argv.length - 2 entries).
//
// Contract: scriptArgv() returns process.argv.slice(2) unchanged when no argument holds U+FFFD
// (the common case, no file read). Otherwise it re-reads those arguments from /proc/self/cmdline
// and decodes each with decodePathBytes (src/paths/byte_path.ts): valid UTF-8 stays the same
// text, other bytes become byte-escaped, which every path boundary turns back into the bytes.
// A daemon started by launchDaemon cannot be given such bytes in its argv (node's spawn takes
// strings), so the launcher passes the decoded list in ARGV_ENV as JSON (ASCII: JSON escapes lone
// surrogates), and the daemon takes it from there and removes it from its environment.
// Computed once per process.
import { readFileSync } from 'node:fs';

import { decodePathBytes, hasEscapedBytes } from '../paths/byte_path.js';

export const ARGV_ENV = 'LSYNCD_TS_ARGV_JSON';

let cached: string[] | undefined;

export function scriptArgv(): string[] {
  cached ??= readScriptArgv();
  return [...cached];
}

/** The environment entry a launcher adds so its daemon child gets `args` exactly (none when not needed). */
export function argvEnvFor(args: readonly string[]): Record<string, string> {
  return args.some(hasEscapedBytes) ? { [ARGV_ENV]: JSON.stringify(args) } : {};
}

function readScriptArgv(): string[] {
  const fromLauncher = process.env[ARGV_ENV];
  if (fromLauncher !== undefined) {
    delete process.env[ARGV_ENV];
    let list: unknown;
    try {
      list = JSON.parse(fromLauncher);
    } catch {
      list = undefined; // not from our launcher: fall back to the process's own argv
    }
    if (Array.isArray(list) && list.every((a) => typeof a === 'string')) return list as string[];
  }
  const node = process.argv.slice(2);
  if (!node.some((a) => a.includes('\ufffd'))) return node;
  let raw: Buffer;
  try {
    raw = readFileSync('/proc/self/cmdline');
  } catch {
    return node; // no /proc: the lossy form is all there is
  }
  const parts: Buffer[] = [];
  for (let start = 0; start < raw.length; ) {
    const end = raw.indexOf(0, start);
    parts.push(raw.subarray(start, end < 0 ? raw.length : end));
    start = end < 0 ? raw.length : end + 1;
  }
  if (parts.length < node.length) return node;
  return parts.slice(parts.length - node.length).map((p) => decodePathBytes(p));
}
