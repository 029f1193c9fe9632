#include "addon/watcher_object.h"

#include <errno.h>
#include <string.h>
#include <sys/inotify.h>

#include <cstring>

#include "addon/typed_array_type.h"
#include "core/inotify_mode.h"
#include "core/record.h"

namespace lts {
namespace {

Napi::Error errnoError(Napi::Env env, const char* what, int err) {
  Napi::Error e = Napi::Error::New(env, std::string(what) + ": " + strerror(err));
  e.Set("errno", Napi::Number::New(env, err));
  return e;
}

// A required numeric option; false (with a TypeError pending) when it is missing.
bool numberOption(Napi::Env env, const Napi::Object& o, const char* key, double* out) {
  Napi::Value v = o.Get(key);
  if (!v.IsNumber()) {
    Napi::TypeError::New(env, std::string("NativeWatcher option ") + key + " must be a number").ThrowAsJavaScriptException();
    return false;
  }
  *out = v.As<Napi::Number>().DoubleValue();
  return true;
}

}  // namespace

// Builds the JS message with the plain N-API C calls and checks every status: while a worker is
// being terminated, JS cannot run and property sets fail; node-addon-api would then try to throw
// (and building that Error fails too, which is fatal). Here a failed step drops the message —
// it is freed either way, and nobody is left to receive it.
namespace {

class MessageBuilder {
 public:
  explicit MessageBuilder(napi_env env) : env_(env) { ok_ = napi_create_object(env, &obj_) == napi_ok; }
  bool ok() const { return ok_; }
  napi_value object() const { return obj_; }

  void number(const char* key, double v) {
    napi_value x;
    if (ok_) ok_ = napi_create_double(env_, v, &x) == napi_ok && set(key, x);
  }
  template <class T>
  void typed(const char* key, const std::vector<T>& v) {
    constexpr napi_typedarray_type type = fieldArrayType<std::vector<T>>();
    if (!ok_) return;
    void* data = nullptr;
    napi_value ab, ta;
    ok_ = napi_create_arraybuffer(env_, v.size() * sizeof(T), &data, &ab) == napi_ok;
    if (!ok_) return;
    if (!v.empty()) std::memcpy(data, v.data(), v.size() * sizeof(T));
    ok_ = napi_create_typedarray(env_, type, v.size(), ab, 0, &ta) == napi_ok && set(key, ta);
  }
  napi_value buffer(const std::string& bytes) {
    napi_value b = nullptr;
    if (ok_) ok_ = napi_create_buffer_copy(env_, bytes.size(), bytes.data(), nullptr, &b) == napi_ok;
    return b;
  }
  bool set(const char* key, napi_value v) {
    if (ok_) ok_ = napi_set_named_property(env_, obj_, key, v) == napi_ok;
    return ok_;
  }
  bool setIn(napi_value target, uint32_t index, napi_value v) {
    if (ok_) ok_ = napi_set_element(env_, target, index, v) == napi_ok;
    return ok_;
  }
  napi_value array(size_t n) {
    napi_value a = nullptr;
    if (ok_) ok_ = napi_create_array_with_length(env_, n, &a) == napi_ok;
    return a;
  }
  napi_value num(double v) {
    napi_value x = nullptr;
    if (ok_) ok_ = napi_create_double(env_, v, &x) == napi_ok;
    return x;
  }
  MessageBuilder child() { return MessageBuilder(env_); }

