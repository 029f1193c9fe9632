// Settings measured in seconds that end up in a Node.js timer (sync `delay`, which also scales the
// retry backoff, and settings `statusInterval`). Node.js timers hold at most 2^31-1 ms (about
// 24.8 days): a longer one fires after 1 ms with a TimeoutOverflowWarning, so an overlong delay
// would spin instead of waiting. Such values are rejected with the bound, never clamped: a
// silently shortened delay would be a different config from the one written.
//
// One validator (`timerSecondsSchema`) serves every config format through schema.ts, and
// `checkTimerSecondsArg` applies the same rule to -delay / --delay on the command line.
import { z } from 'zod';

/** The longest whole number of seconds a Node.js timer can hold: floor((2^31 - 1) / 1000). */
export const MAX_TIMER_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

const boundMessage = `must be at most ${MAX_TIMER_SECONDS} seconds (about 24.8 days, the longest timer Node.js can hold)`;

export const timerSecondsSchema = z.number().min(0, 'must be a number >= 0').max(MAX_TIMER_SECONDS, boundMessage);

/** The error for a command-line seconds value (`option` names it, e.g. "-delay"), or undefined when valid. */
export function checkTimerSecondsArg(option: string, value: string | number): string | undefined {
  const n = typeof value === 'number' ? value : /^\d+(\.\d+)?$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isFinite(n) || n < 0) return `${option} needs a number of seconds >= 0, got "${String(value)}"`;
  if (n > MAX_TIMER_SECONDS) return `${option} ${String(value)}: ${boundMessage}`;
  return undefined;
}
