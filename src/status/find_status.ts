// Finding and reading a daemon's status file from what a user names (`lsyncd-ts status` and
// `lsyncd-ts release` both start here).
//
// What the argument is, decided by content (not extension — the JSON twin and a JSON config both
// end in .json): a text file starting "Lsyncd status report at" is a status file, and its JSON twin
// `<file>.json` is read instead when present; JSON with "version" and "syncs" is the twin itself;
// anything else is a config (any format, src/config loadConfig) whose settings.statusFile is read
// (twin preferred). Without a twin (lsyncd's own file, or the twin is missing) the text is
// returned as is (`kind: 'text'`).
//
// Never throws: every failure is `kind: 'error'` with one line naming the file and the fix.
import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { loadConfig } from '../config/load_config.js';
import { parseStatusJson, type StatusJsonV1 } from './render_json.js';

/** The first line of a text status file (render_text.ts), lsyncd's and ours alike. */
const TEXT_HEADER = 'Lsyncd status report at ';

export type FoundStatus =
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

/** A status file path (text or twin): the twin if it reads, else the text. */
async function readStatusFile(statusFile: string, fromConfig: string | undefined): Promise<FoundStatus> {
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

/** The status behind `target`: a status file, its JSON twin, or a config naming one (see the header). */
export async function findStatus(target: string): Promise<FoundStatus> {
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
