#include "addon/child_waiter.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <memory>

namespace lts {

int OpenPidfd(pid_t pid) { return static_cast<int>(syscall(SYS_pidfd_open, pid, 0)); }

int ChildWaiter::ensureStarted() {
  if (started_) return 0;
  if (stopping_) return ESHUTDOWN;
  UniqueFd wake(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!wake.valid()) return errno;
  tsfn_ = ChildExitTsfn::New(env_, "lsyncd-ts-child-exit", 0, 1, this, ChildWaiterFinalize, static_cast<void*>(nullptr));
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

void ChildWaiter::watch(pid_t pid, UniqueFd pidfd, Napi::Function onExit) {
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

Napi::FunctionReference ChildWaiter::take(pid_t pid) {
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

bool ChildWaiter::shutdown() {
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

void ChildWaiter::CleanupHook(void* arg) {
  auto* self = static_cast<ChildWaiter*>(arg);
  if (self->shutdown()) delete self;
}

void ChildWaiter::poke() {
  uint64_t one = 1;
  ssize_t n;
  do n = ::write(wake_.get(), &one, sizeof one);
  while (n < 0 && errno == EINTR);
}

void ChildWaiter::run() {
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
      auto* m = new ChildExitMsg{kids[i].first};
      if (tsfn_.NonBlockingCall(m) != napi_ok) delete m;
    }
    kids.swap(still);
  }
  for (auto& k : kids) ::close(k.second);
}

void ChildWaiterFinalize(Napi::Env, void*, ChildWaiter* ctx) { delete ctx; }

void ChildExitCallJs(Napi::Env env, Napi::Function, ChildWaiter* ctx, ChildExitMsg* raw) {
  std::unique_ptr<ChildExitMsg> msg(raw);
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

}  // namespace lts