 private:
  napi_env env_;
  napi_value obj_ = nullptr;
  bool ok_ = false;
};

}  // namespace

void CallJs(Napi::Env env, Napi::Function cb, WatcherObject*, Message* raw) {
  std::unique_ptr<Message> msg(raw);  // freed on every path, including env == nullptr
  if (env == nullptr || cb.IsEmpty()) return;
  MessageBuilder m(env);
  if (msg->type == Message::BatchMsg) {
    const Batch& b = msg->batch;
    m.number("type", 1);
    m.typed("kind", b.kind);
    m.typed("flags", b.flags);
    m.typed("cookie", b.cookie);
    m.typed("root", b.root);
    m.typed("err", b.err);
    m.typed("pathOff", b.pathOff);
    m.set("pathBytes", m.buffer(b.pathBytes));
    napi_value ids = m.array(msg->flushIds.size());
    for (uint32_t i = 0; i < msg->flushIds.size(); ++i) m.setIn(ids, i, m.num(msg->flushIds[i]));
    m.set("flushIds", ids);
  } else {
    m.number("type", 2);
    m.number("reqId", msg->reqId);
    m.number("err", msg->err);
    m.number("dirs", static_cast<double>(msg->dirs));
    napi_value errs = m.array(msg->errors.size());
    for (uint32_t i = 0; i < msg->errors.size(); ++i) {
      MessageBuilder e = m.child();
      e.set("path", e.buffer(msg->errors[i].relPath));
      e.number("err", msg->errors[i].err);
      if (!e.ok() || !m.setIn(errs, i, e.object())) return;
    }
    m.set("errors", errs);
    if (msg->isDump) {
      m.number("inotifyFd", msg->inotifyFd);
      napi_value ws = m.array(msg->watches.size());
      for (uint32_t i = 0; i < msg->watches.size(); ++i) {
        MessageBuilder w = m.child();
        w.number("wd", msg->watches[i].first);
        w.set("path", w.buffer(msg->watches[i].second));
        if (!w.ok() || !m.setIn(ws, i, w.object())) return;
      }
      m.set("watches", ws);
    }
  }
  if (!m.ok()) return;
  napi_value recv;
  if (napi_get_undefined(env, &recv) != napi_ok) return;
  napi_value arg = m.object();
  // The TS side never throws from here; if it did, Node reports it as an uncaught exception.
  napi_call_function(env, recv, cb, 1, &arg, nullptr);
}

Napi::Function WatcherObject::Define(Napi::Env env) {
  return DefineClass(env, "NativeWatcher",
                     {InstanceMethod<&WatcherObject::Add>("add"),
                      InstanceMethod<&WatcherObject::Rewatch>("rewatch"),
                      InstanceMethod<&WatcherObject::Remove>("remove"),
                      InstanceMethod<&WatcherObject::Flush>("flush"),
                      InstanceMethod<&WatcherObject::Ack>("ack"),
                      InstanceMethod<&WatcherObject::Stats>("stats"),
                      InstanceMethod<&WatcherObject::Close>("close"),
                      InstanceMethod<&WatcherObject::PauseReader>("pauseReader"),
                      InstanceMethod<&WatcherObject::FailAddWatchAfter>("failAddWatchAfter"),
                      InstanceMethod<&WatcherObject::DumpWatches>("dumpWatches")});
}

WatcherObject::WatcherObject(const Napi::CallbackInfo& info) : Napi::ObjectWrap<WatcherObject>(info) {
  Napi::Env env = info.Env();
  env_ = env;
  if (info.Length() < 2 || !info[0].IsObject() || !info[1].IsFunction()) {
    Napi::TypeError::New(env, "NativeWatcher(options, onMessage)").ThrowAsJavaScriptException();
    return;
  }
  Napi::Object o = info[0].As<Napi::Object>();
  double mode, moveGraceMs, createGraceMs, maxPending, settleMs, maxLatencyMs, maxBatch;
  if (!numberOption(env, o, "mode", &mode) || !numberOption(env, o, "moveGraceMs", &moveGraceMs) ||
      !numberOption(env, o, "createGraceMs", &createGraceMs) || !numberOption(env, o, "maxPending", &maxPending) ||
      !numberOption(env, o, "settleMs", &settleMs) || !numberOption(env, o, "maxLatencyMs", &maxLatencyMs) ||
      !numberOption(env, o, "maxBatch", &maxBatch)) {
    return;
  }
  if (mode < 0 || mode >= kInotifyModeCount) {
    Napi::RangeError::New(env, "mode must index watcherAbi.inotifyModes").ThrowAsJavaScriptException();
    return;
  }
  WatcherOptions wopt;
  wopt.mode = static_cast<InotifyMode>(static_cast<int>(mode));
  wopt.moveGraceMs = static_cast<uint64_t>(moveGraceMs);
  wopt.createGraceMs = static_cast<uint64_t>(createGraceMs);
  wopt.maxPending = static_cast<size_t>(maxPending);
  DeliveryOptions dopt;
  dopt.settleMs = static_cast<uint64_t>(settleMs);
  dopt.maxLatencyMs = static_cast<uint64_t>(maxLatencyMs);
  dopt.maxBatch = static_cast<size_t>(maxBatch);

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
  if (info.Length() < 4 || !info[0].IsNumber() || !info[1].IsNumber() || !(info[2].IsString() || info[2].IsBuffer()) ||
      !info[3].IsArray()) {
    Napi::TypeError::New(env, "add(reqId, rootId, absPath, rules)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Command c{Command::AddRoot};
  c.reqId = info[0].As<Napi::Number>().Uint32Value();
  c.root = static_cast<uint16_t>(info[1].As<Napi::Number>().Uint32Value());
  if (info[2].IsBuffer()) {  // a root path that is not valid UTF-8: its exact bytes
    Napi::Buffer<char> b = info[2].As<Napi::Buffer<char>>();
    c.path.assign(b.Data(), b.Length());
  } else {
    c.path = info[2].As<Napi::String>().Utf8Value();
  }
  Napi::Array rules = info[3].As<Napi::Array>();
  for (uint32_t i = 0; i < rules.Length(); ++i) {
    Napi::Value v = rules.Get(i);
    if (!v.IsObject()) continue;
    Napi::Object r = v.As<Napi::Object>();
    Napi::Value pat = r.Get("pattern");
    if (!pat.IsString()) continue;
    Napi::Value list = r.Get("list");
    const uint16_t listNo = list.IsNumber() ? static_cast<uint16_t>(list.As<Napi::Number>().Uint32Value()) : 0;
    c.rules.push_back(Rule{r.Get("include").ToBoolean().Value(), pat.As<Napi::String>().Utf8Value(), listNo});
  }
  reader_->post(std::move(c));
  return env.Undefined();
}

Napi::Value WatcherObject::Rewatch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!usable(info)) return env.Undefined();
  if (info.Length() < 3 || !info[0].IsNumber() || !info[1].IsNumber() || !info[2].IsBuffer()) {
    Napi::TypeError::New(env, "rewatch(reqId, rootId, relPath: Buffer)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Command c{Command::Rewatch};
  c.reqId = info[0].As<Napi::Number>().Uint32Value();
  c.root = static_cast<uint16_t>(info[1].As<Napi::Number>().Uint32Value());
  Napi::Buffer<char> rel = info[2].As<Napi::Buffer<char>>();
  c.path.assign(rel.Data(), rel.Length());
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

Napi::Value WatcherObject::PostRequest(const Napi::CallbackInfo& info, Command::Type type) {
  Napi::Env env = info.Env();
  if (!usable(info)) return env.Undefined();
  Command c{type};
  c.reqId = info[0].ToNumber().Uint32Value();
  reader_->post(std::move(c));
  return env.Undefined();
}

Napi::Value WatcherObject::Flush(const Napi::CallbackInfo& info) { return PostRequest(info, Command::Flush); }

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

Napi::Value WatcherObject::DumpWatches(const Napi::CallbackInfo& info) { return PostRequest(info, Command::DumpWatches); }

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
  const std::vector<uint32_t> perRoot = reader_->rootWatches();
  Napi::Array roots = Napi::Array::New(env, perRoot.size());
  for (uint32_t i = 0; i < perRoot.size(); ++i) roots.Set(i, Napi::Number::New(env, perRoot[i]));
  o.Set("rootWatches", roots);
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

void RegisterWatcherAbi(Napi::Env env, Napi::Object exports) {
  Napi::Object kinds = Napi::Object::New(env);
  const std::pair<const char*, Kind> kindNames[] = {
      {"Create", Kind::Create},     {"Modify", Kind::Modify}, {"Attrib", Kind::Attrib},
      {"Delete", Kind::Delete},     {"MoveFrom", Kind::MoveFrom}, {"MoveTo", Kind::MoveTo},
      {"Overflow", Kind::Overflow}, {"RootGone", Kind::RootGone}, {"Error", Kind::Error},
  };
  for (const auto& [name, kind] : kindNames) kinds.Set(name, Napi::Number::New(env, static_cast<int>(kind)));
  Napi::Object flags = Napi::Object::New(env);
  const std::pair<const char*, Flag> flagNames[] = {
      {"IsDir", kIsDir}, {"Synthetic", kSynthetic}, {"NonUtf8", kNonUtf8}, {"Unpaired", kUnpaired}};
  for (const auto& [name, flag] : flagNames) flags.Set(name, Napi::Number::New(env, static_cast<int>(flag)));
  Napi::Object fields = Napi::Object::New(env);
  fields.Set("kind", typedArrayName(fieldArrayType<decltype(Batch::kind)>()));
  fields.Set("flags", typedArrayName(fieldArrayType<decltype(Batch::flags)>()));
  fields.Set("cookie", typedArrayName(fieldArrayType<decltype(Batch::cookie)>()));
  fields.Set("root", typedArrayName(fieldArrayType<decltype(Batch::root)>()));
  fields.Set("err", typedArrayName(fieldArrayType<decltype(Batch::err)>()));
  fields.Set("pathOff", typedArrayName(fieldArrayType<decltype(Batch::pathOff)>()));
  Napi::Array modes = Napi::Array::New(env, kInotifyModeCount);
  for (int i = 0; i < kInotifyModeCount; ++i) modes.Set(static_cast<uint32_t>(i), kInotifyModeNames[i]);
  Napi::Object abi = Napi::Object::New(env);
  abi.Set("recordKinds", kinds);
  abi.Set("recordFlags", flags);
  abi.Set("recordFields", fields);
  abi.Set("inotifyModes", modes);
  exports.Set("abiVersion", Napi::Number::New(env, kWatcherAbiVersion));
  exports.Set("watcherAbi", abi);
}

}  // namespace lts
