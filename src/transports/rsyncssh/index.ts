/** The rsyncssh transport (rsync over ssh + batched remote moves) and its shared ssh masters. */
export { type RsyncsshRules, type RsyncsshTransportOptions, RsyncsshTransport } from './rsyncssh_transport.js';
export {
  DEFAULT_CONTROL_PERSIST,
  type SshMasterLease,
  type SshMasterOptions,
  SshMaster,
  SshMasterRegistry,
  defaultSshMasters,
  sshMasterKey,
  wantsManagedMaster,
} from './ssh_master.js';
