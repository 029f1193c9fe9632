/**
 * Byte-exact sync paths.
 *
 * Contract: a sync path is root-relative, starts with "/", and a directory carries a trailing "/"
 * (lsyncd convention, docs/lsyncd-compat.md#rsync-mode-keys and docs/lsyncd-compat.md#paths-moves-and-excludes). Linux file names are bytes, not text:
 * the watcher hands us a `Buffer` when a name is not valid UTF-8 (docs/watcher-design.md#names-as-bytes,
 * NON_UTF8 flag), a `string` otherwise. Everything in the pure engine accepts both.
 *
 * Invariant: all matching and indexing happens on the *byte string* form — a JS string holding
 * one UTF-16 code unit per byte (latin1 decoding of the UTF-8 bytes). This is the same
 * granularity as rsync's wildmatch and lsyncd's Lua patterns (both work on bytes), and it makes
 * "is A a prefix of B" exact for non-UTF-8 names, which a lossy U+FFFD decode would not be.
 */

/** A root-relative path as delivered by the watcher: text when valid UTF-8, raw bytes otherwise. */
export type SyncPath = string | Buffer;

const ASCII_ONLY = /^[\x00-\x7f]*$/;

/*
 * Configured paths (a sync's source, target, targetdir, host) are `string`s everywhere, as the
 * zod schema types them, also when the bytes given on the command line or in a Lua config are
 * not valid UTF-8. Such a path is held *byte-escaped*: each byte that is not part of a valid
 * UTF-8 sequence (always 0x80–0xFF) becomes the lone low surrogate U+DC00 + byte (the
 * "surrogateescape" of PEP 383). Valid UTF-8 never decodes to a lone surrogate, so the mapping is
 * exact both ways, and a path that is valid UTF-8 is the plain string it always was. Every
 * function here that turns a string into bytes (toByteString, toBytes, pathArg) undoes the
 * escape, so the bytes that reach a syscall or a child's argv are the original ones.
 */
const ESCAPED_BYTE = /(?<![\ud800-\udbff])[\udc80-\udcff]/;
const ESCAPED_BYTES = /(?<![\ud800-\udbff])[\udc80-\udcff]/g;

/** True when `s` holds a byte-escaped (non-UTF-8) byte. */
export function hasEscapedBytes(s: string): boolean {
  return !ASCII_ONLY.test(s) && ESCAPED_BYTE.test(s);
}

/** Bytes → string: the UTF-8 text, with each byte outside a valid UTF-8 sequence byte-escaped. */
export function decodePathBytes(b: Uint8Array): string {
  const buf = Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  const text = buf.toString('utf8');
  if (!text.includes('\ufffd') || Buffer.from(text, 'utf8').equals(buf)) return text;
  let out = '';
  let i = 0;
  while (i < buf.length) {
    const n = utf8SequenceLength(buf, i);
    if (n === 0) {
      out += String.fromCharCode(0xdc00 + buf[i]!);
      i += 1;
    } else {
      out += buf.toString('utf8', i, i + n);
      i += n;
    }
  }
  return out;
}

/** Length of the valid UTF-8 sequence starting at `i` (1–4), or 0 when the byte starts none. */
function utf8SequenceLength(b: Buffer, i: number): number {
  const c = b[i]!;
  if (c < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf): boolean => i + k < b.length && b[i + k]! >= lo && b[i + k]! <= hi;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if (c === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0; // no UTF-16 surrogates
  if (c >= 0xe1 && c <= 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (c === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xf1 && c <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

/** The exact bytes of a (possibly byte-escaped) string. */
function escapedToBytes(s: string): Buffer {
  const parts: Buffer[] = [];
  let last = 0;
  for (const m of s.matchAll(ESCAPED_BYTES)) {
    parts.push(Buffer.from(s.slice(last, m.index), 'utf8'), Buffer.of(m[0].charCodeAt(0) - 0xdc00));
    last = m.index + 1;
  }
  parts.push(Buffer.from(s.slice(last), 'utf8'));
  return Buffer.concat(parts);
}

/**
 * What an fs call or a child's argv gets for a configured path: the string itself when it holds
 * no escaped byte, otherwise a Buffer with the exact bytes.
 */
export function pathArg(s: string): string | Buffer {
  return hasEscapedBytes(s) ? escapedToBytes(s) : s;
}

/** Byte string (one char per byte) of a sync path. ASCII strings are returned unchanged (fast path). */
export function toByteString(p: SyncPath): string {
  if (typeof p === 'string') {
    return ASCII_ONLY.test(p) ? p : toBytes(p).toString('latin1');
  }
  return p.toString('latin1');
}

/** Raw bytes of a sync path (a byte-escaped string gives its original bytes). */
export function toBytes(p: SyncPath): Buffer {
  if (typeof p !== 'string') return p;
  return hasEscapedBytes(p) ? escapedToBytes(p) : Buffer.from(p, 'utf8');
}

/** A string for humans: each byte-escaped byte shown as \xNN (anything else unchanged). */
export function showEscapedBytes(s: string): string {
  if (ASCII_ONLY.test(s)) return s;
  return s.replace(ESCAPED_BYTES, (c) => `\\x${(c.charCodeAt(0) - 0xdc00).toString(16).padStart(2, '0')}`);
}

/**
 * Inverse of {@link toByteString}: a `string` when the bytes are valid UTF-8 (so a round trip of
 * a string path gives the same string back), otherwise a `Buffer` with the exact bytes.
 */
export function fromByteString(b: string): SyncPath {
  if (ASCII_ONLY.test(b)) return b;
  const buf = Buffer.from(b, 'latin1');
  const text = buf.toString('utf8');
  return Buffer.from(text, 'utf8').equals(buf) ? text : buf;
}

/** True when the path denotes a directory (trailing "/"). */
export function isDirPath(p: SyncPath): boolean {
  if (typeof p === 'string') return p.endsWith('/');
  return p.length > 0 && p[p.length - 1] === 0x2f;
}

/** Human-readable rendering for logs and error messages (invalid bytes shown as \xNN). */
export function displayPath(p: SyncPath): string {
  if (typeof p === 'string') return showEscapedBytes(p);
  const b = toByteString(p);
  const s = fromByteString(b);
  if (typeof s === 'string') return s;
  let out = '';
  for (const ch of b) {
    const c = ch.charCodeAt(0);
    out += c < 0x80 ? ch : `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return out;
}
