// A TCP port on 127.0.0.1 that was free a moment ago, for the servers the tests start (sshd,
// rsync daemon). The server is started on it right away; a lost race shows as its start error.
import net from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}
