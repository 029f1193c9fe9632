#include "addon/child_spawner.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "addon/child_start.h"
#include "addon/child_waiter.h"
#include "addon/path_cache.h"
#include "addon/unique_fd.h"

extern char** environ;

namespace lts {
namespace {

// Per addon instance (env): the function data of spawnChild and killChild. The waiter deletes
// itself (child_waiter.h); the binding and its PATH cache go with the env cleanup hook.
struct SpawnerBinding {
  explicit SpawnerBinding(napi_env env) : waiter(new ChildWaiter(env)) {}
  ChildWaiter* waiter;
  PathCache paths;

  static void CleanupHook(void* arg) {
    std::unique_ptr<SpawnerBinding> self(static_cast<SpawnerBinding*>(arg));
    ChildWaiter::CleanupHook(self->waiter);
  }
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

// spawnChild's arguments, decoded. Owns every string that `argv` and `envp` point into, so it is
// filled in place and never copied or moved.
struct SpawnRequest {
  std::string binary;
  std::vector<std::string> args;
  bool ownEnv = false;  // envPairs given: the child gets exactly them
  std::vector<std::string> envs;
  bool haveCwd = false;
  std::string cwd;
  int deathSignal = 0;
  std::vector<char*> argv;  // binary, args…, nullptr
  std::vector<char*> envp;  // envs…, nullptr (only with ownEnv)
  const char* childPath = nullptr;  // the PATH= value of envs, if any

  SpawnRequest() = default;
  SpawnRequest(const SpawnRequest&) = delete;
  SpawnRequest& operator=(const SpawnRequest&) = delete;

  void decode(const Napi::CallbackInfo& info) {
    binary = info[0].As<Napi::String>().Utf8Value();
    args = stringArray(info[1]);
    ownEnv = info[2].IsArray();
    envs = stringArray(info[2]);
    haveCwd = info[3].IsString();
    if (haveCwd) cwd = info[3].As<Napi::String>().Utf8Value();
    deathSignal = info.Length() > 6 && info[6].IsNumber() ? info[6].As<Napi::Number>().Int32Value() : 0;

    argv.reserve(args.size() + 2);
    argv.push_back(const_cast<char*>(binary.c_str()));
    for (auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    if (ownEnv) {
      envp.reserve(envs.size() + 1);
      for (auto& e : envs) {
        envp.push_back(const_cast<char*>(e.c_str()));
        if (e.compare(0, 5, "PATH=") == 0) childPath = e.c_str() + 5;
      }
      envp.push_back(nullptr);
    }
  }

  char** environment() { return ownEnv ? envp.data() : environ; }
};

// The child could not be handed to the waiter: it must not run (or linger as a zombie) unseen.
void killAndReap(pid_t pid) {
  ::kill(pid, SIGKILL);
  int st;
  while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
}

Napi::Value SpawnChild(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto* sb = static_cast<SpawnerBinding*>(info.Data());
  if (info.Length() < 5 || !info[0].IsString() || !info[1].IsArray() || !info[4].IsFunction()) {
    Napi::TypeError::New(env, "spawnChild(binary, args, envPairs|null, cwd|null, onExit, stdin?, parentDeathSignal?)")
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (int e = sb->waiter->ensureStarted()) return errnoResult(env, e);
  SpawnRequest req;
  req.decode(info);

  // Resolve the executable in the parent: with our own environment the child's PATH decides (as
  // execvp after `environ = env` in a libuv child), otherwise the process's PATH.
  std::string resolved = req.binary;
  const bool searched = req.binary.find('/') == std::string::npos;
  bool cached = false;
  if (searched) {
    if (!req.ownEnv) req.childPath = ::getenv("PATH");
    if (int e = sb->paths.Resolve(req.binary, req.childPath, resolved, cached)) return errnoResult(env, e);
  }

  StdioPipes pipes;
  if (int e = pipes.Open()) return errnoResult(env, e);
  size_t stdinWritten = 0;
  bool stdinDone = false;  // no Buffer: the caller streams stdin itself (or keeps it open)
  if (info.Length() > 5 && info[5].IsBuffer()) {
    Napi::Buffer<char> in = info[5].As<Napi::Buffer<char>>();
    stdinWritten = PrefillPipe(pipes.stdinWrite().get(), in.Data(), in.Length());
    stdinDone = stdinWritten == in.Length();
  }

  ChildSpec spec{resolved.c_str(), req.argv.data(), req.environment(), req.haveCwd ? req.cwd.c_str() : nullptr, {}, req.deathSignal};
  pipes.ChildEnds(spec.stdio);
  pid_t pid = -1;
  int rc = StartChild(spec, &pid);
  if (rc != 0 && cached && (rc == ENOENT || rc == EACCES || rc == ENOEXEC)) {
    // Moved or replaced since it was found: search again, once.
    if (int e = sb->paths.Refresh(req.binary, req.childPath, resolved)) return errnoResult(env, e);
    spec.path = resolved.c_str();
    rc = StartChild(spec, &pid);
  }
  if (rc != 0) return errnoResult(env, rc);

  // Parent: close the child ends now, keep ours.
  pipes.CloseChildEnds();
  if (stdinDone) pipes.stdinWrite().reset();  // all of stdin is in the pipe: the child sees EOF after it

  UniqueFd pidfd(OpenPidfd(pid));  // the child is ours and unreaped: pid cannot be recycled
  if (!pidfd.valid()) {
    int e = errno;
    killAndReap(pid);
    return errnoResult(env, e);
  }
  sb->waiter->watch(pid, std::move(pidfd), info[4].As<Napi::Function>());

  Napi::Object o = Napi::Object::New(env);
  o.Set("pid", Napi::Number::New(env, pid));
  o.Set("stdinFd", Napi::Number::New(env, stdinDone ? -1 : pipes.stdinWrite().release()));
  o.Set("stdinWritten", Napi::Number::New(env, static_cast<double>(stdinWritten)));
  o.Set("stdoutFd", Napi::Number::New(env, pipes.stdoutRead().release()));
  o.Set("stderrFd", Napi::Number::New(env, pipes.stderrRead().release()));
  return o;
}

Napi::Value KillChild(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto* sb = static_cast<SpawnerBinding*>(info.Data());
  pid_t pid = static_cast<pid_t>(info[0].ToNumber().Int32Value());
  int sig = info[1].ToNumber().Int32Value();
  // Only a child not yet reaped (reaping happens on this thread) — never a recycled pid.
  if (pid <= 0 || !sb->waiter->isLive(pid)) return Napi::Number::New(env, ESRCH);
  return Napi::Number::New(env, ::kill(pid, sig) == 0 ? 0 : errno);
}

Napi::Value SpawnerAvailable(const Napi::CallbackInfo& info) {
  UniqueFd fd(OpenPidfd(::getpid()));
  return Napi::Boolean::New(info.Env(), fd.valid());
}

}  // namespace

void RegisterChildSpawner(Napi::Env env, Napi::Object exports) {
  auto* sb = new SpawnerBinding(env);
  napi_add_env_cleanup_hook(env, SpawnerBinding::CleanupHook, sb);
  exports.Set("spawnChild", Napi::Function::New(env, SpawnChild, "spawnChild", sb));
  exports.Set("killChild", Napi::Function::New(env, KillChild, "killChild", sb));
  exports.Set("spawnerAvailable", Napi::Function::New(env, SpawnerAvailable, "spawnerAvailable"));
}

}  // namespace lts
