/**
 * ssh arguments for rsyncssh (docs/lsyncd-compat.md#rsyncssh-mode-keys):
 * `-i <identityFile>`, `-o k=v` per option (insertion order), `-p <port>`, then `_extra` items
 * verbatim — and the same settings as rsync's `--rsh=ssh …` so data transfers use the same key,
 * port and options (2.3 also appends `_extra`, which we do too).
 *
 * `control` adds OpenSSH connection sharing (ControlMaster=auto, ControlPath, ControlPersist) to
 * both, so moves and transfers reuse one authenticated connection per host; the
 * socket lives in a private runtime dir chosen by the caller.
 *
 * `withLinkBounds` adds the bounds every rsyncssh connection gets (connect timeout, keep-alives)
 * unless the user set them; see there.
 *
 * rsync splits the --rsh value on spaces itself (honouring '…' and "…" quotes, no backslash
 * escapes), so an item with whitespace or quotes is quoted for that parser; an item containing
 * both quote characters cannot be expressed and is rejected.
 */
import type { ResolvedSshOptions, SshOptions } from '../../config/schema.js';

export const DEFAULT_SSH_BINARY = 'ssh';

export type SshTable = Readonly<SshOptions> | Readonly<ResolvedSshOptions>;

export interface SshControl {
  /** ControlPath socket, e.g. `$XDG_RUNTIME_DIR/lsyncd-ts/%C`. */
  readonly path: string;
  /** ControlPersist value; default "60". */
  readonly persist?: string;
}

export function sshBinary(ssh: SshTable): string {
  return ssh.binary ?? DEFAULT_SSH_BINARY;
}

/** Option arguments, without binary and host. */
export function sshArgs(ssh: SshTable, control?: SshControl): string[] {
  const args: string[] = [];
  if (ssh.identityFile !== undefined) args.push('-i', ssh.identityFile);
  for (const [k, v] of Object.entries(ssh.options ?? {})) args.push('-o', `${k}=${String(v)}`);
  if (control !== undefined) {
    args.push('-o', 'ControlMaster=auto', '-o', `ControlPath=${control.path}`, '-o', `ControlPersist=${control.persist ?? '60'}`);
  }
  if (ssh.port !== undefined) args.push('-p', String(ssh.port));
  args.push(...(ssh._extra ?? []));
  return args;
}

/**
 * Keep-alive probes on a silent link: every 15 s, 4 unanswered ones end the connection, so a dead
 * link is noticed within a minute instead of hanging a transfer until TCP gives up.
 */
export const SERVER_ALIVE_INTERVAL = 15;
export const SERVER_ALIVE_COUNT_MAX = 4;
/** How long a link may stay silent before it counts as dead (rsync daemon targets: --timeout). */
export const DEAD_LINK_SECONDS = SERVER_ALIVE_INTERVAL * SERVER_ALIVE_COUNT_MAX;

/** ssh option names set by the user, lower-cased: `options` keys and `-o Name=…` / `-oName=…` in `_extra`. */
function userOptionNames(ssh: SshTable): Set<string> {
  const names = new Set(Object.keys(ssh.options ?? {}).map((k) => k.toLowerCase()));
  const extra = ssh._extra ?? [];
  for (let i = 0; i < extra.length; i++) {
    const item = extra[i]!;
    const value = item === '-o' ? extra[++i] : item.startsWith('-o') ? item.slice(2) : undefined;
    const name = value?.trim().split(/[\s=]/, 1)[0];
    if (name) names.add(name.toLowerCase());
  }
  return names;
}

/**
 * `ssh` plus the link bounds of every rsyncssh connection (master, mux clients, and direct
 * connections when no master is managed): ConnectTimeout = `connectTimeoutSeconds` — OpenSSH
 * applies it to the TCP connect AND to the wait for the server's banner, so a server that accepts
 * and never speaks is bounded too — and ServerAliveInterval/CountMax (above). Each is appended
 * after the user's options only when the user did not set that option themselves: theirs win.
 */
export function withLinkBounds(ssh: ResolvedSshOptions, connectTimeoutSeconds: number): ResolvedSshOptions {
  const set = userOptionNames(ssh);
  const bounds: Record<string, string> = {
    ConnectTimeout: String(connectTimeoutSeconds),
    ServerAliveInterval: String(SERVER_ALIVE_INTERVAL),
    ServerAliveCountMax: String(SERVER_ALIVE_COUNT_MAX),
  };
  const options = { ...ssh.options };
  for (const [k, v] of Object.entries(bounds)) if (!set.has(k.toLowerCase())) options[k] = v;
  return { ...ssh, options };
}

/** Quotes one word for rsync's --rsh splitter. */
export function quoteForRsh(word: string): string {
  if (word !== '' && !/[\s'"]/.test(word)) return word;
  if (!word.includes("'")) return `'${word}'`;
  if (!word.includes('"')) return `"${word}"`;
  throw new Error(`cannot pass ${JSON.stringify(word)} through rsync --rsh (contains both quote characters)`);
}

/** The generated `--rsh=ssh …` argument for rsync. */
export function rshOption(ssh: SshTable, control?: SshControl): string {
  return `--rsh=${[sshBinary(ssh), ...sshArgs(ssh, control)].map(quoteForRsh).join(' ')}`;
}

/** `host:targetdir` rsync destination for rsyncssh. */
export function rsyncsshDestination(host: string, targetdir: string): string {
  return `${host}:${targetdir}`;
}
