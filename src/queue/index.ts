/** Public surface of the delay queue (see the per-file headers for semantics). */
export type { Delay, DelayKind, EventKind, PathEventKind, QueueEvent } from './events.js';
export { type CollapseAction, collapse } from './collapse_table.js';
export { type Batch, type BatchOptions, type DelayQueueOptions, type Outcome, DelayQueue } from './delay_queue.js';
export { MAX_PROBE_RETRY_MS, MAX_RETRY_MS, MIN_RETRY_MS, retryDelayMs } from './retry_backoff.js';
