// `lsyncd-ts status [--json] [STATUSFILE | CONFIG]`: print a running daemon's status file for
// humans (a table per sync: state, lag, queue, last success, last error) or scripts (--json: the
// JSON twin as written, render_json.ts version 1).
//
// What the argument is, decided by content (not extension — the JSON twin and a JSON config both
// end in .json): a text file starting "Lsyncd status report at" is a status file, its JSON twin
// `<file>.json` is read instead when present; JSON with "version" and "syncs" is the twin itself;
// anything else is a config (any format, src/config loadConfig) whose settings.statusFile is read
// (twin preferred). Without a twin (lsyncd's own file, or the twin is missing) the text is shown
// as is and its "State:" lines decide health; --json then has nothing to print (exit 2).
//
// Exit codes (monitoring: "check_lsyncd-ts"): 0 every sync healthy (state running) and the file
// fresh; 1 any sync unhealthy (dead, source-gone, retrying, starting, stopped, or held by the
// mass-delete guard) or the file stale (its daemon is gone, or it was not rewritten for
// max(3 × statusInterval, 30 s)); 2 no status can be read — one line on stderr naming the file
// and the fix.
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import type { Argv } from 'yargs';

import { loadConfig } from '../../config/load_config.js';
import { parseStatusJson, type StatusJsonV1 } from '../../status/render_json.js';
import { renderSummary } from '../../status/summary.js';
import { err, out } from '../output.js';
import type { ExitCodeSink } from './types.js';

export const EXIT_STATUS_HEALTHY = 0;
export const EXIT_STATUS_UNHEALTHY = 1;
export const EXIT_STATUS_UNREADABLE = 2;

const TEXT_HEADER = 'Lsyncd status report at ';

export interface StatusCommandOptions {
  readonly target: string | undefined;
  readonly json: boolean;
}

export type Found =
  | { kind: 'json'; file: string; raw: string; status: StatusJsonV1 }
  | { kind: 'text'; file: string; raw: string }
  | { kind: 'error'; message: string };

async function readText(file: string): Promise<{ text: string } | { code: string }> {
  try {
    return { text: await readFile(file, 'utf8') };
  } catch (e) {
    return { code: (e as NodeJS.ErrnoException).code ?? (e as Error).message };
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A status file path (text or twin): the twin if it reads, else the text. */
async function readStatusFile(statusFile: string, fromConfig: string | undefined): Promise<Found> {
  const twin = statusFile.endsWith('.json') ? statusFile : `${statusFile}.json`;
  const j = await readText(twin);
  if ('text' in j) {
    const p = parseStatusJson(j.text);
    if ('error' in p) return { kind: 'error', message: `${twin}: ${p.error} — is this an lsyncd-ts status file?` };
    return { kind: 'json', file: twin, raw: j.text, status: p };
  }
  const t = twin === statusFile ? j : await readText(statusFile);
  if ('text' in t && t.text.startsWith(TEXT_HEADER)) return { kind: 'text', file: statusFile, raw: t.text };
  const why = 'code' in t ? t.code : 'not a status file';
  const via = fromConfig !== undefined ? ` (settings.statusFile of ${fromConfig})` : '';
  return {
    kind: 'error',
    message: `cannot read status file ${statusFile}${via}: ${why} — is lsyncd-ts running with this statusFile? It writes the file at start-up.`,
  };
}

export async function findStatus(target: string): Promise<Found> {
  const t = await readText(target);
  if ('code' in t) {
    return { kind: 'error', message: `cannot read ${target}: ${t.code} — name the status file (settings.statusFile) or the daemon's config` };
  }
  if (t.text.startsWith(TEXT_HEADER)) return readStatusFile(target, undefined);
  if (/^\s*\{/.test(t.text)) {
    try {
      const v = JSON.parse(t.text) as Record<string, unknown>;
      if (v !== null && typeof v === 'object' && 'version' in v && 'syncs' in v) return readStatusFile(target, undefined);
    } catch {
      // not JSON: let the config loader say what is wrong with it
    }
  }
  const r = await loadConfig(path.resolve(target));
  if (!r.ok) return { kind: 'error', message: `${r.errors[0]?.text ?? `${target}: invalid config`} — fix the config (lsyncd-ts check-config ${target})` };
  const sf = r.config.settings.statusFile;
  if (sf === undefined) {
    return {
      kind: 'error',
      message: `${target}: no statusFile in the config — set statusFile in settings{} (e.g. statusFile = "/run/lsyncd-ts/status") and restart lsyncd-ts`,
    };
  }
  return readStatusFile(sf, target);
}

export async function runStatus(opts: StatusCommandOptions): Promise<number> {
  if (opts.target === undefined) {
    err('lsyncd-ts status: name the status file or the config — e.g. "lsyncd-ts status /etc/lsyncd/lsyncd.conf.lua" (the config needs statusFile in settings{})');
    return EXIT_STATUS_UNREADABLE;
  }
  const f = await findStatus(opts.target);
  if (f.kind === 'error') {
    err(`lsyncd-ts status: ${f.message}`);
    return EXIT_STATUS_UNREADABLE;
  }
  if (f.kind === 'text') {
    if (opts.json) {
      err(`lsyncd-ts status: ${f.file} has no JSON twin (${f.file}.json) — written by lsyncd or an older lsyncd-ts; run without --json to see the text`);
      return EXIT_STATUS_UNREADABLE;
    }
    process.stdout.write(f.raw.endsWith('\n') ? f.raw : `${f.raw}\n`);
    const states = [...f.raw.matchAll(/^State: (\S+)$/gm)].map((m) => m[1]);
    out('');
    out(`(no JSON twin ${f.file}.json: ${states.length > 0 ? 'health from the State: lines' : 'health unknown (lsyncd format)'})`);
    return states.some((s) => s !== 'running') ? EXIT_STATUS_UNHEALTHY : EXIT_STATUS_HEALTHY;
  }
  const summary = renderSummary(f.status, { file: f.file, hostname: hostname(), isAlive });
  if (opts.json) process.stdout.write(f.raw.endsWith('\n') ? f.raw : `${f.raw}\n`);
  else process.stdout.write(summary.text);
  return summary.healthy ? EXIT_STATUS_HEALTHY : EXIT_STATUS_UNHEALTHY;
}

export function registerStatus(y: Argv, sink: ExitCodeSink): Argv {
  return y.command(
    'status [target]',
    "Show a running daemon's status (exit 0 healthy, 1 a sync unhealthy or the status stale, 2 no status readable)",
    (c) =>
      c
        .positional('target', { type: 'string', describe: 'the status file (settings.statusFile, or its .json twin) or the daemon config' })
        .option('json', { type: 'boolean', default: false, describe: 'print the JSON status as written (version 1 shape, see src/status/render_json.ts)' })
        .example('$0 status /etc/lsyncd/lsyncd.conf.lua', "read the config's statusFile and show each sync")
        .example('$0 status /run/lsyncd-ts/status', 'read a status file directly')
        .example('$0 status --json /etc/lsyncd-ts.json | jq ".syncs[].lagSeconds"', 'replication lag per sync'),
    async (argv) => {
      sink.exitCode = await runStatus({ target: argv.target, json: argv.json });
    },
  );
}
