/**
 * Retry timing for `again` exit codes (retried with exponential backoff from `delay`,
 * capped at 5 minutes). lsyncd retries at now + delay, minimum 1 s, forever
 * (docs/lsyncd-compat.md#delay-and-maxdelays, docs/lsyncd-compat.md#exit-codes-of-transfers) — a dead target gets hammered at a fixed rate; here the wait
 * doubles per attempt. Pure: the scheduler passes the result to DelayQueue.complete as `retryAt`.
 */
export const MIN_RETRY_MS = 1000;
export const MAX_RETRY_MS = 5 * 60 * 1000;
/**
 * The cap for connecting again to a target that could not be reached (a connect() probe: the ssh
 * master, an rsync daemon's greeting). A probe transfers nothing and costs the target one TCP
 * connection and handshake, so a target back from an outage is noticed within a minute instead
 * of up to five.
 */
export const MAX_PROBE_RETRY_MS = 60 * 1000;

/** Wait before retry number `attempt` (1 = first retry): max(delay, 1 s) · 2^(attempt-1), capped. */
export function retryDelayMs(attempt: number, delayMs: number, capMs: number = MAX_RETRY_MS): number {
  const base = Math.max(delayMs, MIN_RETRY_MS);
  const exp = Math.min(Math.max(attempt, 1) - 1, 30);
  return Math.min(base * 2 ** exp, Math.max(capMs, base));
}
