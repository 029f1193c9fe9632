// Exit codes of the lsyncd-ts binary, in one place (docs/lsyncd-compat.md#signals-and-exit-codes "Exit codes
// overall").
//
// lsyncd-compatible (legacy form and `run`): 0 for -version; 255 for -help, no arguments, a bad
// option and a bad config (lsyncd's terminate(-1)); 143/130 on TERM/INT (start_daemon.ts).
// Subcommands:
//  - check-config: 0 valid, 1 invalid (or warnings under --strict), so a
//    monitoring/systemd ExecStartPre can tell "config wrong" from "command line wrong" (255).
//  - sysctl: 0 fine, 2 `--check` found a limit too low (distinct from 1 so monitoring can tell
//    "raise the limit" from "could not check": bad config, unreadable /proc, --apply failure).
//  - yargs usage errors (unknown subcommand option, missing CONFIG): 255, like lsyncd's bad args.
//  - `run`/legacy with a VALID config: the engine's codes — 255 when a sync cannot start, 143/130
//    after TERM/INT (start_daemon.ts).
export const EXIT_OK = 0;
export const EXIT_INVALID = 1;
export const EXIT_LIMITS_TOO_LOW = 2;
export const EXIT_USAGE = 255;
export const EXIT_BAD_CONFIG = 255;
