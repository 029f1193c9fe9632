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
