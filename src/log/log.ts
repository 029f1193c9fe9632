// Log: the logging surface the engine writes to, with lsyncd's categories (docs/lsyncd-compat.md
// docs/lsyncd-compat.md#logging): Normal, Warn and Error always; debug categories (Exec, Delay, Inotify, ...) only when
// enabled with -log. This file is the seam: create_log.ts backs it with winston (console, logfile,
// syslog, JSON lines) for the daemon; consoleLog() below is a plain foreground logger for tests.

export interface Log {
  normal(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
  /** A debug category such as 'Exec' or 'Delay'; dropped unless enabled. */
  debug(category: string, msg: string): void;
  /**
   * Whether lines of `category` are written (Warn/Error always; Normal unless scarce; -log
   * names) — so a hot path can skip building a message nobody will see.
   */
  enabled(category: string): boolean;
}

export interface ConsoleLogOptions {
  /** Enabled debug categories; 'all' enables every one. */
  readonly categories?: readonly string[];
  readonly write?: (line: string, isError: boolean) => void;
}

function hhmmss(d: Date): string {
  return d.toTimeString().slice(0, 8);
}

/** lsyncd's -nodaemon console format: `HH:MM:SS Cat: msg` (errors to stderr). */
export function consoleLog(opts: ConsoleLogOptions = {}): Log {
  const cats = new Set(opts.categories ?? []);
  const write =
    opts.write ??
    ((line: string, isError: boolean) => (isError ? process.stderr : process.stdout).write(`${line}\n`));
  const emit = (cat: string, msg: string, isError = false) => write(`${hhmmss(new Date())} ${cat}: ${msg}`, isError);
  return {
    normal: (m) => emit('Normal', m),
    warn: (m) => emit('Warn', m),
    error: (m) => emit('Error', m, true),
    debug: (cat, m) => {
      if (cats.has('all') || cats.has(cat)) emit(cat, m);
    },
    enabled: (cat) => cat === 'Normal' || cat === 'Warn' || cat === 'Error' || cats.has('all') || cats.has(cat),
  };
}

/** A Log that keeps lines in memory (tests). */
export function memoryLog(): Log & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    normal: (m) => lines.push(`Normal: ${m}`),
    warn: (m) => lines.push(`Warn: ${m}`),
    error: (m) => lines.push(`Error: ${m}`),
    debug: (c, m) => lines.push(`${c}: ${m}`),
    enabled: () => true,
  };
}
