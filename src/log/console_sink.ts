// The console: a winston transport for the foreground (-nodaemon / nodaemon = true), as lsyncd's
// logstring0 prints it (docs/lsyncd-compat.md#logging).
//
// Contract: one line per record, Error lines to stderr and every other category to stdout (lsyncd
// sends priority <= LOG_ERR to stderr, so Warn goes to stdout). The text is info[MESSAGE]
// (formats.ts 'console' = `HH:MM:SS Cat: msg`, or 'json'). process.stdout/stderr are synchronous
// for files, TTYs and pipes on Linux, so lines keep their order across the two streams.
import type winston from 'winston';

import { MESSAGE } from './formats.js';
import { TransportBase, type TransportInfo } from './sink_base.js';

export interface LineSink {
  write(chunk: string): unknown;
}

export interface ConsoleTransportOptions {
  readonly format: winston.Logform.Format;
  readonly stdout?: LineSink;
  readonly stderr?: LineSink;
}

export class ConsoleTransport extends TransportBase {
  private readonly out: LineSink;
  private readonly err: LineSink;

  constructor(opts: ConsoleTransportOptions) {
    super({ format: opts.format });
    this.out = opts.stdout ?? process.stdout;
    this.err = opts.stderr ?? process.stderr;
  }

  override log(info: TransportInfo, next: () => void): void {
    (info.level === 'error' ? this.err : this.out).write(`${String(info[MESSAGE])}\n`);
    next();
  }
}
