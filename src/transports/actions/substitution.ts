// lsyncd's Layer-2/3 command strings (onCreate = "cp -r ^sourcePathname ^targetPathname", …):
// which ^variables exist, what they hold, and how a string becomes a process — pure, no I/O.
// (docs/lsyncd-compat.md#sync-keys.)
//
// Variables — exactly lsyncd 2.2.3's `transVars` (checked against the Debian 2.2.3 binary):
//   ^path ^pathname ^pathdir ^source ^sourcePath ^sourcePathname ^sourcePathdir
//   ^target ^targetPath ^targetPathname ^targetPathdir
//   ^o.path ^o.pathname ^o.sourcePath ^o.sourcePathname ^o.sourcePathdir
//   ^o.targetPath ^o.targetPathname ^o.targetPathdir   (and the same nine with ^d.)
// Names are matched longest first at each '^' (^pathname is never ^path + "name"); anything else
// after '^' stays literal (lsyncd: "^bogus" stays "^bogus", "^o.pathdir" is ^o.path + "dir" —
// there is no ^o.pathdir/^d.pathdir/^o.source in lsyncd, and we keep it that way).
//
// Values (rel = the event path without its leading '/'; lsyncd's own event API):
//   path = rel (dirs keep the trailing '/'), pathname = rel without trailing '/',
//   pathdir = directory part of rel with trailing '/' ('' at the root), source = the sync's
//   source (absolute, trailing '/'), sourcePath… = source + path…, target = the configured target
//   verbatim, targetPath… = target (plus '/' unless it ends in '/' or ':') + path….
//   ^o.* = the move origin, ^d.* = the move destination; un-prefixed = the origin.
//   onStartup (Init): rel = '' (lsyncd: ^path and ^pathname are empty there too).
//
// Execution:
//   - A string starting with '/' is a binary: split into words on whitespace outside double
//     quotes (double quotes group words and stay in the word, exactly as lsyncd's splitStr), each
//     ^variable substituted inside its word, executed directly — no shell.
//   - Any other string runs as `/bin/sh -c SCRIPT sh V1 V2 …`: each ^variable in SCRIPT becomes a
//     reference to a positional parameter and the values travel as arguments. Values are NEVER
//     spliced into shell text, so names with quotes, `$(…)`, backticks, newlines or a leading dash
//     are inert. lsyncd 2.2.3 also passes positional parameters (observed: `spawnShell(event,
//     [[cp "$1" "$2"]], …)`), but writes a bare `"$N"` whatever the quoting context, so
//     `'^path'` yields the literal text "$1" and `"^path/x"` leaves $1 unquoted (word
//     splitting, globbing). We track the shell quoting context instead and emit `"${N}"`
//     unquoted, `${N}` inside double quotes and `'"${N}"'` inside single quotes, so the value
//     arrives intact wherever the variable is written. A backslash-escaped `\^path` outside
//     single quotes stays literal (the shell prints ^path). Limitation: here-document bodies are
//     scanned like ordinary text.
//
// Deliberate differences from lsyncd 2.2.3 (besides the quoting above):
//   - No double slashes: lsyncd emits "SRC//dir/f" (source + '/' + rel) and "TGT//f"; we join with
//     one slash. A target ending in ':' (remote home, "host:") gets no slash ("host:f", where
//     lsyncd's "host:/f" would point at the remote root).
//   - ^d.* in a non-Move action means the event's own path (lsyncd crashes with a Lua error).
//   - Non-UTF-8 names: Node can only pass UTF-8 text as argv, so values that are not valid UTF-8
//     travel octal-escaped and a fixed, value-free /bin/sh prologue decodes them with printf %b
//     before the user's script (or the binary, then via `exec "$@"`) sees them: the bytes arrive
//     exactly (byte_exact_command.ts).
import type { Command } from '../../process/command.js';
import { toByteString, type SyncPath } from '../../paths/byte_path.js';
import { asText, type ByteArg, byteArgsCommand, shellCommand } from './byte_exact_command.js';

