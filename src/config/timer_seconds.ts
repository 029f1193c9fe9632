// Settings measured in seconds that end up in a Node.js timer (sync `delay`, which also scales the
// retry backoff, and settings `statusInterval`). Node.js timers hold at most 2^31-1 ms (about
// 24.8 days): a longer one fires after 1 ms with a TimeoutOverflowWarning, so an overlong delay
// would spin instead of waiting. Such values are rejected with the bound, never clamped: a
// silently shortened delay would be a different config from the one written.
//
// One validator (`timerSecondsSchema`) serves every config format through schema.ts, and
// `parseTimerSecondsArg` is the one reading of a command-line value (-delay and --delay both hand
// it the text as typed): a number as lsyncd reads its `-delay` (Lua's `secs + 0`): decimal with an
// optional fraction and exponent (`5`, `0.5`, `.5`, `1e3`) or hex (`0x10`); no sign, so a
// negative value is refused with the same message as a word. Then the same bounds as the schema.
import { z } from 'zod';

/** The longest whole number of seconds a Node.js timer can hold: floor((2^31 - 1) / 1000). */
export const MAX_TIMER_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

const boundMessage = `must be at most ${MAX_TIMER_SECONDS} seconds (about 24.8 days, the longest timer Node.js can hold)`;

export const timerSecondsSchema = z.number().min(0, 'must be a number >= 0').max(MAX_TIMER_SECONDS, boundMessage);

/** A command-line seconds value as typed (`option` names it, e.g. "-delay"): the seconds, or the one-line error. */
export function parseTimerSecondsArg(option: string, text: string): { seconds: number } | { error: string } {
  if (!/^(?:(?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?|0x[\da-f]+)$/i.test(text)) {
    return { error: `${option} needs a number of seconds >= 0, got "${text}"` };
  }
  const seconds = Number(text);
  if (seconds > MAX_TIMER_SECONDS) return { error: `${option} ${String(seconds)}: ${boundMessage}` };
  return { seconds };
}
