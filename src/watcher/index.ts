// The inotify watcher: typed wrapper around the native addon.
export { Watcher, type AddResult, type BatchHandler, type WatchRule, type WatcherOptions } from './watcher.js';
export { EventBatch, type WatchRecord } from './event_batch.js';
export { RecordKind, RecordFlag, type RecordKindName } from './record_kind.js';
export { InotifyModes, type InotifyMode } from './inotify_mode.js';
export { WatchError, watchErrorMessage } from './watch_errors.js';
