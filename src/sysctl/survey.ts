// Count the trees, read the current limits and what other processes use, and recommend:
// the one pipeline behind `lsyncd-ts sysctl` and check-config's "watch limit too low" warning.
import { countWatchedDirs, type DirCount } from './count_dirs.js';
import { readInotifyLimits, type InotifyLimits } from './inotify_limits.js';
import { readInotifyUsage, type InotifyUsage } from './inotify_usage.js';
import type { SystemRoot } from './proc_root.js';
import { recommendLimits, type Recommendation } from './recommend.js';
import type { WatchTree } from './trees.js';

export interface TreeCount {
  tree: WatchTree;
  count: DirCount;
}

export interface Survey {
  counts: TreeCount[];
  dirs: number;
  /** Walk time in milliseconds. */
  ms: number;
  limits: InotifyLimits;
  usage: InotifyUsage;
  recommendation: Recommendation;
  /** True when a walk stopped early (stopAfter): `dirs` is then a lower bound. */
  truncated: boolean;
}

export interface SurveyOptions {
  readonly root: SystemRoot;
  readonly uid: number;
  readonly selfPid: number;
  /**
   * Stop walking once the total exceeds what the current limit leaves free (check-config only
   * needs "too low or not"; keeps it cheap on huge trees).
   */
  readonly stopWhenTooLow?: boolean;
}

export function surveyTrees(trees: readonly WatchTree[], opts: SurveyOptions): Survey {
  const limits = readInotifyLimits(opts.root);
  const usage = readInotifyUsage(opts.root, { uid: opts.uid, selfPid: opts.selfPid });
  const free = limits.max_user_watches === undefined ? undefined : limits.max_user_watches - usage.watches;
  const t0 = performance.now();
  const counts: TreeCount[] = [];
  let dirs = 0;
  let truncated = false;
  for (const tree of trees) {
    const stopAfter = opts.stopWhenTooLow === true && free !== undefined ? Math.max(0, free - dirs) : undefined;
    const count = countWatchedDirs(tree.path, { ...(tree.rules !== undefined ? { rules: tree.rules } : {}), ...(stopAfter !== undefined ? { stopAfter } : {}) });
    counts.push({ tree, count });
    dirs += count.dirs;
    if (count.truncated) {
      truncated = true;
      break;
    }
  }
  const ms = performance.now() - t0;
  const recommendation = recommendLimits({ dirs, trees: trees.length, current: limits, inUse: usage });
  return { counts, dirs, ms, limits, usage, recommendation, truncated };
}
