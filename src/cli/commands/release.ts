// `lsyncd-ts release TARGET [SYNC...]`: release the deletes the mass-delete guard holds
// (src/engine/delete_guard.ts) in a running daemon — all held syncs, or the named ones.
//
// TARGET finds the daemon, decided by content like `status` does: the daemon's config (its
// settings.statusFile, else settings.pidfile), its status file or JSON twin (which carry the pid),
// or its pidfile. The request goes through src/daemon/release_request.ts (a request file + SIGUSR2).
// With a status file the command first checks that something is held and that the names exist,
// then waits (up to CONFIRM_MS) until the daemon has rewritten the status without the hold.
// With only a pidfile it cannot check or confirm: it sends the request and says so.
//
// Exit codes: 0 released (or, with only a pidfile, requested); 1 nothing was held (among the
// named syncs); 2 the daemon cannot be found or signalled, a named sync does not exist, or no
// confirmation came — one line on stderr with the fix.
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import type { Argv } from 'yargs';

import { loadConfig } from '../../config/load_config.js';
import { writeReleaseRequest, RELEASE_SUFFIX } from '../../daemon/release_request.js';
import type { StatusJsonV1 } from '../../status/render_json.js';
import { err, out } from '../output.js';
import { findStatus } from './status.js';
import type { ExitCodeSink } from './types.js';

export const EXIT_RELEASED = 0;
export const EXIT_NOTHING_HELD = 1;
export const EXIT_RELEASE_FAILED = 2;

/** How long the command waits for the daemon to show the release in its status file. */
const CONFIRM_MS = 10_000;
const POLL_MS = 100;

interface Daemon {
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

/** The daemon behind TARGET, or a one-line error. */
async function locate(target: string): Promise<Daemon | string> {
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

const held = (st: StatusJsonV1, names: readonly string[] | undefined) =>
  st.syncs.filter((s) => s.deleteHold != null && (names === undefined || names.includes(s.name)));

export async function runRelease(target: string, names: readonly string[] | undefined): Promise<number> {
  const d = await locate(target);
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
    if (held(d.status, names).length === 0) {
      out(`nothing to release: no ${names === undefined ? '' : 'named '}sync is held by the mass-delete guard`);
      return EXIT_NOTHING_HELD;
    }
  }
  const sentAt = Date.now();
  try {
    writeReleaseRequest(d.requestFile, names);
  } catch (e) {
    err(`lsyncd-ts release: cannot write ${d.requestFile}: ${(e as Error).message} — run as the daemon's user (or root)`);
    return EXIT_RELEASE_FAILED;
  }
  try {
    process.kill(d.pid, 'SIGUSR2');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    err(`lsyncd-ts release: cannot signal pid ${d.pid}: ${code === 'ESRCH' ? 'no such process (the daemon is not running)' : code === 'EPERM' ? 'permission denied (run as the daemon\'s user or root)' : (e as Error).message}`);
    return EXIT_RELEASE_FAILED;
  }
  if (d.status === undefined || d.statusFile === undefined) {
    out(`release requested from pid ${d.pid} (no status file to confirm it; see the daemon's log)`);
    return EXIT_RELEASED;
  }
  const before = held(d.status, names);
  for (const deadline = Date.now() + CONFIRM_MS; Date.now() < deadline; ) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    const st = await findStatus(d.statusFile);
    if (st.kind !== 'json' || Date.parse(st.status.time) < sentAt) continue;
    if (held(st.status, names).length > 0) continue;
    for (const s of before) out(`released ${s.name}: ${s.deleteHold?.deletes ?? 0} held deletes are applied now (those whose paths are still absent from the source)`);
    return EXIT_RELEASED;
  }
  err(`lsyncd-ts release: pid ${d.pid} did not confirm within ${CONFIRM_MS / 1000} s (status ${d.statusFile}.json still shows the hold) — check the daemon's log`);
  return EXIT_RELEASE_FAILED;
}

export function registerRelease(y: Argv, sink: ExitCodeSink): Argv {
  return y.command(
    'release <target> [syncs..]',
    'Release the deletes the mass-delete guard holds (exit 0 released, 1 nothing held, 2 daemon not found / no confirmation)',
    (c) =>
      c
        .positional('target', { type: 'string', demandOption: true, describe: "the daemon's config, status file (or its .json twin) or pidfile" })
        .positional('syncs', { type: 'string', array: true, describe: 'sync names to release (default: every held sync)' })
        .example('$0 release /etc/lsyncd-ts/lsyncd-ts.conf', 'apply the held deletes of every held sync')
        .example('$0 release /run/lsyncd-ts/status www', 'only the sync named "www"'),
    async (argv) => {
      const names = argv.syncs !== undefined && argv.syncs.length > 0 ? argv.syncs.map(String) : undefined;
      sink.exitCode = await runRelease(argv.target, names);
    },
  );
}
