/** The inotify sysctl helper: count watched directories, read and recommend limits, apply them. */
export { type CountOptions, type DirCount, countWatchedDirs } from './count_dirs.js';
export { INOTIFY_LIMIT_NAMES, type InotifyLimitName, type InotifyLimits, procSysFile, readInotifyLimits, sysctlKey } from './inotify_limits.js';
export { type InotifyUsage, readInotifyUsage } from './inotify_usage.js';
export { SYSCTL_ROOT_ENV, type SystemRoot, systemPath, systemRoot } from './proc_root.js';
export {
  BYTES_PER_WATCH,
  type LimitAdvice,
  type LimitStatus,
  type Recommendation,
  type RecommendInput,
  changesOf,
  recommendLimits,
  roundUp,
} from './recommend.js';
export { SYSCTL_CONF_PATH, humanBytes, limitsTable, memoryNote, sysctlConf, sysctlWLines } from './render.js';
export { type ApplyResult, applySysctl } from './apply.js';
export { type RuleProblem, type SyncRules, loadSyncRules } from '../filters/sync_rules.js';
export { type TreeProblem, type WatchTree, resolveDirectory, treesFromConfig, treesFromDirs } from './trees.js';
export { type Survey, type SurveyOptions, type TreeCount, surveyTrees } from './survey.js';
