// ChildOutput: what the process runners keep of a child's output — every line passed to onLine
// (stdout and stderr, split on '\n'; a last line without '\n' is not reported), stdout kept
// whole when asked (captureStdout), and the last lines of stderr for error messages. Shared by
// runCommand (process_runner.ts) and the action runner (src/transports/actions/run_action.ts).
import type { Readable } from 'node:stream';

const TAIL_LINES = 20;

export interface ChildOutputOptions {
  readonly onLine?: (stream: 'stdout' | 'stderr', line: string) => void;
  readonly captureStdout?: boolean;
}

export class ChildOutput {
  private stdoutText = '';
  private readonly tail: string[] = [];

  constructor(private readonly opts: ChildOutputOptions) {}

  /** Starts collecting from the child's output streams. */
  attach(stdout: Readable | null, stderr: Readable | null): void {
    stdout?.on('data', this.splitter('stdout'));
    stderr?.on('data', this.splitter('stderr'));
  }

  get stdout(): string {
    return this.stdoutText;
  }

  get stderrTail(): string {
    return this.tail.join('\n');
  }

  private splitter(stream: 'stdout' | 'stderr'): (chunk: Buffer) => void {
    let partial = '';
    return (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      if (stream === 'stdout' && this.opts.captureStdout) this.stdoutText += text;
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) {
        if (stream === 'stderr') {
          this.tail.push(l);
          if (this.tail.length > TAIL_LINES) this.tail.shift();
        }
        this.opts.onLine?.(stream, l);
      }
    };
  }
}
