// `lsyncd-ts release TARGET [SYNC...]`: release the deletes the mass-delete guard holds
// (src/engine/delete_guard.ts) in a running daemon — all held syncs, or the named ones.
//
// Finding the daemon, sending the request and waiting for the confirmation:
// src/daemon/release_client.ts. With a status file the command first checks that something is
// held and that the names exist, then waits until the daemon has rewritten the status without
// the hold. With only a pidfile it cannot check or confirm: it sends the request and says so.
//
// Exit codes (exit_codes.ts): 0 released (or, with only a pidfile, requested); 1 nothing was held
// (among the named syncs); 2 the daemon cannot be found or signalled, a named sync does not
// exist, or no confirmation came — one line on stderr with the fix.
import { CONFIRM_MS, awaitReleaseConfirmed, heldSyncs, locateDaemon, sendReleaseRequest } from '../daemon/release_client.js';
import { EXIT_NOTHING_HELD, EXIT_RELEASED, EXIT_RELEASE_FAILED } from './exit_codes.js';
import { err, out } from './output.js';

export async function runRelease(target: string, names: readonly string[] | undefined): Promise<number> {
  const d = await locateDaemon(target);
  if (typeof d === 'string') {
    err(`lsyncd-ts release: ${d}`);
    return EXIT_RELEASE_FAILED;
  }
  if (d.status !== undefined) {
    const unknown = (names ?? []).filter((n) => !d.status!.syncs.some((s) => s.name === n));
    if (unknown.length > 0) {
      err(`lsyncd-ts release: no sync named ${unknown.map((n) => `"${n}"`).join(', ')} — the daemon runs ${d.status.syncs.map((s) => `"${s.name}"`).join(', ')}`);
      return EXIT_RELEASE_FAILED;
    }
    if (heldSyncs(d.status, names).length === 0) {
      out(`nothing to release: no ${names === undefined ? '' : 'named '}sync is held by the mass-delete guard`);
      return EXIT_NOTHING_HELD;
    }
  }
  const sentAt = Date.now();
  const problem = sendReleaseRequest(d, names);
  if (problem !== undefined) {
    err(`lsyncd-ts release: ${problem}`);
    return EXIT_RELEASE_FAILED;
  }
  if (d.status === undefined || d.statusFile === undefined) {
    out(`release requested from pid ${d.pid} (no status file to confirm it; see the daemon's log)`);
    return EXIT_RELEASED;
  }
  const before = heldSyncs(d.status, names);
  if (await awaitReleaseConfirmed(d.statusFile, names, sentAt)) {
    for (const s of before) out(`released ${s.name}: ${s.deleteHold?.deletes ?? 0} held deletes are applied now (those whose paths are still absent from the source)`);
    return EXIT_RELEASED;
  }
  err(`lsyncd-ts release: pid ${d.pid} did not confirm within ${CONFIRM_MS / 1000} s (status ${d.statusFile}.json still shows the hold) — check the daemon's log`);
  return EXIT_RELEASE_FAILED;
}
