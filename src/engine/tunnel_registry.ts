// TunnelRegistry: one Tunnel (tunnel.ts) per distinct tunnel configuration of the engine, shared
// by every sync that names it — as in lsyncd 2.3, where `local t = tunnel{...}` used by several
// sync{} calls is one tunnel (one `ssh -L` for several rsync modules behind one forward). Two
// copies of the same command would fight over the same local port.
//
// Contract: lease(cfg) → the sync's TransferGate (SyncRunner.gate). Configurations are the same
// when command, checkport, readyDelay and retryDelay are (the name is left out: it defaults to the
// first sync's). A lease's start() after the first does nothing, and every stop() resolves once
// the first one did; the tunnel stops when its last lease stops, and a later lease of the same
// configuration starts a new one. A reload that changes one sync of several on a tunnel leases the
// new version before the old one stops, so the tunnel keeps running.
import type { NormalizedTunnel } from '../config/schema.js';
import type { Log } from '../log/log.js';
import type { TransferGate } from './sync_runner.js';
import { Tunnel, type TunnelStatus } from './tunnel.js';

interface Entry {
  readonly tunnel: Tunnel;
  users: number;
}

export class TunnelRegistry {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly log: Log) {}

  lease(cfg: NormalizedTunnel): TransferGate {
    const key = JSON.stringify([cfg.command, cfg.checkport, cfg.readyDelay, cfg.retryDelay]);
    let entry = this.entries.get(key);
    if (entry === undefined) {
      entry = { tunnel: new Tunnel(cfg, this.log), users: 0 };
      this.entries.set(key, entry);
    }
    entry.users++;
    const e = entry;
    let listener: (() => void) | undefined;
    let released: Promise<void> | undefined;
    const release = async (): Promise<void> => {
      if (listener !== undefined) e.tunnel.removeListener(listener);
      if (--e.users > 0) return;
      if (this.entries.get(key) === e) this.entries.delete(key);
      await e.tunnel.stop();
    };
    return {
      get open(): boolean {
        return e.tunnel.open;
      },
      start: (opened) => {
        if (released !== undefined || listener !== undefined) return;
        listener = opened;
        e.tunnel.start(opened);
      },
      // The first call releases; later ones (a sync that died, then stops) wait for the same end.
      stop: () => (released ??= release()),
      status: (): TunnelStatus => e.tunnel.status(),
    };
  }
}
