// Child spawner: the N-API surface that starts runCommand's children (src/process/process_runner.ts)
// from the addon instead of through libuv, which forks the whole Node process for each child.
//
// JS surface (JS thread only, never throws for system errors):
//   spawnChild(binary, args[], envPairs[] | null, cwd | null, onExit(code, signal), stdin?,
//              parentDeathSignal?)
//     -> {pid, stdinFd, stdinWritten, stdoutFd, stderrFd} | {errno}
//     argv[0] is `binary`. An `args` element may be a Buffer: its bytes are passed as they are
//     (file names that are not valid UTF-8); strings are passed as UTF-8.
//     `parentDeathSignal` (a signal number > 0): the child gets PR_SET_PDEATHSIG with it, so it
//     is signalled when the calling thread exits, even by SIGKILL of this process; call it from
//     the main thread (child_start.h).
//     A binary without '/' is looked up in PATH — the PATH of envPairs when given (as execvp in a
//     libuv child would), else the process's own — by the parent, cached (path_cache.h).
//     `stdin` (a Buffer: all of the child's input) is written into the stdin pipe before the
//     child starts, as far as the pipe holds it; stdinWritten says how much. When all of it
//     fit, the pipe is closed (the child reads it, then EOF) and stdinFd is -1; otherwise the
//     caller writes the rest to stdinFd and closes it. Without a Buffer, stdinFd is left open
//     for the caller (a standby child blocks reading it: src/process/standby_child.ts).
//     Exec failures (ENOENT, EACCES, a missing cwd) come back as {errno}. The three fds are the
//     parent ends of O_CLOEXEC pipes; the JS side owns them. In the child every signal
//     disposition is default (Node ignores SIGPIPE) and the signal mask is empty.
//     onExit(code, signal) runs once on the JS thread: code = exit status or -1, signal = the
//     terminating signal number or 0 (child_waiter.h).
//   killChild(pid, signal) -> errno (0 = sent; ESRCH if pid is not a live child of ours)
//   spawnerAvailable() -> bool (pidfd_open works on this kernel)
//
// Files: child_spawner.cc decodes the JS arguments and wires the parts together; path_cache.*
// resolves the binary; child_start.* creates the pipes and the process (posix_spawn, or fork +
// exec for PR_SET_PDEATHSIG); child_waiter.* reports exits and reaps.
#pragma once
#include <napi.h>

namespace lts {

void RegisterChildSpawner(Napi::Env env, Napi::Object exports);

}  // namespace lts
