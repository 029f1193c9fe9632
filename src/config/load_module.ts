// Loads `*.ts` / `*.mts` / `*.js` / `*.mjs` / `*.cjs` configs: `export default defineConfig({...})`.
// Node 20 cannot import TypeScript, so `.ts` is transpiled at load time with the
// `typescript` package's transpileModule (types are NOT checked here: that is the editor's job;
// syntax errors are reported with their line). The emitted ESM is written next to the config as a
// hidden temporary `.mjs` file (so relative imports keep working; falls back to the OS temp dir),
// imported, and removed. `import ... from 'lsyncd-ts'` is rewritten to this package's own entry
// so configs outside a node_modules tree (e.g. /etc/lsyncd-ts/) still resolve it.
import { randomBytes } from 'node:crypto';
import { readFile, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { diagnostic, type LoadResult } from './diagnostics.js';
import { textLineLocator, type TextAnchor } from './locate_text.js';
import type { ConfigOverrides } from './normalize.js';
import { validateConfig } from './validate.js';

const SELF_URL = new URL('../index.js', import.meta.url).href;

export function rewriteSelfImports(code: string): string {
  return code.replace(/(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])lsyncd-ts\2/g, (_m, pre: string, q: string) => `${pre}${q}${SELF_URL}${q}`);
}

type Transpiled = { ok: true; code: string } | { ok: false; line: number | undefined; message: string };

async function transpileTs(file: string, text: string): Promise<Transpiled> {
  const ts = (await import('typescript')).default;
  const out = ts.transpileModule(text, {
    fileName: file,
    reportDiagnostics: true,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, sourceMap: false },
  });
  const d = out.diagnostics?.find((x) => x.category === ts.DiagnosticCategory.Error);
  if (d !== undefined) {
    const line = d.file !== undefined && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : undefined;
    return { ok: false, line, message: ts.flattenDiagnosticMessageText(d.messageText, ' ') };
  }
  return { ok: true, code: out.outputText };
}

async function importTemp(dir: string, base: string, code: string): Promise<unknown> {
  const name = `.${base}.lsyncd-ts-${process.pid}-${randomBytes(4).toString('hex')}.mjs`;
  let target = path.join(dir, name);
  try {
    await writeFile(target, code, { mode: 0o600, flag: 'wx' });
  } catch {
    target = path.join(tmpdir(), name);
    await writeFile(target, code, { mode: 0o600, flag: 'wx' });
  }
  try {
    return await import(pathToFileURL(target).href);
  } finally {
    await unlink(target).catch(() => undefined);
  }
}

/** Anchors for TS/JS text: one block per `source:` key when their count matches the syncs. */
function moduleAnchors(text: string, syncCount: number): TextAnchor[] {
  const lines = text.split('\n');
  const sourceLines: number[] = [];
  lines.forEach((l, i) => {
    if (/(^|[^\w.])["']?source["']?\s*:/.test(l) && !/^\s*\/\//.test(l)) sourceLines.push(i + 1);
  });
  const anchors: TextAnchor[] = [];
  const settings = lines.findIndex((l) => /(^|[^\w.])["']?settings["']?\s*:/.test(l));
  if (settings >= 0) anchors.push({ path: ['settings'], start: settings + 1, end: lines.length });
  if (sourceLines.length !== syncCount) return anchors;
  const starts = sourceLines.map((s) => {
    let n = s;
    while (n > 1 && !lines[n - 1]!.includes('{')) n--;
    return n;
  });
  starts.forEach((start, i) => anchors.push({ path: ['sync', i], start, end: (starts[i + 1] ?? lines.length + 1) - 1 }));
  return anchors;
}

export async function loadModuleConfig(file: string, overrides?: ConfigOverrides): Promise<LoadResult> {
  const abs = path.resolve(file);
  let text: string;
  try {
    text = await readFile(abs, 'utf8');
  } catch (e) {
    return { ok: false, errors: [diagnostic('error', file, undefined, '', `cannot read config: ${(e as Error).message}`)], warnings: [] };
  }
  let code = text;
  if (/\.(ts|mts|cts)$/.test(abs)) {
    const t = await transpileTs(abs, text);
    if (!t.ok) return { ok: false, errors: [diagnostic('error', file, t.line, '', `syntax error: ${t.message}`)], warnings: [] };
    code = t.code;
  }
  let mod: unknown;
  try {
    mod = await importTemp(path.dirname(abs), path.basename(abs), rewriteSelfImports(code));
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    return { ok: false, errors: [diagnostic('error', file, undefined, '', `config failed to load: ${msg}`)], warnings: [] };
  }
  const cfg = (mod as { default?: unknown }).default;
  if (cfg === undefined) {
    return { ok: false, errors: [diagnostic('error', file, undefined, '', 'no default export — write `export default defineConfig({ sync: [ ... ] })`')], warnings: [] };
  }
  const syncCount = typeof cfg === 'object' && cfg !== null && Array.isArray((cfg as { sync?: unknown }).sync) ? (cfg as { sync: unknown[] }).sync.length : 0;
  const lineOf = textLineLocator(text, moduleAnchors(text, syncCount), 'js');
  return validateConfig(cfg, { file, lineOf, overrides });
}
