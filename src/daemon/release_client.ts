// The client side of the mass-delete guard's release request (`lsyncd-ts release`): finding the
// running daemon from what the user names, sending the request, and waiting for the daemon to
// confirm it. The protocol itself (request file + SIGUSR2) is release_request.ts.
//
// Finding the daemon, decided by content like `status` does (src/status/find_status.ts): a
// pidfile (one number), the daemon's status file or JSON twin (which carry the pid and hostname),
// or its config (its settings.statusFile, else settings.pidfile). With a status file the caller
// can check that something is held and confirm the release; with only a pidfile it cannot.
//
// Never throws: failures are one-line messages naming the fix.
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';

import { loadConfig } from '../config/load_config.js';
import { findStatus } from '../status/find_status.js';
import type { StatusJsonV1 } from '../status/render_json.js';
import { RELEASE_SUFFIX, writeReleaseRequest } from './release_request.js';

/** How long to wait for the daemon to show the release in its status file. */
export const CONFIRM_MS = 10_000;
const POLL_MS = 100;

export interface Daemon {
  readonly pid: number;
  readonly requestFile: string;
  /** The status file to check and confirm with (undefined: only a pidfile). */
  readonly statusFile?: string;
  readonly status?: StatusJsonV1;
}

const PID_TEXT = /^\s*(\d+)\s*$/;

async function readPidfile(file: string): Promise<number | string> {
  try {
    const m = PID_TEXT.exec(await readFile(file, 'utf8'));
    return m ? Number(m[1]) : `${file} is not a pidfile`;
  } catch (e) {
    return `cannot read pidfile ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message} — is lsyncd-ts running?`;
  }
}

/** The daemon behind `target`, or a one-line error. */
export async function locateDaemon(target: string): Promise<Daemon | string> {
  let text: string;
  try {
    text = await readFile(target, 'utf8');
  } catch (e) {
    return `cannot read ${target}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message} — name the daemon's config, status file or pidfile`;
  }
  if (PID_TEXT.test(text)) return { pid: Number(PID_TEXT.exec(text)![1]), requestFile: `${target}${RELEASE_SUFFIX}` };
  let statusFile: string | undefined;
  let pidfile: string | undefined;
  const found = await findStatus(target);
  if (found.kind === 'json') statusFile = found.file.replace(/\.json$/, '');
  else if (found.kind === 'text') return `${found.file} has no JSON twin (${found.file}.json), so it names no pid — name the daemon's pidfile instead`;
  else {
    const r = await loadConfig(path.resolve(target));
    if (!r.ok || (r.config.settings.statusFile === undefined && r.config.settings.pidfile === undefined)) {
      return r.ok ? `${target}: the config has neither statusFile nor pidfile — set one in settings{} so the daemon can be found` : found.message;
    }
    pidfile = r.config.settings.pidfile;
    if (r.config.settings.statusFile !== undefined) {
      const st = await findStatus(r.config.settings.statusFile);
      if (st.kind === 'json') statusFile = r.config.settings.statusFile;
      else if (pidfile === undefined) return st.kind === 'error' ? st.message : `${st.file} has no JSON twin — is this lsyncd-ts?`;
    }
  }
  if (statusFile !== undefined) {
    const st = await findStatus(statusFile);
    if (st.kind !== 'json') return st.kind === 'error' ? st.message : `${st.file} has no JSON twin`;
    if (st.status.hostname !== hostname()) return `${st.file} was written on ${st.status.hostname}; run lsyncd-ts release there`;
    return { pid: st.status.pid, requestFile: `${statusFile}${RELEASE_SUFFIX}`, statusFile, status: st.status };
  }
  const pid = await readPidfile(pidfile!);
  return typeof pid === 'number' ? { pid, requestFile: `${pidfile}${RELEASE_SUFFIX}` } : pid;
}

/** The syncs of `st` the guard holds, among `names` (undefined: all). */
export function heldSyncs(st: StatusJsonV1, names: readonly string[] | undefined): StatusJsonV1['syncs'] {
  return st.syncs.filter((s) => s.deleteHold != null && (names === undefined || names.includes(s.name)));
}

/** Writes the request and signals the daemon; a one-line error, or undefined when sent. */
export function sendReleaseRequest(d: Daemon, names: readonly string[] | undefined): string | undefined {
  try {
    writeReleaseRequest(d.requestFile, names);
  } catch (e) {
    return `cannot write ${d.requestFile}: ${(e as Error).message} — run as the daemon's user (or root)`;
  }
  try {
    process.kill(d.pid, 'SIGUSR2');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return `cannot signal pid ${d.pid}: ${code === 'ESRCH' ? 'no such process (the daemon is not running)' : code === 'EPERM' ? 'permission denied (run as the daemon\'s user or root)' : (e as Error).message}`;
  }
  return undefined;
}

/**
 * Polls the status file (up to CONFIRM_MS) until the daemon has rewritten it after `sentAt`
 * without a hold among `names`. True when confirmed.
 */
export async function awaitReleaseConfirmed(statusFile: string, names: readonly string[] | undefined, sentAt: number): Promise<boolean> {
  for (const deadline = Date.now() + CONFIRM_MS; Date.now() < deadline; ) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    const st = await findStatus(statusFile);
    if (st.kind !== 'json' || Date.parse(st.status.time) < sentAt) continue;
    if (heldSyncs(st.status, names).length > 0) continue;
    return true;
  }
  return false;
}
