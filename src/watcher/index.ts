// The inotify watcher: typed wrapper around the native addon.
export { Watcher, createWatcher } from './watcher.js';
export type { AddResult, BatchHandler, RewatchResult, WatchRule, WatcherFactory, WatcherOptions, WatcherPort, WatcherStats } from './watcher_port.js';
export { EventBatch, type WatchRecord } from './event_batch.js';
export { RecordKind, RecordFlag, type RecordKindName } from './record_kind.js';
export { InotifyModes, type InotifyMode } from './inotify_mode.js';
export { WatchError, watchErrorMessage } from './watch_errors.js';
