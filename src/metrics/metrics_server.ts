// Metrics and health endpoint (`settings.metrics = "host:port"`; off when unset — the caller only
// starts this when the setting is present). Plain node:http, no framework.
//
//   GET /metrics  → 200, Prometheus text format 0.0.4 (prometheus.ts), computed per scrape from
//                   source.snapshot() — nothing is cached, so a scrape is never stale
//   GET /healthz  → 200 "ok" when every sync is healthy (state running, status/format.ts
//                   syncHealth), else 503 with one line per unhealthy sync: `<name>: <reason>`;
//                   503 "no syncs" while there are none (e.g. before the engine has started)
//   HEAD of both  → the same status and headers without a body
//   other methods on those paths → 405 (Allow: GET, HEAD); any other path → 404
//
// The listen address is exactly what the config says (parseListen: the config's default and an
// empty host mean loopback; the endpoint is unauthenticated, so exposing it is an explicit
// choice). Port 0 binds an ephemeral port; the bound address is returned. Listen failures
// (EADDRINUSE, EACCES, unknown host) reject with one line naming the address and the fix.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { SyncSnapshot } from '../engine/engine.js';
import type { Log } from '../log/log.js';
import { lineSafe, syncHealth } from '../status/format.js';
import { parseListen, type ListenAddress } from '../config/metrics_listen.js';
import { renderMetrics } from './prometheus.js';

export interface MetricsSource {
  snapshot(): readonly SyncSnapshot[];
}

export interface MetricsServerOptions {
  /** settings.metrics: "host:port". */
  readonly listen: string;
  readonly log: Log;
}

export interface MetricsServer {
  /** The bound address (the real port when 0 was asked for). */
  readonly address: ListenAddress;
  /** Stops listening and drops open (keep-alive) connections. */
  close(): Promise<void>;
}

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** /healthz body and status from a snapshot. */
export function healthReport(syncs: readonly SyncSnapshot[], now: number = Date.now()): { status: 200 | 503; body: string } {
  if (syncs.length === 0) return { status: 503, body: 'no syncs (not started yet)\n' };
  const bad: string[] = [];
  for (const s of syncs) {
    const h = syncHealth(s.status, now);
    if (!h.healthy) bad.push(`${lineSafe(s.status.name)}: ${h.reason}`);
  }
  return bad.length === 0 ? { status: 200, body: 'ok\n' } : { status: 503, body: `${bad.join('\n')}\n` };
}

function processStartSeconds(): number {
  return Math.round(performance.timeOrigin) / 1000;
}

export async function startMetricsServer(source: MetricsSource, opts: MetricsServerOptions): Promise<MetricsServer> {
  const want = parseListen(opts.listen);
  const startTimeSeconds = processStartSeconds();

  const send = (req: IncomingMessage, res: ServerResponse, status: number, type: string, body: string, extra: Record<string, string> = {}): void => {
    res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store', ...extra });
    res.end(req.method === 'HEAD' ? undefined : body);
  };

  const server = createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    if (url !== '/metrics' && url !== '/healthz') {
      send(req, res, 404, 'text/plain; charset=utf-8', 'not found: try /metrics or /healthz\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(req, res, 405, 'text/plain; charset=utf-8', 'method not allowed\n', { Allow: 'GET, HEAD' });
      return;
    }
    try {
      const snaps = source.snapshot();
      if (url === '/metrics') {
        const body = renderMetrics(snaps, { rssBytes: process.memoryUsage.rss(), startTimeSeconds });
        send(req, res, 200, PROMETHEUS_CONTENT_TYPE, body);
      } else {
        const h = healthReport(snaps);
        send(req, res, h.status, 'text/plain; charset=utf-8', h.body);
      }
    } catch (e) {
      opts.log.error(`metrics: ${url}: ${(e as Error).message}`);
      send(req, res, 500, 'text/plain; charset=utf-8', 'internal error\n');
    }
  });
  server.keepAliveTimeout = 5000;

  await new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException): void => {
      const hint =
        e.code === 'EADDRINUSE' ? 'the port is in use — pick another in settings.metrics'
        : e.code === 'EACCES' ? 'permission denied — use a port above 1023'
        : e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND' ? 'no such local address — fix the host in settings.metrics'
        : 'fix settings.metrics';
      reject(new Error(`metrics: cannot listen on ${opts.listen}: ${e.code ?? e.message} (${hint})`));
    };
    server.once('error', onError);
    server.listen(want.port, want.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  server.on('error', (e) => opts.log.error(`metrics: ${e.message}`));
  const bound = server.address() as AddressInfo;
  const address: ListenAddress = { host: bound.address, port: bound.port };
  opts.log.normal(`metrics: serving /metrics and /healthz on http://${bound.family === 'IPv6' ? `[${bound.address}]` : bound.address}:${bound.port}/`);

  let closing: Promise<void> | null = null;
  return {
    address,
    close(): Promise<void> {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
