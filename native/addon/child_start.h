// Starting a child process for the child spawner (child_spawner.cc): its stdio pipes and the
// spawn itself.
//
// Contract:
//   - StdioPipes: three O_CLOEXEC pipes, each end owned by a UniqueFd (closed on every early
//     return). The child's ends (stdin's read end, stdout's and stderr's write ends) are dup2'd
//     onto its fds 0/1/2; after a successful start the parent closes them (CloseChildEnds) and
//     hands its own ends to JavaScript (release()).
//   - PrefillPipe(fd, data, len): writes as much of `data` as the pipe holds, never blocking;
//     returns the bytes written. Called before the child exists, so a child whose input fits in
//     the pipe can read all of it at once instead of waiting for the JS thread to be scheduled
//     again after the spawn; the JS side streams whatever did not fit.
//   - StartChild(spec, &pid) → errno (0 = started, `pid` set). An exec failure in the child
//     (ENOENT, EACCES, ENOEXEC, a missing cwd) is returned like any other error, and no child is
//     left behind. In the child every signal disposition is default (Node ignores SIGPIPE) and
//     the signal mask is empty, as in a libuv child.
//       * spec.deathSignal == 0: posix_spawn. glibc implements it with clone(CLONE_VM |
//         CLONE_VFORK), so starting a child does not copy the parent's page tables, and its cost
//         does not grow with the size of the Node process (libuv's spawn forks it whole).
//       * spec.deathSignal > 0: fork + exec with PR_SET_PDEATHSIG(deathSignal), so the child is
//         signalled when the creating THREAD exits, even by SIGKILL of this process (an ssh
//         ControlMaster must not outlive its daemon). posix_spawn has no hook to run prctl in
//         the child, hence a real fork; it copies the page tables, so only the rare long-lived
//         children take this path, and callers start them from the main thread.
//   - The caller owns everything in `spec` and keeps it alive for the call. A started child is
//     the caller's to watch and reap (child_waiter.h).
#pragma once
#include <sys/types.h>

#include <cstddef>

#include "addon/unique_fd.h"

namespace lts {

class StdioPipes {
 public:
  // Creates the three pipes; returns errno (0 = all created).
  int Open();
  // The child's ends, in fd order: stdin's read end, stdout's and stderr's write ends.
  void ChildEnds(int out[3]) const;
  void CloseChildEnds();
  UniqueFd& stdinWrite() { return ends_[0][1]; }
  UniqueFd& stdoutRead() { return ends_[1][0]; }
  UniqueFd& stderrRead() { return ends_[2][0]; }

 private:
  UniqueFd ends_[3][2];  // [fd][0 = read end, 1 = write end]
};

size_t PrefillPipe(int fd, const char* data, size_t len);

struct ChildSpec {
  const char* path;       // the executable, already resolved (path_cache.h)
  char** argv;            // NULL-terminated, argv[0] included
  char** envp;            // NULL-terminated
  const char* cwd;        // nullptr: inherit ours
  int stdio[3];           // dup2'd onto the child's 0, 1, 2
  int deathSignal;        // > 0: PR_SET_PDEATHSIG with this signal (fork + exec path)
};

int StartChild(const ChildSpec& spec, pid_t* pidOut);

}  // namespace lts
