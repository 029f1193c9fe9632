// Parse rsync's `--itemize-changes` output (`%i %n%L`) into drift kinds, for `lsyncd-ts verify`
// (src/transports/verify_target.ts). One line per entry: an 11-character code `YXcstpoguax`, a
// space, the name (directories end with "/", symlinks carry " -> VALUE"), or `*deleting` padded
// to 11 characters, a space, the name. Any other line (headers, "created directory", the summary
// of -v) is not an entry and gives undefined.
//
// Classification (one decision, classifyItem):
//  - extra:      `*deleting` — on the target, not in the source (rsync ran with --delete);
//  - missing:    all nine attribute columns "+" — a new entry the transfer would create;
//  - changed:    content differs — the checksum column `c` (a regular file's checksum or a
//                symlink's value) or the size column `s`, or an update sent to/from the target
//                (`<`/`>`) for another reason;
//  - attributes: everything else (times, permissions, owner, group, ACLs, xattrs only). The run
//                compares with --checksum, so these do NOT count as drift: the content is equal.
//
// Names are decoded from rsync's escaping of unprintable bytes (`\#ooo`, octal) back to the
// exact bytes, so they can be shown byte-safely (src/paths displayPath). A name that itself
// contains " -> " on a symlink line cannot be told from the value; the first " -> " splits.
import type { SyncPath } from '../../paths/byte_path.js';

export type ItemKind = 'missing' | 'changed' | 'extra' | 'attributes';

export interface ItemizedEntry {
  readonly kind: ItemKind;
  /** Relative to the transfer root; a directory ends with "/". */
  readonly path: SyncPath;
}

const DELETING = '*deleting  ';
const CODE = /^[<>ch.][fdLDS][.+cstpoguaxnb? ]{9}$/;

/** The drift kind of one itemize code (11 characters, `*deleting` included). */
export function classifyItem(code: string): ItemKind {
  if (code.startsWith('*deleting')) return 'extra';
  const attrs = code.slice(2);
  if (/^\++$/.test(attrs)) return 'missing';
  if (attrs[0] === 'c' || attrs[1] === 's' || code[0] === '<' || code[0] === '>') return 'changed';
  return 'attributes';
}

/** rsync's `\#ooo` escapes back to bytes; a string when the result is valid UTF-8. */
export function unescapeRsyncName(name: string): SyncPath {
  if (!name.includes('\\#')) return name;
  const parts: Buffer[] = [];
  let last = 0;
  for (const m of name.matchAll(/\\#([0-7]{3})/g)) {
    parts.push(Buffer.from(name.slice(last, m.index), 'utf8'), Buffer.from([parseInt(m[1]!, 8)]));
    last = m.index + m[0].length;
  }
  parts.push(Buffer.from(name.slice(last), 'utf8'));
  const bytes = Buffer.concat(parts);
  const text = bytes.toString('utf8');
  return Buffer.from(text, 'utf8').equals(bytes) ? text : bytes;
}

/** One line of `--itemize-changes` output, or undefined when it is not an entry. */
export function parseItemizeLine(line: string): ItemizedEntry | undefined {
  if (line.length < 13 || line[11] !== ' ') return undefined;
  const code = line.slice(0, 11);
  if (code !== DELETING && !CODE.test(code)) return undefined;
  let name = line.slice(12);
  if (code[1] === 'L') {
    const arrow = name.indexOf(' -> ');
    if (arrow >= 0) name = name.slice(0, arrow);
  }
  return { kind: classifyItem(code), path: unescapeRsyncName(name) };
}
