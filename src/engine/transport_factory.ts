// Which Transport serves which sync mode. The only place that knows all transports.
import type { NormalizedSync } from '../config/schema.js';
import { ActionsTransport } from '../transports/actions/index.js';
import { DirectTransport } from '../transports/direct/index.js';
import { RsyncTransport, type SyncRuleSet } from '../transports/rsync/rsync_transport.js';
import { RsyncsshTransport } from '../transports/rsyncssh/index.js';
import type { Transport } from './transport.js';

export type TransportFactory = (sync: NormalizedSync, rules: SyncRuleSet) => Transport;

export const defaultTransportFactory: TransportFactory = (sync, rules) => {
  switch (sync.mode) {
    case 'rsync':
      return new RsyncTransport(sync, rules);
    case 'rsyncssh':
      return new RsyncsshTransport(sync, rules);
    case 'direct':
      return new DirectTransport(sync, rules);
    case 'custom':
      return new ActionsTransport(sync);
    default:
      return unavailable(sync);
  }
};

// Reached only for a mode without a transport in this build (all modes are served once every
// transport is registered above; then TypeScript sees `sync` as never here).
function unavailable(sync: NormalizedSync): never {
  throw new Error(`${sync.name}: mode "${sync.mode}" is not available in this build`);
}
