// tunnel{} (lsyncd 2.3) → NormalizedTunnel (schema.ts): lsyncd's defaults and the rules lsyncd-ts
// adds, each with a one-line error naming the fix. Pure; normalize.ts calls it per sync.
//
// What lsyncd 2.3 does with a tunnel (lsyncd.lua, Tunnel): starts `command`, counts it ready once
// it has run `readyDelay` seconds (5), holds the sync's transfers until then, restarts it when it
// dies (after `retryDelay`, 10 s, when it failed while starting), and kills it at exit.
// Differences, each deliberate:
//   - `checkport` (lsyncd-ts): ready once 127.0.0.1:PORT accepts a TCP connection — a forward
//     that is really listening, not merely a process that has not died yet.
//   - mode = "pool" (several tunnel processes, each on a free local port substituted for
//     ^localport in the command and the target, transfers spread round-robin) is refused: the
//     transports build one target per sync. So is `parallel` above 1, which in lsyncd's command
//     mode starts identical copies of the command (the same forward twice). And so is ^localport,
//     which lsyncd only fills in pool mode: write the port itself.
//   - checkCommand / checkExitCodes / checkMaxFailed are declared by lsyncd 2.3 but never run:
//     accepted with a warning and ignored (checkport is what checks).
//   - A command string is split on blanks, as lsyncd's splitStr does; quotes are refused (write a
//     list instead) rather than guessed.
import type { PathSegment } from './diagnostics.js';
import type { NormalizedTunnel, TunnelConfig } from './schema.js';

export const TUNNEL_DEFAULTS = { readyDelay: 5, retryDelay: 10, localhost: 'localhost' } as const;

type Report = (path: PathSegment[], msg: string) => void;

/** `at` is the tunnel's key path (…, 'tunnel'); undefined when an error was reported. */
export function normalizeTunnel(raw: TunnelConfig, syncName: string, at: PathSegment[], err: Report, warn: Report): NormalizedTunnel | undefined {
  let ok = true;
  if (raw.mode === 'pool') {
    ok = false;
    err([...at, 'mode'], 'mode = "pool" is not supported by lsyncd-ts (the transports use one target per sync) — use mode = "command" with the local port written into command and target');
  }
  if (raw.parallel !== undefined && raw.parallel > 1) {
    ok = false;
    err([...at, 'parallel'], 'parallel > 1 needs mode = "pool", which lsyncd-ts does not support — remove parallel (one tunnel process per sync)');
  }
  let command: string[];
  if (typeof raw.command === 'string') {
    if (/["']/.test(raw.command)) {
      ok = false;
      err([...at, 'command'], 'quotes in a command string are not split by lsyncd-ts — write the command as a list, e.g. { "ssh", "-N", "-L", "8873:localhost:873", "host" }');
    }
    command = raw.command.trim().split(/\s+/);
  } else command = [...raw.command];
  if (command.some((a) => a.includes('^localport'))) {
    ok = false;
    err([...at, 'command'], '^localport is only filled in by lsyncd\'s mode = "pool", which lsyncd-ts does not support — write the local port itself');
  }
  for (const k of ['checkCommand', 'checkExitCodes', 'checkMaxFailed'] as const) {
    if (raw[k] !== undefined) warn([...at, k], 'lsyncd 2.3 declares it but never runs a check command; ignored — set checkport = PORT to wait for the forward to listen');
  }
  if (!ok) return undefined;
  const localhost = raw.localhost ?? TUNNEL_DEFAULTS.localhost;
  return {
    name: raw.name ?? `${syncName} tunnel`,
    command: command.map((a) => a.split('^localhost').join(localhost)),
    checkport: raw.checkport,
    readyDelay: raw.readyDelay ?? TUNNEL_DEFAULTS.readyDelay,
    retryDelay: raw.retryDelay ?? TUNNEL_DEFAULTS.retryDelay,
  };
}
