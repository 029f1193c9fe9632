// stuckServer(t): a TCP server on 127.0.0.1 that stands in for a remote target which accepts
// connections and never says a word (a hung sshd: the kernel completes the handshake, nothing
// answers). `forwardTo(port)` turns it into a plain TCP relay to a real server (the target is
// back); `stall()` turns it back into a silent one and cuts every connection it holds (the link
// died under an established ssh master).
//
// Contract:
//   - `port` is fixed for the server's life, so a sync configured with it keeps the same target
//     while the server changes behaviour underneath;
//   - `pending()` counts accepted connections that are held silent right now (a client still
//     waiting for a banner);
//   - `banner`: written to each held connection first (a server that greets, then stalls);
//   - everything is closed when the test ends (t.after).
import net from 'node:net';
import type { TestContext } from 'node:test';

export interface StuckServer {
  readonly port: number;
  /** Accepted connections held without an answer, now. */
  pending(): number;
  /** Every new connection is relayed to 127.0.0.1:`port`. */
  forwardTo(port: number): void;
  /** New connections are held silent again; open ones (relayed or held) are cut. */
  stall(): void;
}

export async function stuckServer(t: TestContext, opts: { readonly banner?: string } = {}): Promise<StuckServer> {
  let forward: number | undefined;
  const held = new Set<net.Socket>();
  const open = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    open.add(sock);
    sock.on('close', () => {
      open.delete(sock);
      held.delete(sock);
    });
    sock.on('error', () => sock.destroy());
    if (forward === undefined) {
      held.add(sock);
      if (opts.banner !== undefined) sock.write(opts.banner);
      return;
    }
    const upstream = net.connect({ host: '127.0.0.1', port: forward });
    open.add(upstream);
    upstream.on('close', () => {
      open.delete(upstream);
      sock.destroy();
    });
    upstream.on('error', () => upstream.destroy());
    sock.on('close', () => upstream.destroy());
    sock.pipe(upstream);
    upstream.pipe(sock);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('stuck server: no TCP address');
  t.after(
    () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  );
  return {
    port: addr.port,
    pending: () => held.size,
    forwardTo: (port) => {
      forward = port;
    },
    stall: () => {
      forward = undefined;
      for (const s of open) s.destroy();
    },
  };
}
