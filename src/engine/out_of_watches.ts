// Start-up without enough inotify watches or instances: the one-line reason the daemon exits
// with (255, like lsyncd's "Terminating since out of inotify watches"), naming the sysctl, the
// value this config needs and the helper command that sets it.
//
// Contract:
//   - isWatchShortage(errno): ENOSPC (watches), EMFILE (instances) and ENOMEM (kernel memory for
//     watches) — the errnos a raised limit or a retry can cure; everything else (EACCES, ...) is
//     a per-directory problem that retrying does not fix;
//   - the same shortage in a sync a reload adds rejects that reload: the text then says so
//     without "Terminating";
//   - outOfWatchesMessage() counts the directories of the whole config (src/sysctl, the same
//     survey as `lsyncd-ts sysctl`) only on this failure path, so a normal start-up never pays
//     for a second walk;
//   - the current value shown is the effective one: inside a user namespace the kernel applies
//     the namespace's own /proc/sys/user/max_inotify_* as well, which fs.inotify.* does not show.
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';

import type { NormalizedConfig } from '../config/schema.js';
import { sysctlKey } from '../sysctl/inotify_limits.js';
import { systemPath, systemRoot } from '../sysctl/proc_root.js';
import { surveyTrees } from '../sysctl/survey.js';
import { treesFromConfig } from '../sysctl/trees.js';

const E = constants.errno;

export function isWatchShortage(errno: number): boolean {
  return errno === E.ENOSPC || errno === E.EMFILE || errno === E.ENOMEM;
}

export interface OutOfWatches {
  readonly sync: string;
  /** The directory that could not be watched ('' for an inotify instance). */
  readonly path: string;
  readonly errno: number;
  /** What `lsyncd-ts sysctl --apply` is given: the config file, or the sources of command-line syncs. */
  readonly sysctlTarget: string;
  /** The daemon's start-up (it ends), as opposed to a reload (the old configuration keeps running). */
  readonly atStartup: boolean;
}

function readNumber(file: string): number | undefined {
  try {
    const v = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
    return Number.isFinite(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** The one-line start-up failure (see the header). */
export function outOfWatchesMessage(config: NormalizedConfig, f: OutOfWatches): string {
  const instances = f.errno === E.EMFILE;
  const root = systemRoot();
  const limit = instances ? 'max_user_instances' : 'max_user_watches';
  let needed: number | undefined;
  let current: number | undefined;
  try {
    const survey = surveyTrees(treesFromConfig(config).trees, { root, uid: process.getuid?.() ?? 0, selfPid: process.pid });
    const advice = instances ? survey.recommendation.instances : survey.recommendation.watches;
    needed = advice.needed;
    current = advice.current;
  } catch {
    // Counting is best effort: the message still names the sysctl and the helper.
  }
  const ns = readNumber(systemPath(root, `/proc/sys/user/max_inotify_${instances ? 'instances' : 'watches'}`));
  const inNamespace = ns !== undefined && (current === undefined || ns < current);
  const now = inNamespace ? `${ns} in this user namespace (user.max_inotify_${instances ? 'instances' : 'watches'})` : current !== undefined ? String(current) : 'unknown';
  const what = f.errno === E.ENOMEM ? 'the kernel is out of memory for inotify watches' : `${sysctlKey(limit)} needs at least ${needed ?? 'more'}, it is ${now}`;
  const where = instances ? 'cannot create an inotify instance' : `cannot watch ${f.path}`;
  return (
    `${f.atStartup ? 'Terminating since out' : 'Out'} of inotify ${instances ? 'instances' : 'watches'}: ${f.sync}: ${where} (${what}) — ` +
    `raise it with \`lsyncd-ts sysctl --apply ${f.sysctlTarget}\` as root, or set insist = true to start degraded and retry`
  );
}