/** lsyncd 2.2.3's variables in its own (longest-first) matching order. */
export const VARIABLES = [
  'pathname',
  'pathdir',
  'path',
  'sourcePathname',
  'sourcePathdir',
  'sourcePath',
  'source',
  'targetPathname',
  'targetPathdir',
  'targetPath',
  'target',
  'o.pathname',
  'o.path',
  'o.sourcePathname',
  'o.sourcePathdir',
  'o.sourcePath',
  'o.targetPathname',
  'o.targetPathdir',
  'o.targetPath',
  'd.pathname',
  'd.path',
  'd.sourcePathname',
  'd.sourcePathdir',
  'd.sourcePath',
  'd.targetPathname',
  'd.targetPathdir',
  'd.targetPath',
] as const;
export type VariableName = (typeof VARIABLES)[number];

export type Token = { readonly kind: 'text'; readonly text: string } | { readonly kind: 'var'; readonly name: VariableName };

/** The variable named right after the '^' at `at` (longest first), or undefined. */
function variableAt(s: string, at: number): VariableName | undefined {
  if (s[at] !== '^') return undefined;
  for (const v of VARIABLES) if (s.startsWith(v, at + 1)) return v;
  return undefined;
}

/** Splits a template into literal text and ^variables (unknown ^names stay text). */
export function tokenize(template: string): Token[] {
  const out: Token[] = [];
  let text = '';
  for (let i = 0; i < template.length; ) {
    const v = variableAt(template, i);
    if (v !== undefined) {
      if (text !== '') out.push({ kind: 'text', text });
      text = '';
      out.push({ kind: 'var', name: v });
      i += 1 + v.length;
    } else {
      text += template[i];
      i++;
    }
  }
  if (text !== '') out.push({ kind: 'text', text });
  return out;
}

/** The ^variables a template uses (e.g. to reject ^target on a sync without a target). */
export function variablesUsed(template: string): Set<VariableName> {
  const s = new Set<VariableName>();
  for (const t of tokenize(template)) if (t.kind === 'var') s.add(t.name);
  return s;
}

export function usesTarget(template: string): boolean {
  for (const v of variablesUsed(template)) if (/(^|\.)target/.test(v)) return true;
  return false;
}

/** What the variables of one event expand to. */
export interface SubstitutionContext {
  /** Sync source: absolute, trailing '/'. */
  readonly source: string;
  /** Configured target verbatim; undefined when the sync has none. */
  readonly target: string | undefined;
  /** Event path (Move: origin), root-relative with leading '/'; '' or '/' for Init. */
  readonly path: SyncPath;
  /** Move destination, root-relative with leading '/'. */
  readonly destination?: SyncPath | undefined;
}

/** Byte string (one char per byte, see byte_path.ts) of a user-written (Unicode) string. */
export function textToByteString(s: string): string {
  return toByteString(s);
}

function withSlash(base: string): string {
  return base.endsWith('/') || base.endsWith(':') ? base : `${base}/`;
}

interface PathParts {
  path: string;
  pathname: string;
  pathdir: string;
}

function parts(p: SyncPath): PathParts {
  const b = toByteString(p);
  const rel = b.startsWith('/') ? b.slice(1) : b;
  const pathname = rel.endsWith('/') ? rel.slice(0, -1) : rel;
  const m = /^([\s\S]*\/)[^/]+\/?$/.exec(rel);
  return { path: rel, pathname, pathdir: m ? m[1]! : '' };
}

/**
 * The value of every variable for one event, as byte strings (one char per byte), or throws
 * when a ^target variable is used on a sync without a target (callers check that up front).
 */
export function variableValue(name: VariableName, ctx: SubstitutionContext): string {
  const dot = name.indexOf('.');
  const which = dot < 0 ? 'o' : name.slice(0, dot);
  const key = dot < 0 ? name : name.slice(dot + 1);
  const p = parts(which === 'd' && ctx.destination !== undefined ? ctx.destination : ctx.path);
  const source = textToByteString(ctx.source);
  const targetBase = (): string => {
    if (ctx.target === undefined) throw new Error(`^${name} used, but the sync has no target`);
    return textToByteString(ctx.target);
  };
  switch (key) {
    case 'path':
      return p.path;
    case 'pathname':
      return p.pathname;
    case 'pathdir':
      return p.pathdir;
    case 'source':
      return source;
    case 'sourcePath':
      return withSlash(source) + p.path;
    case 'sourcePathname':
      return withSlash(source) + p.pathname;
    case 'sourcePathdir':
      return withSlash(source) + p.pathdir;
    case 'target':
      return targetBase();
    case 'targetPath':
      return withSlash(targetBase()) + p.path;
    case 'targetPathname':
      return withSlash(targetBase()) + p.pathname;
    case 'targetPathdir':
      return withSlash(targetBase()) + p.pathdir;
    default:
      throw new Error(`unknown variable ^${name}`);
  }
}


