// killOnAbort: when `signal` aborts, ask a child to stop (SIGTERM), then force it (SIGKILL) after
// `killAfterMs` — the shutdown escalation of both process runners (process_runner.ts and
// src/transports/actions/run_action.ts, which kills a whole process group). Returns a dispose
// function to call once the child has ended: it removes the listener and the pending SIGKILL.
export function killOnAbort(
  signal: AbortSignal | undefined,
  kill: (sig: NodeJS.Signals) => void,
  killAfterMs = 5000,
): () => void {
  let timer: NodeJS.Timeout | undefined;
  const onAbort = () => {
    kill('SIGTERM');
    timer = setTimeout(() => kill('SIGKILL'), killAfterMs);
    timer.unref();
  };
  if (signal) {
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  }
  return () => {
    if (timer) clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  };
}
