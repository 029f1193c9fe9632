#include "addon/watcher_object.h"

#include <errno.h>
#include <string.h>
#include <sys/inotify.h>

#include <cstring>

namespace lts {
namespace {

Napi::Error errnoError(Napi::Env env, const char* what, int err) {
  Napi::Error e = Napi::Error::New(env, std::string(what) + ": " + strerror(err));
  e.Set("errno", Napi::Number::New(env, err));
  return e;
}

template <class T, class A>
A copyArray(Napi::Env env, const std::vector<T>& v) {
  Napi::ArrayBuffer ab = Napi::ArrayBuffer::New(env, v.size() * sizeof(T));
  if (!v.empty()) std::memcpy(ab.Data(), v.data(), v.size() * sizeof(T));
  return A::New(env, v.size(), ab, 0);
}

double numberOr(const Napi::Object& o, const char* key, double dflt) {
  Napi::Value v = o.Get(key);
  return v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : dflt;
}

}  // namespace

void CallJs(Napi::Env env, Napi::Function cb, WatcherObject*, Message* raw) {
  std::unique_ptr<Message> msg(raw);  // freed on every path, including env == nullptr
  if (env == nullptr || cb.IsEmpty()) return;
  Napi::HandleScope scope(env);
  Napi::Object o = Napi::Object::New(env);
  if (msg->type == Message::BatchMsg) {
    const Batch& b = msg->batch;
    o.Set("type", Napi::Number::New(env, 1));
    o.Set("kind", copyArray<uint8_t, Napi::Uint8Array>(env, b.kind));
    o.Set("flags", copyArray<uint8_t, Napi::Uint8Array>(env, b.flags));
    o.Set("cookie", copyArray<uint32_t, Napi::Uint32Array>(env, b.cookie));
    o.Set("root", copyArray<uint16_t, Napi::Uint16Array>(env, b.root));
    o.Set("err", copyArray<int32_t, Napi::Int32Array>(env, b.err));
    o.Set("pathOff", copyArray<uint32_t, Napi::Uint32Array>(env, b.pathOff));
    o.Set("pathBytes", Napi::Buffer<char>::Copy(env, b.pathBytes.data(), b.pathBytes.size()));
    Napi::Array ids = Napi::Array::New(env, msg->flushIds.size());
    for (uint32_t i = 0; i < msg->flushIds.size(); ++i) ids.Set(i, Napi::Number::New(env, msg->flushIds[i]));
    o.Set("flushIds", ids);
  } else {
    o.Set("type", Napi::Number::New(env, 2));
    o.Set("reqId", Napi::Number::New(env, msg->reqId));
    o.Set("err", Napi::Number::New(env, msg->err));
    o.Set("dirs", Napi::Number::New(env, static_cast<double>(msg->dirs)));
    Napi::Array errs = Napi::Array::New(env, msg->errors.size());
    for (uint32_t i = 0; i < msg->errors.size(); ++i) {
      Napi::Object e = Napi::Object::New(env);
      const WalkError& we = msg->errors[i];
      e.Set("path", Napi::Buffer<char>::Copy(env, we.relPath.data(), we.relPath.size()));
      e.Set("err", Napi::Number::New(env, we.err));
      errs.Set(i, e);
    }
    o.Set("errors", errs);
  }
  cb.Call({o});  // the TS side never throws from here; a pending exception surfaces as uncaught
}

Napi::Function WatcherObject::Define(Napi::Env env) {
  return DefineClass(env, "NativeWatcher",
                     {InstanceMethod<&WatcherObject::Add>("add"),
                      InstanceMethod<&WatcherObject::Remove>("remove"),
                      InstanceMethod<&WatcherObject::Flush>("flush"),
                      InstanceMethod<&WatcherObject::Ack>("ack"),
                      InstanceMethod<&WatcherObject::Stats>("stats"),
                      InstanceMethod<&WatcherObject::Close>("close"),
                      InstanceMethod<&WatcherObject::PauseReader>("pauseReader"),
                      InstanceMethod<&WatcherObject::FailAddWatchAfter>("failAddWatchAfter")});
}

WatcherObject::WatcherObject(const Napi::CallbackInfo& info) : Napi::ObjectWrap<WatcherObject>(info) {
  Napi::Env env = info.Env();
  env_ = env;
  if (info.Length() < 2 || !info[0].IsObject() || !info[1].IsFunction()) {
    Napi::TypeError::New(env, "NativeWatcher(options, onMessage)").ThrowAsJavaScriptException();
    return;
  }
  Napi::Object o = info[0].As<Napi::Object>();
  WatcherOptions wopt;
  int mode = static_cast<int>(numberOr(o, "mode", 0));
  if (mode < 0 || mode > 3) {
    Napi::RangeError::New(env, "mode must be 0..3").ThrowAsJavaScriptException();
    return;
  }
  wopt.mode = static_cast<InotifyMode>(mode);
  wopt.moveGraceMs = static_cast<uint64_t>(numberOr(o, "moveGraceMs", 20));
  wopt.maxPending = static_cast<size_t>(numberOr(o, "maxPending", 1000000));
  DeliveryOptions dopt;
  dopt.settleMs = static_cast<uint64_t>(numberOr(o, "settleMs", 20));
  dopt.maxLatencyMs = static_cast<uint64_t>(numberOr(o, "maxLatencyMs", 200));
  dopt.maxBatch = static_cast<size_t>(numberOr(o, "maxBatch", 8192));

  UniqueFd ifd(inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
  if (!ifd.valid()) {
    errnoError(env, "inotify_init1", errno).ThrowAsJavaScriptException();
    return;
  }
  tsfn_ = Tsfn::New(env, info[1].As<Napi::Function>(), "lsyncd-ts-watcher", 0, 1, this);
  tsfnLive_ = true;
  reader_ = std::make_unique<ReaderThread>(std::move(ifd), wopt, dopt, [this](Message* m) {
    return tsfn_.NonBlockingCall(m) == napi_ok;
  });
  if (!reader_->start()) {
    reader_.reset();
    tsfn_.Release();
    tsfnLive_ = false;
    errnoError(env, "eventfd", errno).ThrowAsJavaScriptException();
    return;
  }
  napi_add_env_cleanup_hook(env, CleanupHook, this);
  hookAdded_ = true;
}

WatcherObject::~WatcherObject() { shutdown(); }

void WatcherObject::CleanupHook(void* arg) {
  auto* self = static_cast<WatcherObject*>(arg);
  self->hookAdded_ = false;  // Node removes the hook itself after calling it
  self->shutdown();
}

void WatcherObject::shutdown() {
  if (reader_) {
    reader_->stopAndJoin();  // no more NonBlockingCall after this
    reader_.reset();
  }
  if (tsfnLive_) {
    tsfn_.Release();
    tsfnLive_ = false;
  }
  if (hookAdded_) {
    napi_remove_env_cleanup_hook(env_, CleanupHook, this);
    hookAdded_ = false;
  }
}

bool WatcherObject::usable(const Napi::CallbackInfo& info) {
  if (reader_) return true;
  Napi::Error::New(info.Env(), "watcher is closed").ThrowAsJavaScriptException();
  return false;
}

Napi::Value WatcherObject::Add(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!usable(info)) return env.Undefined();
  if (info.Length() < 4 || !info[0].IsNumber() || !info[1].IsNumber() || !info[2].IsString() ||
      !info[3].IsArray()) {
    Napi::TypeError::New(env, "add(reqId, rootId, absPath, rules)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Command c{Command::AddRoot};
  c.reqId = info[0].As<Napi::Number>().Uint32Value();
  c.root = static_cast<uint16_t>(info[1].As<Napi::Number>().Uint32Value());
  c.path = info[2].As<Napi::String>().Utf8Value();
  Napi::Array rules = info[3].As<Napi::Array>();
  for (uint32_t i = 0; i < rules.Length(); ++i) {
    Napi::Value v = rules.Get(i);
    if (!v.IsObject()) continue;
    Napi::Object r = v.As<Napi::Object>();
    Napi::Value pat = r.Get("pattern");
    if (!pat.IsString()) continue;
    c.rules.push_back(Rule{r.Get("include").ToBoolean().Value(), pat.As<Napi::String>().Utf8Value()});
  }
  reader_->post(std::move(c));
  return env.Undefined();
}

Napi::Value WatcherObject::Remove(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!usable(info)) return env.Undefined();
  Command c{Command::RemoveRoot};
  c.reqId = info[0].ToNumber().Uint32Value();
  c.root = static_cast<uint16_t>(info[1].ToNumber().Uint32Value());
  reader_->post(std::move(c));
  return env.Undefined();
}

Napi::Value WatcherObject::Flush(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!usable(info)) return env.Undefined();
  Command c{Command::Flush};
  c.reqId = info[0].ToNumber().Uint32Value();
  reader_->post(std::move(c));
  return env.Undefined();
}

Napi::Value WatcherObject::Ack(const Napi::CallbackInfo& info) {
  if (reader_) reader_->post(Command{Command::Ack});
  return info.Env().Undefined();
}

Napi::Value WatcherObject::PauseReader(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!usable(info)) return env.Undefined();
  reader_->post(Command{info[0].ToBoolean().Value() ? Command::Pause : Command::Resume});
  return env.Undefined();
}

Napi::Value WatcherObject::FailAddWatchAfter(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!usable(info)) return env.Undefined();
  Command c{Command::FailAddWatchAfter};
  c.count = info[0].ToNumber().Int64Value();
  c.err = info[1].ToNumber().Int32Value();
  reader_->post(std::move(c));
  return env.Undefined();
}

Napi::Value WatcherObject::Stats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  if (!reader_) {
    o.Set("watches", 0);
    o.Set("pending", 0);
    o.Set("overflows", 0);
    o.Set("highWater", 0);
    return o;
  }
  const ReaderStats& s = reader_->stats();
  auto num = [&](const char* k, const std::atomic<uint64_t>& v) {
    o.Set(k, Napi::Number::New(env, static_cast<double>(v.load())));
  };
  num("watches", s.watches);
  num("pending", s.pending);
  num("overflows", s.overflows);
  num("highWater", s.highWater);
  num("parkedMoves", s.parkedMoves);
  num("unknownWdEvents", s.unknownWdEvents);
  num("rawEvents", s.rawEvents);
  num("errors", s.errors);
  return o;
}

Napi::Value WatcherObject::Close(const Napi::CallbackInfo& info) {
  shutdown();
  return info.Env().Undefined();
}

}  // namespace lts
