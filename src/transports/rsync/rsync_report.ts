// What rsync says it transferred, for the files/bytes-sent metrics (files and bytes
// sent, where rsync reports them). rsync reports nothing by default (lsyncd's argv has no -v), so
// lsyncd-ts does not add flags; it reads what the user's options make rsync print:
//   --stats:  "Number of regular files transferred: 1,234" and
//             "Total transferred file size: 5,678 bytes"   → files, content bytes;
//   -v alone: "sent 169 bytes  received 54 bytes  ..."     → bytes on the wire (no file count).
// Pure: feed it rsync's stdout lines.
export interface RsyncReport {
  filesSent?: number;
  bytesSent?: number;
}

const num = (s: string): number => Number(s.replace(/,/g, ''));

export function parseRsyncReport(lines: readonly string[]): RsyncReport {
  const out: RsyncReport = {};
  let content: number | undefined;
  let wire: number | undefined;
  for (const line of lines) {
    let m = /^Number of regular files transferred: ([\d,]+)/.exec(line);
    if (m) out.filesSent = num(m[1]!);
    m = /^Total transferred file size: ([\d,]+) bytes/.exec(line);
    if (m) content = num(m[1]!);
    m = /^sent ([\d,]+) bytes\s+received [\d,]+ bytes/.exec(line);
    if (m) wire = num(m[1]!);
  }
  const bytes = content ?? wire;
  if (bytes !== undefined) out.bytesSent = bytes;
  return out;
}
