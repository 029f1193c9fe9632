// Fixture for the rsyncssh transport tests: a real loopback sshd (test/helpers/sshd.ts), source
// and target dirs, a NormalizedRsyncsshSync pointing at them, a counting ssh wrapper (every ssh
// invocation — ours and rsync's --rsh — appends its argv to a log, then execs /usr/bin/ssh),
// and byte-exact tree snapshots (names as bytes, content, symlink targets, modes).
import { lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import type { TestContext } from 'node:test';

import { resolveRsyncOptions } from '../../../src/config/normalize.js';
import { RSYNC_EXIT_CODES, SSH_EXIT_CODES } from '../../../src/config/defaults.js';
import type { DeleteMode, NormalizedRsyncsshSync } from '../../../src/config/schema.js';
import { memoryLog } from '../../../src/log/log.js';
import type { TransferContext } from '../../../src/transports/transport.js';
import type { SyncPath } from '../../../src/paths/byte_path.js';
import type { Delay, DelayKind, QueueEvent } from '../../../src/queue/events.js';
import { loadSyncRules } from '../../../src/filters/sync_rules.js';
import { RsyncsshTransport, SshMasterRegistry } from '../../../src/transports/rsyncssh/index.js';
import { startSshd, type Sshd } from '../../helpers/sshd.js';
import { tempDir } from '../../helpers/temp_tree.js';

export interface Fixture {
  readonly sshd: Sshd;
  readonly src: string;
  readonly dst: string;
  readonly sync: NormalizedRsyncsshSync;
  readonly transport: RsyncsshTransport;
  readonly registry: SshMasterRegistry;
  readonly ctx: TransferContext;
  readonly log: ReturnType<typeof memoryLog>;
  /** argv lines of every ssh invocation so far. */
  sshCalls(): string[];
}

export interface FixtureOptions {
  readonly delete?: DeleteMode;
  readonly exclude?: string[];
  readonly filter?: string[];
}

export async function fixture(t: TestContext, opts: FixtureOptions = {}): Promise<Fixture> {
  const sshd = await startSshd(t);
  const root = tempDir(t, 'lsyncd-ts-rsyncssh-');
  const src = path.join(root, 'src');
  const dst = path.join(root, 'dst');
  mkdirSync(src);
  mkdirSync(dst);
  const callLog = path.join(root, 'ssh-calls.log');
  const wrapper = path.join(root, 'ssh-counting');
  writeFileSync(wrapper, `#!/bin/sh\nprintf '%s\\n' "$*" >> '${callLog}'\nexec /usr/bin/ssh "$@"\n`, { mode: 0o755 });
  const sync: NormalizedRsyncsshSync = {
    index: 1,
    name: 'rsyncssh-test',
    source: `${src}/`,
    delay: 0,
    maxDelays: 1000,
    maxProcesses: 1,
    maxBacklog: 10_000,
    init: true,
    delete: opts.delete ?? true,
    exclude: opts.exclude ?? [],
    excludeFrom: undefined,
    filter: opts.filter ?? [],
    filterFrom: undefined,
    batchSizeLimit: undefined,
    deleteGuard: false,
    verifyInterval: undefined,
    verifyRepair: false,
    line: undefined,
    mode: 'rsyncssh',
    host: `${sshd.user}@${sshd.host}`,
    targetdir: `${dst}/`,
    rsync: resolveRsyncOptions({ perms: true }),
    ssh: { binary: wrapper, ...sshd.sshTable },
    connectTimeout: 10,
    rsyncExitCodes: { ...RSYNC_EXIT_CODES },
    sshExitCodes: { ...SSH_EXIT_CODES },
  };
  const loaded = loadSyncRules(sync);
  if (loaded.rules === undefined) throw new Error(`bad rules: ${JSON.stringify(loaded.problems)}`);
  const registry = new SshMasterRegistry();
  const transport = new RsyncsshTransport(sync, { rules: loaded.rules, hasFilters: loaded.hasFilters }, { masters: registry });
  t.after(() => transport.close());
  const log = memoryLog();
  const ctx: TransferContext = { log, signal: new AbortController().signal };
  return {
    sshd,
    src,
    dst,
    sync,
    transport,
    registry,
    ctx,
    log,
    sshCalls: () => (existsSync(callLog) ? readFileSync(callLog, 'utf8').split('\n').filter((l) => l !== '') : []),
  };
}

let seq = 0;
/** A Delay as the queue hands it out (paths root-relative, dirs with a trailing '/'). */
export function delay(kind: DelayKind, p: SyncPath, destination?: SyncPath, fromMove = false): Delay {
  const b = typeof p === 'string' ? p : p.toString('latin1');
  return {
    seq: ++seq,
    kind,
    path: p,
    destination,
    isDir: b.endsWith('/'),
    alarm: 0,
    status: 'active',
    fromMove,
    attempts: 0,
    reason: undefined,
  };
}

/** The Delay the queue would hand out for a re-queued event. */
export function delayOf(e: QueueEvent): Delay {
  return e.kind === 'Move' ? delay('Move', e.path, e.destination) : delay(e.kind, e.path, undefined, e.fromMove === true);
}

/** Byte-exact snapshot: sorted "relpath(latin1) type mode content/target" lines. */
export function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (abs: Buffer, rel: string) => {
    for (const name of readdirSync(abs, { encoding: 'buffer' })) {
      const p = Buffer.concat([abs, Buffer.from('/'), name]);
      const r = `${rel}/${name.toString('latin1')}`;
      const st = lstatSync(p);
      const mode = (st.mode & 0o7777).toString(8);
      if (st.isSymbolicLink()) out.push(`${r} l ${readlinkSync(p, { encoding: 'buffer' }).toString('latin1')}`);
      else if (st.isDirectory()) {
        out.push(`${r} d ${mode}`);
        walk(p, r);
      } else out.push(`${r} f ${mode} ${readFileSync(p).toString('latin1')}`);
    }
  };
  walk(Buffer.from(dir), '');
  return out.sort();
}
