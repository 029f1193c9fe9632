// Without root: read-only source directories (0555, 0500) are copied with their exact modes, files
// can still be added to them in later batches, and `rm -r` of a tree holding them works (rsync
// opens such directories up while writing; so does the direct transport); a target directory
// that turned read-only on its own is repaired by the next change below it. Run by
// nonroot.test.ts as user nobody when the suite runs as root, in-process otherwise. Importing
// this file does nothing (node --test also loads it as a test file).
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { memoryLog } from '../../../src/log/log.js';
import { delay, transport, treeDiff } from './helpers.js';

export async function nonrootCase(base: string): Promise<string[]> {
  const r = { base, src: `${base}/src`, dst: `${base}/dst` };
  const problems: string[] = [];
  const c = { log: memoryLog(), signal: new AbortController().signal };
  const tr = transport(r, { delete: true });
  mkdirSync(`${r.src}/ro/inner`, { recursive: true });
  writeFileSync(`${r.src}/ro/inner/f`, 'f');
  writeFileSync(`${r.src}/ro/g`, 'g');
  chmodSync(`${r.src}/ro/inner`, 0o500);
  chmodSync(`${r.src}/ro`, 0o555);
  const expect = async (what: string, delays: ReturnType<typeof delay>[]) => {
    const rep = await tr.batch(delays, c);
    if (rep.outcome.kind !== 'ok') problems.push(`${what}: ${JSON.stringify(rep.outcome)}`);
    for (const d of treeDiff(r.src, r.dst)) problems.push(`${what}: ${d}`);
  };
  await expect('subtree copy', [delay('Create', '/ro/', { fromMove: true })]);
  chmodSync(`${r.src}/ro`, 0o755);
  writeFileSync(`${r.src}/ro/later`, 'l');
  chmodSync(`${r.src}/ro`, 0o555);
  await expect('file added later', [delay('Create', '/ro/later')]);
  chmodSync(`${r.src}/ro`, 0o755);
  chmodSync(`${r.src}/ro/inner`, 0o755);
  rmSync(`${r.src}/ro`, { recursive: true });
  // The Attrib events of the chmods are absorbed by the Delete (collapse table).
  await expect('rm -r', [delay('Delete', '/ro/')]);
  // A target directory whose mode drifted (read-only there, writable on the source): a change
  // below it must not fail for good — the directory is placed again, mode and all.
  mkdirSync(`${r.src}/drift`);
  await expect('writable directory', [delay('Create', '/drift/')]);
  chmodSync(`${r.dst}/drift`, 0o555);
  writeFileSync(`${r.src}/drift/new`, 'n');
  await expect('file below a target directory that turned read-only', [delay('Create', '/drift/new')]);
  return problems;
}

// Child entry: started as root so every module loads even from a checkout others cannot read,
// then drops to the given uid/gid before touching the test tree.
if (process.argv[2] === '--run-nonroot-case') {
  const id = Number(process.argv[4]);
  if (Number.isInteger(id) && process.setgid && process.setuid) {
    process.setgroups?.([]);
    process.setgid(id);
    process.setuid(id);
  }
  nonrootCase(process.argv[3]!).then(
    (p) => {
      process.stdout.write(JSON.stringify(p));
    },
    (e: unknown) => {
      process.stdout.write(JSON.stringify([`crashed: ${(e as Error).stack ?? String(e)}`]));
    },
  );
}
