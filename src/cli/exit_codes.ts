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
//  - status: 0 every sync healthy and the file fresh, 1 a sync unhealthy or the file stale, 2 no
//    status readable (status.ts; the monitoring-plugin convention of small distinct codes).
//  - release: 0 released (or, with only a pidfile, requested), 1 nothing was held, 2 the daemon
//    cannot be found or signalled, a named sync does not exist, or no confirmation (release.ts).
//  - verify: 0 every checked target clean, 1 a target drifted, 2 verification could not run (the
//    config does not load, an unknown --sync name, an unreachable target, no rsync); 2 wins over 1
//    (verify.ts; the same small-code convention as status).
//  - yargs usage errors (unknown subcommand option, missing CONFIG): 255, like lsyncd's bad args.
//  - `run`/legacy with a VALID config: the engine's codes — 255 when a sync cannot start, 143/130
//    after TERM/INT (start_daemon.ts).
export const EXIT_OK = 0;
export const EXIT_INVALID = 1;
export const EXIT_LIMITS_TOO_LOW = 2;
export const EXIT_USAGE = 255;
export const EXIT_BAD_CONFIG = 255;
export const EXIT_STATUS_HEALTHY = 0;
export const EXIT_STATUS_UNHEALTHY = 1;
export const EXIT_STATUS_UNREADABLE = 2;
export const EXIT_RELEASED = 0;
export const EXIT_NOTHING_HELD = 1;
export const EXIT_RELEASE_FAILED = 2;
export const EXIT_VERIFY_CLEAN = 0;
export const EXIT_VERIFY_DRIFTED = 1;
export const EXIT_VERIFY_FAILED = 2;
