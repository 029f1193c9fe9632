#include "addon/child_spawner.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "addon/unique_fd.h"

extern char** environ;

namespace lts {
namespace {

int pidfdOpen(pid_t pid) { return static_cast<int>(syscall(SYS_pidfd_open, pid, 0)); }

struct ExitMsg {
  pid_t pid;
};

class Spawner;
void ExitCallJs(Napi::Env env, Napi::Function cb, Spawner* ctx, ExitMsg* msg);
void TsfnFinalize(Napi::Env env, void* data, Spawner* ctx);
using ExitTsfn = Napi::TypedThreadSafeFunction<Spawner, ExitMsg, ExitCallJs>;

// One per env. JS-thread state: live (pid -> onExit), tsfn. Waiter-thread state: the pidfds.
// Lifetime: deleted by the env cleanup hook, or — once a TSFN exists — by its finalizer, which
// runs after the last ExitCallJs.
class Spawner {
 public:
  explicit Spawner(napi_env env) : env_(env) {}

  // JS thread. Creates the eventfd, TSFN and waiter thread on first use; returns errno.
  int ensureStarted() {
    if (started_) return 0;
    if (stopping_) return ESHUTDOWN;
    UniqueFd wake(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!wake.valid()) return errno;
    tsfn_ = ExitTsfn::New(env_, "lsyncd-ts-child-exit", 0, 1, this, TsfnFinalize, static_cast<void*>(nullptr));
    tsfnLive_ = true;
    tsfn_.Unref(env_);  // referenced only while children are alive
    wake_ = std::move(wake);
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    try {
      thread_ = std::thread([this] { run(); });
    } catch (...) {
      pthread_sigmask(SIG_SETMASK, &old, nullptr);
      tsfn_.Release();
      tsfnLive_ = false;
      return EAGAIN;
    }
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    started_ = true;
    return 0;
  }

  // JS thread: a new child to wait for.
  void watch(pid_t pid, UniqueFd pidfd, Napi::Function onExit) {
    live_[pid] = Napi::Persistent(onExit);
    if (!refd_) {
      tsfn_.Ref(env_);
      refd_ = true;
    }
    {
      std::lock_guard<std::mutex> g(mu_);
      incoming_.emplace_back(pid, pidfd.get());
    }
    (void)pidfd.release();
    poke();
  }

  bool isLive(pid_t pid) const { return live_.count(pid) != 0; }

  // JS thread. PATH lookups cached per (binary, PATH): posix_spawnp would search inside the
  // vfork child, one failing execve per PATH entry before the child runs at all (lsyncd execs
  // /usr/bin/rsync directly). A cached path that stops working (ENOENT/EACCES/ENOEXEC at spawn)
  // is dropped and searched again once, so a moved or replaced binary is found as execvp would.
  std::unordered_map<std::string, std::string> pathCache;

  // JS thread, from ExitCallJs: the child was reaped; returns its callback.
  Napi::FunctionReference take(pid_t pid) {
    Napi::FunctionReference cb;
    auto it = live_.find(pid);
    if (it != live_.end()) {
      cb = std::move(it->second);
      live_.erase(it);
    }
    if (live_.empty() && refd_ && tsfnLive_) {
      tsfn_.Unref(env_);
      refd_ = false;
    }
    return cb;
  }

  // Env cleanup: stop and join the waiter, release the TSFN; returns true if `this` may be
  // deleted now (no TSFN whose finalizer would do it).
  bool shutdown() {
    stopping_ = true;
    if (thread_.joinable()) {
      {
        std::lock_guard<std::mutex> g(mu_);
        stop_ = true;
      }
      poke();
      thread_.join();
    }
    live_.clear();
    if (tsfnLive_) {
      tsfnLive_ = false;
      tsfn_.Release();
      return false;
    }
    return true;
  }

  static void CleanupHook(void* arg) {
    auto* self = static_cast<Spawner*>(arg);
    if (self->shutdown()) delete self;
  }

 private:
  void poke() {
    uint64_t one = 1;
    ssize_t n;
    do n = ::write(wake_.get(), &one, sizeof one);
    while (n < 0 && errno == EINTR);
  }

