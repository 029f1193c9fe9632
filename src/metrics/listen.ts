// Parses `settings.metrics` ("host:port") into what net.Server.listen() takes.
//
// Accepted: "127.0.0.1:9873", "localhost:9873", "[::1]:9873", "0.0.0.0:9873" (all interfaces —
// only when written out), ":9873" (empty host = loopback 127.0.0.1: the safe reading of an
// omitted host; the metrics endpoint is unauthenticated). Port 0 = an ephemeral port (tests).
// Refused with a one-line message naming the fix: no port ("127.0.0.1"), a non-numeric or
// out-of-range port, an unbracketed IPv6 address.
export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

export class ListenAddressError extends Error {}

export function parseListen(listen: string): ListenAddress {
  const fix = 'write settings.metrics as "host:port", e.g. "127.0.0.1:9873"';
  const m = /^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]*):([^:]*)$/.exec(listen.trim());
  if (!m) {
    const why = listen.includes(':') ? 'bad address (IPv6 needs brackets: "[::1]:9873")' : 'no port';
    throw new ListenAddressError(`metrics: "${listen}": ${why} — ${fix}`);
  }
  const rawHost = m[1]!;
  const rawPort = m[2]!;
  if (!/^\d{1,5}$/.test(rawPort) || Number(rawPort) > 65535) {
    throw new ListenAddressError(`metrics: "${listen}": ${rawPort === '' ? 'no port' : `bad port "${rawPort}"`} — ${fix}`);
  }
  const host = rawHost === '' ? '127.0.0.1' : rawHost.replace(/^\[(.*)\]$/, '$1');
  return { host, port: Number(rawPort) };
}
