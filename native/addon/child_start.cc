#include "addon/child_start.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

namespace lts {
namespace {

// posix_spawn's file actions and attributes, destroyed on every return.
struct SpawnAttrs {
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  bool faOk = false, attrOk = false;
  SpawnAttrs() {
    faOk = posix_spawn_file_actions_init(&fa) == 0;
    attrOk = posix_spawnattr_init(&attr) == 0;
  }
  ~SpawnAttrs() {
    if (faOk) posix_spawn_file_actions_destroy(&fa);
    if (attrOk) posix_spawnattr_destroy(&attr);
  }
  SpawnAttrs(const SpawnAttrs&) = delete;
  SpawnAttrs& operator=(const SpawnAttrs&) = delete;
};

int posixSpawn(const ChildSpec& spec, pid_t* pidOut) {
  SpawnAttrs sa;
  if (!sa.faOk || !sa.attrOk) return ENOMEM;
  for (int i = 0; i < 3; ++i) {
    if (int e = posix_spawn_file_actions_adddup2(&sa.fa, spec.stdio[i], i)) return e;
  }
  if (spec.cwd != nullptr) {
    if (int e = posix_spawn_file_actions_addchdir_np(&sa.fa, spec.cwd)) return e;
  }
  sigset_t all, none;
  sigfillset(&all);
#ifdef __GLIBC__
  // glibc's sigfillset leaves out its two internal signals (32, 33: SIGCANCEL, SIGSETXID) and
  // posix_spawn then sets them to SIG_IGN in the child, which exec keeps; a libuv child has
  // them at default. Add them to the set by hand (bit n-1 of the first word) so the child starts
  // with every disposition default. Nothing signals the child's tid with them before exec.
  all.__val[0] |= (1UL << 31) | (1UL << 32);
#endif
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&sa.attr, &all);
  posix_spawnattr_setsigmask(&sa.attr, &none);
  posix_spawnattr_setflags(&sa.attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  return posix_spawn(pidOut, spec.path, &sa.fa, &sa.attr, spec.argv, spec.envp);
}

// Child side of forkExec, between fork and exec: async-signal-safe calls only (the child of a
// multi-threaded process has one thread; another thread may have held any lock). Reports its
// errno on `errFd` (O_CLOEXEC: a successful exec closes it) and exits 127 when something fails.
[[noreturn]] void forkedChild(const ChildSpec& spec, pid_t parent, int errFd) {
  struct sigaction dfl;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  for (int s = 1; s < NSIG; ++s) (void)::sigaction(s, &dfl, nullptr);  // Node ignores SIGPIPE
  int err = 0;
  for (int i = 0; i < 3 && err == 0; ++i)
    if (::dup2(spec.stdio[i], i) < 0) err = errno;
  if (err == 0 && spec.cwd != nullptr && ::chdir(spec.cwd) != 0) err = errno;
  if (err == 0 && ::prctl(PR_SET_PDEATHSIG, spec.deathSignal) != 0) err = errno;
  // The parent may have died before prctl took effect: then no signal will ever come.
  if (err == 0 && ::getppid() != parent) ::_exit(127);
  if (err == 0) {
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execve(spec.path, spec.argv, spec.envp);
    err = errno;
  }
  ssize_t n;
  do n = ::write(errFd, &err, sizeof err);
  while (n < 0 && errno == EINTR);
  ::_exit(127);
}

// fork + exec with PR_SET_PDEATHSIG (see the header). An exec failure in the child comes back
// through a CLOEXEC pipe: EOF means the exec succeeded, an int is the child's errno (the child
// is then reaped here).
int forkExec(const ChildSpec& spec, pid_t* pidOut) {
  int ep[2];
  if (::pipe2(ep, O_CLOEXEC) != 0) return errno;
  UniqueFd errRead(ep[0]), errWrite(ep[1]);
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);  // no Node handler may run in the child
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid == 0) forkedChild(spec, parent, errWrite.get());
  int forkErr = errno;
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (pid < 0) return forkErr;
  errWrite.reset();
  int childErr = 0;
  ssize_t n;
  do n = ::read(errRead.get(), &childErr, sizeof childErr);
  while (n < 0 && errno == EINTR);
  if (n == static_cast<ssize_t>(sizeof childErr)) {
    int st;
    while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    return childErr != 0 ? childErr : ECHILD;
  }
  *pidOut = pid;
  return 0;
}

}  // namespace

int StdioPipes::Open() {
  for (int i = 0; i < 3; ++i) {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) return errno;
    ends_[i][0] = UniqueFd(p[0]);
    ends_[i][1] = UniqueFd(p[1]);
  }
  return 0;
}

void StdioPipes::ChildEnds(int out[3]) const {
  out[0] = ends_[0][0].get();
  out[1] = ends_[1][1].get();
  out[2] = ends_[2][1].get();
}

void StdioPipes::CloseChildEnds() {
  ends_[0][0].reset();
  ends_[1][1].reset();
  ends_[2][1].reset();
}

size_t PrefillPipe(int fd, const char* data, size_t len) {
  if (len == 0) return 0;
  int fl = ::fcntl(fd, F_GETFL);
  if (fl < 0 || ::fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0) return 0;
  size_t off = 0;
  while (off < len) {
    ssize_t n = ::write(fd, data + off, len - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      break;  // EAGAIN: the pipe is full; the JS side streams the rest
    }
    off += static_cast<size_t>(n);
  }
  return off;
}

int StartChild(const ChildSpec& spec, pid_t* pidOut) {
  if (spec.deathSignal > 0) return forkExec(spec, pidOut);
  return posixSpawn(spec, pidOut);
}

}  // namespace lts