  // Waiter thread: poll the eventfd and every pidfd; a readable pidfd = the child exited.
  void run() {
    std::vector<std::pair<pid_t, int>> kids;  // owned pidfds
    std::vector<pollfd> pfds;
    for (;;) {
      {
        std::lock_guard<std::mutex> g(mu_);
        if (stop_) break;
        for (auto& k : incoming_) kids.push_back(k);
        incoming_.clear();
      }
      pfds.clear();
      pfds.push_back(pollfd{wake_.get(), POLLIN, 0});
      for (auto& k : kids) pfds.push_back(pollfd{k.second, POLLIN, 0});
      int n = ::poll(pfds.data(), pfds.size(), -1);
      if (n < 0) {
        if (errno == EINTR) continue;
        break;
      }
      if (pfds[0].revents) {
        uint64_t v;
        while (::read(wake_.get(), &v, sizeof v) > 0) {
        }
      }
      std::vector<std::pair<pid_t, int>> still;
      still.reserve(kids.size());
      for (size_t i = 0; i < kids.size(); ++i) {
        if (pfds[i + 1].revents == 0) {
          still.push_back(kids[i]);
          continue;
        }
        ::close(kids[i].second);
        auto* m = new ExitMsg{kids[i].first};
        if (tsfn_.NonBlockingCall(m) != napi_ok) delete m;
      }
      kids.swap(still);
    }
    for (auto& k : kids) ::close(k.second);
  }

