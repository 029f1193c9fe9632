/** The direct transport (lsyncd's default.direct, done right): see direct_transport.ts. */
export { DirectTransport, type DirectTransportOptions, directFullRsync, RSYNC_NOT_FOUND } from './direct_transport.js';
export { DirectOps, type DirectOpsOptions, type OpCounters } from './direct_ops.js';
export { DirectOpError } from './fs_errors.js';
export { TEMP_PREFIX } from './target_paths.js';
