// Whether an rsync destination holds anything — asked by the mass-delete guard only when the
// source is empty before a full transfer (src/engine/delete_guard.ts). One `rsync --list-only
// DEST/` (no -r: only the top level is listed), which works for local paths, host:path (with
// the sync's ssh options: `extraRsh`) and rsync:// alike, with the connection options of the
// sync's rsync{} table (rsh, rsync_path, password_file, timeout, protect_args, ipv4/ipv6) and
// none that would change what is listed.
// Answer: true when an entry other than "." is listed; false when the listing is empty or the
// destination does not exist yet (rsync exit 23 with "No such file or directory"); undefined
// when rsync could not tell (unreachable host, no rsync, ...): the guard then assumes it holds
// something.
import { runCommand } from '../../process/process_runner.js';
import type { TransferContext } from '../transport.js';
import { expandArchive, rsyncBinary, type RsyncTable } from './flags.js';

/** The name column of one `--list-only` line ("drwxr-xr-x  4,096 2026/12/06 22:00:00 NAME"). */
const LIST_LINE = /^\S{10}\s+[\d,.]+\s+\S+\s+\S+\s(.*)$/;

export async function rsyncTargetHasEntries(
  input: { readonly rsync: RsyncTable; readonly target: string; readonly extraRsh?: string | undefined },
  ctx: TransferContext,
): Promise<boolean | undefined> {
  const t = expandArchive(input.rsync);
  const args = ['--list-only'];
  if (t.protect_args === true) args.push('-s');
  if (t.ipv4 === true) args.push('-4');
  if (t.ipv6 === true) args.push('-6');
  if (t.rsh !== undefined) args.push(`--rsh=${t.rsh}`);
  if (input.extraRsh !== undefined) args.push(input.extraRsh);
  if (t.rsync_path !== undefined) args.push(`--rsync-path=${t.rsync_path}`);
  if (t.password_file !== undefined) args.push(`--password-file=${t.password_file}`);
  if (t.timeout !== undefined) args.push(`--timeout=${t.timeout}`);
  args.push(input.target.endsWith('/') || input.target.endsWith(':') ? input.target : `${input.target}/`);
  let listed = false;
  const res = await runCommand(
    { binary: rsyncBinary(input.rsync), args, stdin: undefined },
    {
      signal: ctx.signal,
      onLine: (stream, line) => {
        if (stream !== 'stdout') return;
        const name = LIST_LINE.exec(line)?.[1];
        if (name !== undefined && name !== '.') listed = true;
      },
    },
  );
  if (res.spawnError !== undefined || res.code === null) return undefined;
  if (res.code === 0) return listed;
  if (res.code === 23 && /No such file or directory/.test(res.stderrTail)) return false;
  return undefined;
}
