// Child spawner: a vfork-class replacement for libuv's fork()+exec for runCommand
// (src/process/process_runner.ts). libuv forks the whole Node process (page tables of ~50 MB:
// 1.3–2 ms per child); posix_spawn in glibc uses clone(CLONE_VM|CLONE_VFORK), so the cost does
// not grow with the parent's size.
//
// JS surface (JS thread only, never throws for system errors):
//   spawnChild(binary, args[], envPairs[] | null, cwd | null, onExit(code, signal), stdin?,
//              parentDeathSignal?)
//     -> {pid, stdinFd, stdinWritten, stdoutFd, stderrFd} | {errno}
//     argv[0] is `binary`. An `args` element may be a Buffer: its bytes are passed as they are
//     (file names that are not valid UTF-8); strings are passed as UTF-8.
//     `parentDeathSignal` (a signal number > 0): the child gets PR_SET_PDEATHSIG with it, so it
//     is signalled when the calling thread exits, even by SIGKILL of this process (an ssh
//     ControlMaster must not outlive its daemon). This takes a fork()+exec path instead of
//     posix_spawn (posix_spawn has no hook to run prctl in the child); call it from the main
//     thread, since the signal fires when the creating thread ends. A binary without '/' is looked up in PATH — the PATH of envPairs when
//     given (as execvp in a libuv child would), else the process's own — by the parent, cached
//     per (binary, PATH) and searched again if the cached file stops being executable.
//     `stdin` (a Buffer: all of the child's input) is written into the stdin pipe before the
//     child starts, as far as the pipe holds it; stdinWritten says how much. When all of it
//     fit, the pipe is closed (the child reads it, then EOF) and stdinFd is -1; otherwise the
//     caller writes the rest to stdinFd and closes it. Without a Buffer, stdinFd is left open
//     for the caller (a standby child blocks reading it: src/process/standby_child.ts). Exec failures (ENOENT,
//     EACCES, a missing cwd) come back as {errno}: glibc's posix_spawn reports the child's exec
//     errno as its return value. The three fds are the parent ends of O_CLOEXEC pipes; the JS
//     side owns them. In the child every signal disposition is default (Node ignores SIGPIPE)
//     and the signal mask is empty.
//     onExit(code, signal) runs once on the JS thread: code = exit status or -1, signal = the
//     terminating signal number or 0.
//   killChild(pid, signal) -> errno (0 = sent; ESRCH if pid is not a live child of ours)
//   spawnerAvailable() -> bool (pidfd_open works on this kernel)
//
// Exit notification: one waiter thread polls a pidfd per child plus an eventfd (new children,
// stop). A readable pidfd means the child is a zombie; the waiter does not reap it. Reaping
// happens on the JS thread in the TSFN callback, so killChild (also on the JS thread) can never
// signal a recycled pid. libuv reaps only the pids of its own process handles (waitpid(pid)),
// so neither side steals the other's children. An env cleanup hook stops and joins the thread.
#pragma once
#include <napi.h>

namespace lts {

void RegisterChildSpawner(Napi::Env env, Napi::Object exports);

}  // namespace lts
