// Which Transport serves which sync mode. The only place that knows all transports.
import type { NormalizedSync } from '../config/schema.js';
import { ActionsTransport } from '../transports/actions/index.js';
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
    case 'custom':
      return new ActionsTransport(sync);
    default:
      throw new Error(`${sync.name}: mode "${sync.mode}" is not available yet in this build`);
  }
};
