// One sync config per transfer mode for the scenario tests that run in all three: rsync and
// direct to a local target, rsyncssh to the same directory through a loopback sshd that this
// starts (generated keys; stopped and removed when the test ends).
import type { TestContext } from 'node:test';

import { startSshd } from './sshd.js';

export type SyncMode = 'rsync' | 'rsyncssh' | 'direct';
export const SYNC_MODES: readonly SyncMode[] = ['rsync', 'rsyncssh', 'direct'];

/** A sync of `mode` from `src` to the local directory `dst`, plus `extra` keys. */
export async function modeSync(t: TestContext, mode: SyncMode, src: string, dst: string, extra: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  if (mode !== 'rsyncssh') return { mode, source: src, target: dst, ...extra };
  const sshd = await startSshd(t);
  return { mode, source: src, host: `${sshd.user}@${sshd.host}`, targetdir: dst, ssh: sshd.sshTable, ...extra };
}
