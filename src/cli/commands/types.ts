// What a yargs command handler reports back to main(): the process exit code (handlers never call
// process.exit, so buffered output is flushed).
export interface ExitCodeSink {
  exitCode: number;
}
