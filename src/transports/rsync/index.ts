/** Pure argv builders of the rsync and rsyncssh transports (see the per-file headers). */
export { DEFAULT_RSYNC_BINARY, SHORT_FLAGS, type RsyncTable, expandArchive, rsyncBinary, rsyncFlags } from './flags.js';
export { type IncludeEntry, escapeIncludePattern, hasContentChanges, includeEntriesFromDelays, includeListBytes, includePatterns } from './include_list.js';
export { type BatchCommandInput, rsyncBatchCommand } from './batch_argv.js';
export { rsyncFailureLine } from './error_line.js';
export { type FullCommandInput, rsyncFullCommand } from './full_argv.js';
export {
  DEFAULT_SSH_BINARY,
  type SshControl,
  type SshTable,
  quoteForRsh,
  rshOption,
  rsyncsshDestination,
  sshArgs,
  sshBinary,
  withLinkBounds,
} from '../rsyncssh/ssh_argv.js';
export { type RemoteMove, type RemoteMovesInput, parseMoveFailures, remoteMoveScript, remoteMovesCommand, shQuoteBytes } from '../rsyncssh/remote_moves.js';
export { rsyncTargetHasEntries } from './list_target.js';
export { boundedRsync } from './daemon_target.js';
