// startDatagramReceiver: a real AF_UNIX datagram socket for tests of syslog(3) and sd_notify —
// Node cannot bind one, so a small python3 process binds it (a path, or '@name' for the abstract
// namespace) and reports every datagram as a JSON line as it arrives. Resolves once the socket is
// bound; the process is killed when the test ends.
import { spawn } from 'node:child_process';
import type { TestContext } from 'node:test';

export interface DatagramReceiver {
  /** Datagrams received so far, in order. */
  messages(): string[];
}

const SCRIPT = `
import socket, sys, json
p = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind('\\0' + p[1:] if p.startswith('@') else p)
print('ready', flush=True)
while True:
    print(json.dumps(s.recv(65536).decode('utf-8', 'replace')), flush=True)
`;

export function startDatagramReceiver(t: TestContext, socketPath: string): Promise<DatagramReceiver> {
  const child = spawn('python3', ['-c', SCRIPT, socketPath], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const messages: string[] = [];
  let buf = '';
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`datagram receiver exited (${code}) before binding ${socketPath}`)));
    child.stdout.on('data', (c: Buffer) => {
      buf += c.toString();
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line === 'ready') resolve({ messages: () => messages });
        else messages.push(JSON.parse(line) as string);
      }
    });
  });
}
