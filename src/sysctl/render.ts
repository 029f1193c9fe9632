// Text output of the sysctl helper: the limits table, the memory note, `sysctl -w` lines and the
// sysctl.d snippet. Pure string building; the command decides where it goes.
import { sysctlKey } from './inotify_limits.js';
import { BYTES_PER_QUEUED_EVENT, BYTES_PER_WATCH, changesOf, type LimitAdvice, type Recommendation } from './recommend.js';

export const SYSCTL_CONF_PATH = '/etc/sysctl.d/90-lsyncd-ts.conf';

export function humanBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${units[u]}`;
}

const STATUS_TEXT: Record<LimitAdvice['status'], string> = {
  ok: 'ok',
  'low-headroom': 'raise (little headroom)',
  'too-low': 'TOO LOW',
  unknown: 'unknown (cannot read /proc/sys/fs/inotify)',
};

/** The limits table, one line per sysctl. */
export function limitsTable(rec: Recommendation): string[] {
  const rows = [rec.watches, rec.instances, rec.queuedEvents].map((a) => [
    sysctlKey(a.name),
    a.current === undefined ? '?' : String(a.current),
    a.needed === undefined ? '-' : String(a.needed),
    String(a.recommended),
    STATUS_TEXT[a.status],
  ]);
  const head = ['sysctl', 'current', 'needed', 'recommended', 'status'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]): string => r.map((c, i) => (i === 0 || i === r.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [fmt(head), ...rows.map(fmt)];
}

export function memoryNote(rec: Recommendation, dirs: number): string[] {
  return [
    `Kernel memory: about ${humanBytes(BYTES_PER_WATCH)} per watch in use on a 64-bit kernel (assumption; ~540 B on 32-bit),`,
    `  so this tree's ${dirs} watches cost ~${humanBytes(rec.memory.treeBytes)}; a limit costs nothing until used`,
    `  (worst case at max_user_watches=${rec.watches.recommended}: ${humanBytes(rec.memory.limitBytes)}).`,
    `  Queued events cost ~${BYTES_PER_QUEUED_EVENT} B each plus the name, only while they wait in the queue.`,
  ];
}

/** `sysctl -w key=value` for every limit to raise. */
export function sysctlWLines(rec: Recommendation): string[] {
  return changesOf(rec).map((c) => `sysctl -w ${sysctlKey(c.name)}=${c.value}`);
}

/** Content of /etc/sysctl.d/90-lsyncd-ts.conf for the limits to raise ('' when nothing to raise). */
export function sysctlConf(rec: Recommendation): string {
  const changes = changesOf(rec);
  if (changes.length === 0) return '';
  return [
    '# inotify limits for lsyncd-ts (written by `lsyncd-ts sysctl`; one watch per watched directory).',
    ...changes.map((c) => `${sysctlKey(c.name)} = ${c.value}`),
    '',
  ].join('\n');
}
