// Signal routing for the running daemon (docs/lsyncd-compat.md#signals-and-exit-codes).
//
// Contract: installSignals(handlers) → uninstall().
//   TERM / INT → handlers.stop('SIGTERM' | 'SIGINT'), once (a second one is ignored: the grace
//                is already bounded; lsyncd exits 143 / 130);
//   HUP        → handlers.reload() (lsyncd: a full restart, lsyncd#580 — here: re-read and apply the
//                difference, src/engine/reload_plan.ts). Several HUPs during one reload coalesce into
//                one more reload afterwards, so the last edit always wins and nothing runs twice
//                concurrently;
//   USR1       → handlers.reopenLog() (logrotate). Installing a listener also stops Node from
//                treating USR1 as "start the inspector".
//   USR2       → handlers.release(): release the deletes the mass-delete guard holds
//                (`lsyncd-ts release`, src/daemon/release_request.ts).
// Handlers are installed before start-up, so a TERM during start-up is not lost.
export type StopSignal = 'SIGTERM' | 'SIGINT';

export interface SignalHandlers {
  stop(sig: StopSignal): void;
  reload(): Promise<void>;
  reopenLog(): void;
  release(): void;
}

export const SIGNAL_EXIT: Readonly<Record<StopSignal, number>> = { SIGTERM: 143, SIGINT: 130 };

export function installSignals(h: SignalHandlers): () => void {
  let stopping = false;
  let reloading = false;
  let again = false;
  const onStop = (sig: StopSignal) => {
    if (stopping) return;
    stopping = true;
    h.stop(sig);
  };
  const runReload = () => {
    if (stopping) return;
    if (reloading) {
      again = true;
      return;
    }
    reloading = true;
    void h
      .reload()
      .catch(() => undefined)
      .finally(() => {
        reloading = false;
        if (again && !stopping) {
          again = false;
          runReload();
        }
      });
  };
  const onTerm = () => onStop('SIGTERM');
  const onInt = () => onStop('SIGINT');
  const onHup = () => runReload();
  const onUsr1 = () => h.reopenLog();
  const onUsr2 = () => {
    if (!stopping) h.release();
  };
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onInt);
  process.on('SIGHUP', onHup);
  process.on('SIGUSR1', onUsr1);
  process.on('SIGUSR2', onUsr2);
  return () => {
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onInt);
    process.off('SIGHUP', onHup);
    process.off('SIGUSR1', onUsr1);
    process.off('SIGUSR2', onUsr2);
  };
}
