// Exit notification for the children the spawner starts (child_spawner.cc).
//
// Contract:
//   - One ChildWaiter per addon instance (env). On first use (ensureStarted, JS thread) it
//     creates an eventfd, a thread-safe function and the waiter thread; the thread starts with
//     every signal blocked, so no process signal is ever delivered to it.
//   - watch(pid, pidfd, onExit), JS thread: takes ownership of `pidfd` (the child's, opened with
//     OpenPidfd while the child is still unreaped, so it cannot name a recycled pid) and keeps
//     `onExit` until the child is reaped.
//   - The waiter thread polls the eventfd (new children, stop) and every pidfd. A readable pidfd
//     means the child is a zombie; the thread closes the pidfd and posts the pid to the JS thread
//     but does not reap it. Reaping (waitpid) happens on the JS thread in the TSFN callback, which
//     then calls onExit(code, signal) once: code = exit status or -1, signal = the terminating
//     signal number or 0. Because killChild (also on the JS thread) only signals pids still in
//     `live`, it can never signal a recycled pid. libuv reaps only the pids of its own process
//     handles (waitpid(pid)), so neither side steals the other's children.
//   - The TSFN is referenced only while children are alive: an idle spawner never keeps Node's
//     event loop running.
//   - Lifetime: the env cleanup hook stops and joins the thread (shutdown). The object is deleted
//     there, or — once a TSFN exists — by the TSFN's finalizer, which runs after the last
//     callback; at teardown the callback still reaps, so no zombie is left.
#pragma once
#include <napi.h>
#include <sys/types.h>

#include <mutex>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "addon/unique_fd.h"

namespace lts {

// pidfd_open(2) of `pid`; -1 with errno on failure (or on a kernel without it).
int OpenPidfd(pid_t pid);

class ChildWaiter;
struct ChildExitMsg {
  pid_t pid;
};
void ChildExitCallJs(Napi::Env env, Napi::Function cb, ChildWaiter* ctx, ChildExitMsg* msg);
void ChildWaiterFinalize(Napi::Env env, void* data, ChildWaiter* ctx);
using ChildExitTsfn = Napi::TypedThreadSafeFunction<ChildWaiter, ChildExitMsg, ChildExitCallJs>;

class ChildWaiter {
 public:
  explicit ChildWaiter(napi_env env) : env_(env) {}
  ChildWaiter(const ChildWaiter&) = delete;
  ChildWaiter& operator=(const ChildWaiter&) = delete;

  // JS thread. Creates the eventfd, TSFN and waiter thread on first use; returns errno.
  int ensureStarted();
  // JS thread: a new child to wait for.
  void watch(pid_t pid, UniqueFd pidfd, Napi::Function onExit);
  // JS thread: `pid` is a child of ours that has not been reaped yet.
  bool isLive(pid_t pid) const { return live_.count(pid) != 0; }
  // JS thread, from ChildExitCallJs: the child was reaped; returns its callback.
  Napi::FunctionReference take(pid_t pid);
  // Env cleanup hook: stops the thread; deletes the waiter unless the TSFN finalizer will.
  static void CleanupHook(void* arg);

 private:
  // Stop and join the waiter, release the TSFN; returns true if `this` may be deleted now (no
  // TSFN whose finalizer would do it).
  bool shutdown();
  void poke();
  // Waiter thread: poll the eventfd and every pidfd; a readable pidfd = the child exited.
  void run();

  napi_env env_;
  bool started_ = false;
  bool stopping_ = false;
  bool tsfnLive_ = false;
  bool refd_ = false;
  ChildExitTsfn tsfn_;
  std::unordered_map<pid_t, Napi::FunctionReference> live_;  // JS thread only
  UniqueFd wake_;
  std::thread thread_;
  std::mutex mu_;  // guards stop_ and incoming_ (JS thread ↔ waiter thread)
  bool stop_ = false;
  std::vector<std::pair<pid_t, int>> incoming_;
};

}  // namespace lts
