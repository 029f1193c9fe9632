// waitFor: polls a condition until it holds or the timeout passes — the one way tests wait for
// something another process or thread does (never a fixed sleep as synchronisation).
export async function waitFor(cond: () => boolean, what: string, timeoutMs = 30_000, pollMs = 20): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
