// Validation pipeline shared by every loader (one zod schema is the single truth for all
// three formats): raw JS value → configSchema (strict, zod) → normalizeConfig → LoadResult.
// Loaders only differ in how they obtain the raw value and how they map a key path to a line.
import { diagnostic, issuesToDiagnostics, sortDiagnostics, type ConfigDiagnostic, type LoadResult, type PathSegment } from './diagnostics.js';
import { normalizeConfig, type ConfigOverrides } from './normalize.js';
import { configSchema, rsyncOptionsSchema, settingsSchema, sshOptionsSchema, syncSchema, tunnelSchema } from './schema.js';

export interface ValidateOptions {
  /** File name shown in diagnostics. */
  file: string;
  /** Line of a key path (0-based numeric segments), when the loader can tell. */
  lineOf?: ((path: readonly PathSegment[]) => number | undefined) | undefined;
  overrides?: ConfigOverrides | undefined;
  /** Diagnostics the loader already produced (e.g. Lua-specific warnings). */
  warnings?: ConfigDiagnostic[] | undefined;
  /** Directory relative local paths are resolved against (default: the working directory). */
  cwd?: string | undefined;
}

/** Keys accepted by the strict object at a path, for "did you mean". */
export function keysAt(path: readonly PathSegment[]): readonly string[] {
  const p = path.filter((s) => typeof s === 'string');
  const key = p.join('.');
  switch (key) {
    case '':
      return Object.keys(configSchema.shape);
    case 'settings':
      return Object.keys(settingsSchema.shape);
    case 'sync':
      return Object.keys(syncSchema.shape);
    case 'sync.rsync':
      return Object.keys(rsyncOptionsSchema.shape);
    case 'sync.ssh':
      return Object.keys(sshOptionsSchema.shape);
    case 'sync.tunnel':
      return Object.keys(tunnelSchema.shape);
    default:
      return [];
  }
}

export function validateConfig(raw: unknown, opts: ValidateOptions): LoadResult {
  const lineOf = opts.lineOf ?? (() => undefined);
  const warnings = [...(opts.warnings ?? [])];
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, errors: [diagnostic('error', opts.file, undefined, '', 'the config must be an object { settings: {...}, sync: [...] }')], warnings };
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const errors = issuesToDiagnostics(parsed.error.issues, { file: opts.file, lineOf, keysAt, input: raw });
    return { ok: false, errors: sortDiagnostics(errors), warnings: sortDiagnostics(warnings) };
  }
  const n = normalizeConfig(parsed.data, { file: opts.file, lineOf, overrides: opts.overrides, cwd: opts.cwd });
  warnings.push(...n.warnings);
  if (n.errors.length > 0) return { ok: false, errors: sortDiagnostics(n.errors), warnings: sortDiagnostics(warnings) };
  return { ok: true, config: n.config, warnings: sortDiagnostics(warnings) };
}
