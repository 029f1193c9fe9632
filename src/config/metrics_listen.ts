// Parses `settings.metrics` ("host:port") into what net.Server.listen() takes.
//
// Accepted: "127.0.0.1:9873", "localhost:9873", "[::1]:9873", "0.0.0.0:9873" (all interfaces —
// only when written out), ":9873" (empty host = loopback 127.0.0.1: the safe reading of an
// omitted host; the metrics endpoint is unauthenticated). Port 0 = an ephemeral port (tests).
// Refused with a one-line message naming the fix: no port ("127.0.0.1"), a non-numeric or
// out-of-range port, an unbracketed IPv6 address.
// It is a config rule (the schema refuses a bad address at load time), so it lives with the
// config; the metrics server (src/metrics/metrics_server.ts) parses the same text with it.
export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

export class ListenAddressError extends Error {}

const FIX = 'write settings.metrics as "host:port", e.g. "127.0.0.1:9873"';
const LISTEN = /^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]*):([^:]*)$/;

/**
 * Why `listen` is not a usable "host:port" (one phrase plus the fix), or undefined when it is.
 * The config schema validates settings.metrics with this, so check-config and start-up agree.
 */
export function listenProblem(listen: string): string | undefined {
  const m = LISTEN.exec(listen.trim());
  if (!m) return `${listen.includes(':') ? 'bad address (IPv6 needs brackets: "[::1]:9873")' : 'no port'} — ${FIX}`;
  const rawPort = m[2]!;
  if (rawPort === '') return `no port — ${FIX}`;
  if (!/^\d+$/.test(rawPort)) return `bad port "${rawPort}" — ${FIX}`;
  if (Number(rawPort) > 65535) return `port ${rawPort} is out of range (0..65535; 0 picks a free port) — ${FIX}`;
  return undefined;
}

export function parseListen(listen: string): ListenAddress {
  const problem = listenProblem(listen);
  if (problem !== undefined) throw new ListenAddressError(`metrics: "${listen}": ${problem}`);
  const m = LISTEN.exec(listen.trim())!;
  const rawHost = m[1]!;
  const host = rawHost === '' ? '127.0.0.1' : rawHost.replace(/^\[(.*)\]$/, '$1');
  return { host, port: Number(m[2]!) };
}
