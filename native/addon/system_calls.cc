#include "addon/system_calls.h"

#include <errno.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include <cstring>
#include <string>

namespace lts {
namespace {

std::string g_ident;  // openlog(3) keeps the pointer: it must outlive every syslog() call

Napi::Value SyslogOpen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsNumber()) {
    Napi::TypeError::New(env, "syslogOpen(ident, facility)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  closelog();
  g_ident = info[0].As<Napi::String>().Utf8Value();
  openlog(g_ident.c_str(), LOG_PID | LOG_NDELAY, info[1].As<Napi::Number>().Int32Value());
  return env.Undefined();
}

Napi::Value SyslogWrite(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsNumber() || !info[1].IsString()) {
    Napi::TypeError::New(env, "syslogWrite(priority, message)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  std::string msg = info[1].As<Napi::String>().Utf8Value();
  syslog(info[0].As<Napi::Number>().Int32Value(), "%s", msg.c_str());
  return env.Undefined();
}

Napi::Value SdNotify(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsString()) {
    Napi::TypeError::New(env, "sdNotify(socketPath, state)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  std::string path = info[0].As<Napi::String>().Utf8Value();
  std::string state = info[1].As<Napi::String>().Utf8Value();
  struct sockaddr_un addr;
  std::memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof addr.sun_path || (path[0] != '/' && path[0] != '@'))
    return Napi::Number::New(env, EINVAL);
  std::memcpy(addr.sun_path, path.data(), path.size());
  if (path[0] == '@') addr.sun_path[0] = '\0';  // abstract namespace
  socklen_t len = static_cast<socklen_t>(offsetof(struct sockaddr_un, sun_path) + path.size());
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Napi::Number::New(env, errno);
  ssize_t n;
  do {
    n = sendto(fd, state.data(), state.size(), MSG_NOSIGNAL, reinterpret_cast<struct sockaddr*>(&addr), len);
  } while (n < 0 && errno == EINTR);
  int err = n < 0 ? errno : 0;
  close(fd);
  return Napi::Number::New(env, err);
}

// lseek(fd, offset, SEEK_DATA or SEEK_HOLE): the next data (hole) offset at or after `offset`,
// or -errno (ENXIO: no data after `offset`). One syscall; the fd stays the caller's.
Napi::Value SeekDataHole(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsNumber() || !info[1].IsNumber() || !info[2].IsBoolean()) {
    Napi::TypeError::New(env, "seekDataHole(fd, offset, hole)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  int fd = info[0].As<Napi::Number>().Int32Value();
  off_t offset = static_cast<off_t>(info[1].As<Napi::Number>().Int64Value());
  off_t r = ::lseek(fd, offset, info[2].As<Napi::Boolean>().Value() ? SEEK_HOLE : SEEK_DATA);
  return Napi::Number::New(env, r < 0 ? -static_cast<double>(errno) : static_cast<double>(r));
}

}  // namespace

void RegisterSystemCalls(Napi::Env env, Napi::Object exports) {
  exports.Set("syslogOpen", Napi::Function::New(env, SyslogOpen, "syslogOpen"));
  exports.Set("syslogWrite", Napi::Function::New(env, SyslogWrite, "syslogWrite"));
  exports.Set("sdNotify", Napi::Function::New(env, SdNotify, "sdNotify"));
  exports.Set("seekDataHole", Napi::Function::New(env, SeekDataHole, "seekDataHole"));
}

}  // namespace lts
