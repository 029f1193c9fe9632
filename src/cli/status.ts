// `lsyncd-ts status [--json] [STATUSFILE | CONFIG]`: print a running daemon's status file for
// humans (a table per sync: state, lag, queue, last success, last error) or scripts (--json: the
// JSON twin as written, render_json.ts version 1).
//
// Which file is read: src/status/find_status.ts. Without a JSON twin (lsyncd's own file, or the
// twin is missing) the text is shown as is and its "State:" lines decide health; --json then has
// nothing to print (exit 2).
//
// Exit codes (exit_codes.ts; monitoring: "check_lsyncd-ts"): 0 every sync healthy (state running)
// and the file fresh; 1 any sync unhealthy (dead, source-gone, retrying, starting, stopped, or
// held by the mass-delete guard) or the file stale (its daemon is gone, or it was not rewritten
// for max(3 × statusInterval, 30 s)); 2 no status can be read — one line on stderr naming the
// file and the fix.
import { hostname } from 'node:os';

import { findStatus } from '../status/find_status.js';
import { renderSummary } from '../status/summary.js';
import { EXIT_STATUS_HEALTHY, EXIT_STATUS_UNHEALTHY, EXIT_STATUS_UNREADABLE } from './exit_codes.js';
import { err, out } from './output.js';

export interface StatusCommandOptions {
  readonly target: string | undefined;
  readonly json: boolean;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function runStatus(opts: StatusCommandOptions): Promise<number> {
  if (opts.target === undefined) {
    err('lsyncd-ts status: name the status file or the config — e.g. "lsyncd-ts status /etc/lsyncd/lsyncd.conf.lua" (the config needs statusFile in settings{})');
    return EXIT_STATUS_UNREADABLE;
  }
  const f = await findStatus(opts.target);
  if (f.kind === 'error') {
    err(`lsyncd-ts status: ${f.message}`);
    return EXIT_STATUS_UNREADABLE;
  }
  if (f.kind === 'text') {
    if (opts.json) {
      err(`lsyncd-ts status: ${f.file} has no JSON twin (${f.file}.json) — written by lsyncd or an older lsyncd-ts; run without --json to see the text`);
      return EXIT_STATUS_UNREADABLE;
    }
    process.stdout.write(f.raw.endsWith('\n') ? f.raw : `${f.raw}\n`);
    const states = [...f.raw.matchAll(/^State: (\S+)$/gm)].map((m) => m[1]);
    out('');
    out(`(no JSON twin ${f.file}.json: ${states.length > 0 ? 'health from the State: lines' : 'health unknown (lsyncd format)'})`);
    return states.some((s) => s !== 'running') ? EXIT_STATUS_UNHEALTHY : EXIT_STATUS_HEALTHY;
  }
  const summary = renderSummary(f.status, { file: f.file, hostname: hostname(), isAlive });
  if (opts.json) process.stdout.write(f.raw.endsWith('\n') ? f.raw : `${f.raw}\n`);
  else process.stdout.write(summary.text);
  return summary.healthy ? EXIT_STATUS_HEALTHY : EXIT_STATUS_UNHEALTHY;
}