/** lsyncd's splitStr: words separated by whitespace outside double quotes; quotes are kept. */
export function splitWords(command: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inQuote = false;
  let have = false;
  for (const c of command) {
    if (c === '"') inQuote = !inQuote;
    if (!inQuote && /\s/.test(c)) {
      if (have) words.push(cur);
      cur = '';
      have = false;
      continue;
    }
    cur += c;
    have = true;
  }
  if (have) words.push(cur);
  return words;
}

/** A '/'-leading action: binary + args, each word substituted (byte strings). */
export function binaryArgv(command: string, ctx: SubstitutionContext): ByteArg[] {
  return splitWords(command).map((w) =>
    tokenize(w)
      .map((t) => (t.kind === 'text' ? textToByteString(t.text) : variableValue(t.name, ctx)))
      .join(''),
  );
}

export interface ShellScript {
  /** The script with every ^variable replaced by a positional-parameter reference. */
  readonly script: string;
  /** Which variable each positional parameter ($1, $2, …) carries. */
  readonly params: readonly VariableName[];
}

type Ctx = 'top' | 'paren' | 'group' | 'double' | 'single' | 'backtick';

/**
 * Rewrites a shell action: each ^variable → `"${N}"` / `${N}` / `'"${N}"'` depending on the
 * quoting context it is written in; the same variable always gets the same N. Pure text
 * transformation of the user's script: it never sees a value.
 */
export function shellScript(template: string): ShellScript {
  const params: VariableName[] = [];
  const stack: Ctx[] = ['top'];
  let out = '';
  const top = (): Ctx => stack[stack.length - 1]!;
  const ref = (v: VariableName): number => {
    let i = params.indexOf(v);
    if (i < 0) i = params.push(v) - 1;
    return i + 1;
  };
  for (let i = 0; i < template.length; ) {
    const c = template[i]!;
    const cx = top();
    const v = variableAt(template, i);
    if (v !== undefined) {
      const n = ref(v);
      out += cx === 'double' ? `\${${n}}` : cx === 'single' ? `'"\${${n}}"'` : `"\${${n}}"`;
      i += 1 + v.length;
      continue;
    }
    if (cx === 'single') {
      if (c === "'") stack.pop();
      out += c;
      i++;
      continue;
    }
    if (c === '\\' && i + 1 < template.length) {
      out += c + template[i + 1]!;
      i += 2;
      continue;
    }
    if (cx === 'double') {
      if (c === '"') stack.pop();
      else if (c === '$' && template[i + 1] === '(') {
        stack.push('paren');
        out += '$(';
        i += 2;
        continue;
      } else if (c === '`') stack.push('backtick');
      out += c;
      i++;
      continue;
    }
    // unquoted: top, paren ($( … )), group (( … ) inside $( … )), backtick
    if (c === "'") stack.push('single');
    else if (c === '"') stack.push('double');
    else if (c === '`') {
      if (cx === 'backtick') stack.pop();
      else stack.push('backtick');
    } else if (c === '$' && template[i + 1] === '(') {
      stack.push('paren');
      out += '$(';
      i += 2;
      continue;
    } else if (c === '(' && cx !== 'top') stack.push('group');
    else if (c === ')' && (cx === 'paren' || cx === 'group')) stack.pop();
    out += c;
    i++;
  }
  return { script: out, params };
}

/** Positional values of a shell action for one event (byte strings), in $1, $2, … order. */
export function shellValues(s: ShellScript, ctx: SubstitutionContext): ByteArg[] {
  return s.params.map((v) => variableValue(v, ctx));
}

/** The Command for one action string and one event. Throws only for ^target without a target. */
export function actionCommand(action: string, ctx: SubstitutionContext): Command {
  if (action.startsWith('/')) return byteArgsCommand(binaryArgv(action, ctx));
  const s = shellScript(action);
  return shellCommand(s.script, shellValues(s, ctx));
}

/** lsyncd's log text for an action with the values shown ("spawns shell "cp a b""). */
export function describeAction(action: string, ctx: SubstitutionContext): string {
  return tokenize(action)
    .map((t) => (t.kind === 'text' ? t.text : asText(variableValue(t.name, ctx))))
    .join('');
}
