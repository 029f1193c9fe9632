/**
 * A process to spawn, as built by the pure argv builders of the transports: never a shell
 * string (no shell anywhere in the built-in modes). Paths from events never appear in
 * `args`; they travel on `stdin` as bytes, so any file name (newline, quotes, leading dash,
 * non-UTF-8) is safe.
 */
export interface Command {
  readonly binary: string;
  readonly args: readonly string[];
  /** Bytes for the child's stdin; undefined = no pipe (lsyncd creates none for an empty list). */
  readonly stdin: Buffer | undefined;
}