  napi_env env_;
  bool started_ = false;
  bool stopping_ = false;
  bool tsfnLive_ = false;
  bool refd_ = false;
  ExitTsfn tsfn_;
  std::unordered_map<pid_t, Napi::FunctionReference> live_;
  UniqueFd wake_;
  std::thread thread_;
  std::mutex mu_;
  bool stop_ = false;
  std::vector<std::pair<pid_t, int>> incoming_;
};

void TsfnFinalize(Napi::Env, void*, Spawner* ctx) { delete ctx; }

void ExitCallJs(Napi::Env env, Napi::Function, Spawner* ctx, ExitMsg* raw) {
  std::unique_ptr<ExitMsg> msg(raw);
  // Reap here, on the JS thread, also at teardown (env == nullptr) so no zombie is left.
  int status = 0;
  pid_t r;
  do r = ::waitpid(msg->pid, &status, WNOHANG);
  while (r < 0 && errno == EINTR);
  if (env == nullptr || ctx == nullptr) return;
  Napi::FunctionReference cb = ctx->take(msg->pid);
  if (cb.IsEmpty()) return;
  double code = -1, sig = 0;
  if (r == msg->pid) {
    if (WIFEXITED(status)) code = WEXITSTATUS(status);
    else if (WIFSIGNALED(status)) sig = WTERMSIG(status);
  }
  napi_value argv[2], recv;
  if (napi_create_double(env, code, &argv[0]) != napi_ok || napi_create_double(env, sig, &argv[1]) != napi_ok ||
      napi_get_undefined(env, &recv) != napi_ok)
    return;
  napi_call_function(env, recv, cb.Value(), 2, argv, nullptr);
}

// execvp-style PATH search for a binary without '/', in the parent; the first regular file we
// may execute wins. Returns errno (0 = found, `out` set).
int searchPath(const std::string& file, const char* path, std::string& out) {
  if (path == nullptr) path = "/bin:/usr/bin";
  int err = ENOENT;
  std::string p(path);
  size_t start = 0;
  for (;;) {
    size_t colon = p.find(':', start);
    std::string dir = p.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    std::string cand = (dir.empty() ? std::string(".") : dir) + "/" + file;
    struct stat st;
    if (::stat(cand.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
      if (::access(cand.c_str(), X_OK) == 0) {
        out = cand;
        return 0;
      }
      err = EACCES;
    }
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return err;
}

// Writes as much of `data` as fits into the pipe (never blocks); returns bytes written.
size_t prefill(int fd, const char* data, size_t len) {
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

Napi::Object errnoResult(Napi::Env env, int err) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("errno", Napi::Number::New(env, err));
  return o;
}

// Strings are encoded as UTF-8; a Buffer element is taken byte for byte (a path that is not
// valid UTF-8 cannot be a JS string without loss).
std::vector<std::string> stringArray(const Napi::Value& v) {
  std::vector<std::string> out;
  if (!v.IsArray()) return out;
  Napi::Array a = v.As<Napi::Array>();
  out.reserve(a.Length());
  for (uint32_t i = 0; i < a.Length(); ++i) {
    Napi::Value e = a.Get(i);
    if (e.IsBuffer()) {
      Napi::Buffer<char> b = e.As<Napi::Buffer<char>>();
      out.emplace_back(b.Data(), b.Length());
    } else {
      out.push_back(e.ToString().Utf8Value());
    }
  }
  return out;
}

// Child side of forkExec, between fork and exec: async-signal-safe calls only (the child of a
// multi-threaded process has one thread; another thread may have held any lock). Reports its
// errno on `errFd` (O_CLOEXEC: a successful exec closes it) and exits 127 when something fails.
[[noreturn]] void forkedChild(const char* path, char** argv, char** envp, const int childEnd[3], const char* cwd,
                              int deathSignal, pid_t parent, int errFd) {
  struct sigaction dfl;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  for (int s = 1; s < NSIG; ++s) (void)::sigaction(s, &dfl, nullptr);  // Node ignores SIGPIPE
  int err = 0;
  for (int i = 0; i < 3 && err == 0; ++i)
    if (::dup2(childEnd[i], i) < 0) err = errno;
  if (err == 0 && cwd != nullptr && ::chdir(cwd) != 0) err = errno;
  if (err == 0 && ::prctl(PR_SET_PDEATHSIG, deathSignal) != 0) err = errno;
  // The parent may have died before prctl took effect: then no signal will ever come.
  if (err == 0 && ::getppid() != parent) ::_exit(127);
  if (err == 0) {
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execve(path, argv, envp);
    err = errno;
  }
  ssize_t n;
  do n = ::write(errFd, &err, sizeof err);
  while (n < 0 && errno == EINTR);
  ::_exit(127);
}

// fork + exec for a child that must die with the thread that starts it (PR_SET_PDEATHSIG; the
// kernel sends it when the creating THREAD exits, so callers spawn from the main thread).
// posix_spawn has no hook for prctl, hence a real fork: it costs the page-table copy, so only
// the rare long-lived children (ssh ControlMaster) take this path. Returns errno (0 = started,
// *pidOut set); an exec failure in the child is returned like posix_spawn's.
int forkExec(pid_t* pidOut, const char* path, char** argv, char** envp, const int childEnd[3], const char* cwd,
             int deathSignal) {
  int ep[2];
  if (::pipe2(ep, O_CLOEXEC) != 0) return errno;
  UniqueFd errRead(ep[0]), errWrite(ep[1]);
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);  // no Node handler may run in the child
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid == 0) forkedChild(path, argv, envp, childEnd, cwd, deathSignal, parent, errWrite.get());
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

Napi::Value SpawnChild(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto* sp = static_cast<Spawner*>(info.Data());
  if (info.Length() < 5 || !info[0].IsString() || !info[1].IsArray() || !info[4].IsFunction()) {
    Napi::TypeError::New(env, "spawnChild(binary, args, envPairs|null, cwd|null, onExit, stdin?, parentDeathSignal?)")
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (int e = sp->ensureStarted()) return errnoResult(env, e);

  std::string binary = info[0].As<Napi::String>().Utf8Value();
  std::vector<std::string> args = stringArray(info[1]);
  bool ownEnv = info[2].IsArray();
  std::vector<std::string> envs = stringArray(info[2]);
  bool haveCwd = info[3].IsString();
  std::string cwd = haveCwd ? info[3].As<Napi::String>().Utf8Value() : std::string();

  std::vector<char*> argv;
  argv.reserve(args.size() + 2);
  argv.push_back(const_cast<char*>(binary.c_str()));
  for (auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  const char* childPath = nullptr;
  if (ownEnv) {
    envp.reserve(envs.size() + 1);
    for (auto& e : envs) {
      envp.push_back(const_cast<char*>(e.c_str()));
      if (e.compare(0, 5, "PATH=") == 0) childPath = e.c_str() + 5;
    }
    envp.push_back(nullptr);
  }

  // Resolve the executable in the parent: with our own environment the child's PATH decides (as
  // execvp after `environ = env` in a libuv child), otherwise the process's PATH.
  std::string resolved = binary;
  std::string cacheKey;
  bool cached = false;
  if (binary.find('/') == std::string::npos) {
    if (!ownEnv) childPath = ::getenv("PATH");
    cacheKey = binary + '\0' + (childPath ? childPath : "");
    auto it = sp->pathCache.find(cacheKey);
    if (it != sp->pathCache.end()) {
      resolved = it->second;
      cached = true;
    } else {
      if (int e = searchPath(binary, childPath, resolved)) return errnoResult(env, e);
      sp->pathCache[cacheKey] = resolved;
    }
  }

  int p[3][2];
  UniqueFd ends[3][2];
  for (int i = 0; i < 3; ++i) {
    if (::pipe2(p[i], O_CLOEXEC) != 0) return errnoResult(env, errno);
    ends[i][0] = UniqueFd(p[i][0]);
    ends[i][1] = UniqueFd(p[i][1]);
  }
  // stdin bytes go into the pipe before the child exists: the child never waits for this
  // thread to be scheduled again after the spawn (on a busy machine that took 2 ms and more,
  // the whole of rsync's latency gap to lsyncd — bench/RESULTS.md). Whatever does not fit in
  // the pipe is streamed by the JS side.
  size_t stdinWritten = 0;
  bool stdinDone = false;  // no Buffer: the caller streams stdin itself (or keeps it open)
  if (info.Length() > 5 && info[5].IsBuffer()) {
    Napi::Buffer<char> in = info[5].As<Napi::Buffer<char>>();
    stdinWritten = prefill(ends[0][1].get(), in.Data(), in.Length());
    stdinDone = stdinWritten == in.Length();
  }
  // Child ends: stdin reads from pipe 0, stdout/stderr write to pipes 1/2.
  const int childEnd[3] = {ends[0][0].get(), ends[1][1].get(), ends[2][1].get()};

  SpawnAttrs sa;
  if (!sa.faOk || !sa.attrOk) return errnoResult(env, ENOMEM);
  for (int i = 0; i < 3; ++i) {
    if (int e = posix_spawn_file_actions_adddup2(&sa.fa, childEnd[i], i)) return errnoResult(env, e);
  }
  if (haveCwd) {
    if (int e = posix_spawn_file_actions_addchdir_np(&sa.fa, cwd.c_str())) return errnoResult(env, e);
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

  pid_t pid = -1;
  char** envArg = ownEnv ? envp.data() : environ;
  const int deathSignal = info.Length() > 6 && info[6].IsNumber() ? info[6].As<Napi::Number>().Int32Value() : 0;
  auto start = [&]() {
    if (deathSignal > 0) return forkExec(&pid, resolved.c_str(), argv.data(), envArg, childEnd, haveCwd ? cwd.c_str() : nullptr, deathSignal);
    return posix_spawn(&pid, resolved.c_str(), &sa.fa, &sa.attr, argv.data(), envArg);
  };
  int rc = start();
  if (rc != 0 && cached && (rc == ENOENT || rc == EACCES || rc == ENOEXEC)) {
    sp->pathCache.erase(cacheKey);  // moved or replaced since it was found: search again
    if (int e = searchPath(binary, childPath, resolved)) return errnoResult(env, e);
    sp->pathCache[cacheKey] = resolved;
    rc = start();
  }
  if (rc != 0) return errnoResult(env, rc);

  // Parent: close the child ends now, keep ours.
  ends[0][0].reset();
  ends[1][1].reset();
  ends[2][1].reset();
  if (stdinDone) ends[0][1].reset();  // all of stdin is in the pipe: the child sees EOF after it

  UniqueFd pidfd(pidfdOpen(pid));  // the child is ours and unreaped: pid cannot be recycled
  if (!pidfd.valid()) {
    int e = errno;
    ::kill(pid, SIGKILL);
    int st;
    while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    return errnoResult(env, e);
  }
  sp->watch(pid, std::move(pidfd), info[4].As<Napi::Function>());

  Napi::Object o = Napi::Object::New(env);
  o.Set("pid", Napi::Number::New(env, pid));
  o.Set("stdinFd", Napi::Number::New(env, stdinDone ? -1 : ends[0][1].release()));
  o.Set("stdinWritten", Napi::Number::New(env, static_cast<double>(stdinWritten)));
  o.Set("stdoutFd", Napi::Number::New(env, ends[1][0].release()));
  o.Set("stderrFd", Napi::Number::New(env, ends[2][0].release()));
  return o;
}

Napi::Value KillChild(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto* sp = static_cast<Spawner*>(info.Data());
  pid_t pid = static_cast<pid_t>(info[0].ToNumber().Int32Value());
  int sig = info[1].ToNumber().Int32Value();
  // Only a child not yet reaped (reaping happens on this thread) — never a recycled pid.
  if (pid <= 0 || !sp->isLive(pid)) return Napi::Number::New(env, ESRCH);
  return Napi::Number::New(env, ::kill(pid, sig) == 0 ? 0 : errno);
}

Napi::Value SpawnerAvailable(const Napi::CallbackInfo& info) {
  UniqueFd fd(pidfdOpen(::getpid()));
  return Napi::Boolean::New(info.Env(), fd.valid());
}

}  // namespace

void RegisterChildSpawner(Napi::Env env, Napi::Object exports) {
  auto* sp = new Spawner(env);
  napi_add_env_cleanup_hook(env, Spawner::CleanupHook, sp);
  exports.Set("spawnChild", Napi::Function::New(env, SpawnChild, "spawnChild", sp));
  exports.Set("killChild", Napi::Function::New(env, KillChild, "killChild", sp));
  exports.Set("spawnerAvailable", Napi::Function::New(env, SpawnerAvailable, "spawnerAvailable"));
}

}  // namespace lts
