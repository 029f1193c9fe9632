// Which Transport serves which sync mode. The only place that knows all transports.
//
// The engine never imports this file's value: it gets a TransportFactory through its options
// (EngineOptions.transportFactory), and the composition root (src/cli/start_daemon.ts) hands it
// defaultTransportFactory. So the engine depends only on the Transport contract (transport.ts),
// and a test can give it any transport it likes.
import type { NormalizedSync } from '../config/schema.js';
import { ActionsTransport, InletActionTransport } from './actions/index.js';
import { DirectTransport } from './direct/index.js';
import { RsyncTransport, type SyncRuleSet } from './rsync/rsync_transport.js';
import { RsyncsshTransport } from './rsyncssh/index.js';
import type { Transport } from './transport.js';

export type TransportFactory = (sync: NormalizedSync, rules: SyncRuleSet) => Transport;

export const defaultTransportFactory: TransportFactory = (sync, rules) => {
  const transport = modeTransport(sync, rules);
  return sync.inletAction === undefined ? transport : new InletActionTransport(sync, sync.inletAction, transport);
};

function modeTransport(sync: NormalizedSync, rules: SyncRuleSet): Transport {
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
}

// Reached only for a mode without a transport in this build (all modes are served once every
// transport is registered above; then TypeScript sees `sync` as never here).
function unavailable(sync: NormalizedSync): never {
  throw new Error(`${sync.name}: mode "${sync.mode}" is not available in this build`);
}
