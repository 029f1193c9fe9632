// WatcherObject: the JS class `NativeWatcher` (wrapped by src/watcher/watcher.ts).
//
// JS surface (all methods return immediately; answers arrive through onMessage):
//   new NativeWatcher({mode, settleMs, maxLatencyMs, maxBatch, maxPending, moveGraceMs, createGraceMs}, onMessage)
//                      every option is required (src/watcher/watcher.ts owns the defaults); mode
//                      is an index into watcherAbi.inotifyModes
//   add(reqId, rootId, absPath (string, or a Buffer for a path that is not UTF-8), rules: {include, pattern, list?}[])   -> Reply {reqId, err, dirs, errors}
//   rewatch(reqId, rootId, relPath: Buffer)  -> Reply {reqId, err, dirs, errors}: watch one
//                      directory of the root again (and its subtree); err ENOENT when its parent
//                      is not watched; dirs 0 when it is gone or was watched meanwhile
//   remove(reqId, rootId)                                      -> Reply {reqId}
//   flush(reqId)       -> the batch carrying flushIds, or Reply {reqId} if nothing was pending
//   ack()              -> JS finished the in-flight batch (back-pressure: one batch at a time)
//   stats()            -> {watches, rootWatches (per root id), pending, overflows, highWater, ...}
//                      (atomics and a per-round copy; synchronous)
//   close()            -> stops and joins the reader thread, releases the TSFN; idempotent
//   pauseReader(bool), failAddWatchAfter(n, errno)             -> test-only hooks
//   dumpWatches(reqId) -> Reply {reqId, inotifyFd, watches: {wd, path}[]}   (test-only: the
//                         watch-table consistency check compares it with the kernel's fdinfo)
// onMessage({type: 1, kind, flags, cookie, root, err, pathOff, pathBytes, flushIds}) for a batch
// (typed arrays + one Buffer: no per-record JS objects), or ({type: 2, reqId, err, dirs, errors}).
//
// Ownership: the reader thread is owned here; messages are heap-allocated by the reader thread
// and freed by CallJs — also when env is null at teardown (docs/watcher-design.md#n-api-teardown). An env
// cleanup hook stops the thread when a worker_thread ends. No C++ exception crosses N-API.
#pragma once
#include <napi.h>

#include <memory>

#include "addon/reader_thread.h"

namespace lts {

// Bump when anything the TypeScript side reads changes: a record field or its element type, a
// record kind or flag, an inotify mode, or a message shape. src/native/native_binding.ts refuses
// an addon with another number at load.
inline constexpr int kWatcherAbiVersion = 1;

// Sets exports.abiVersion and exports.watcherAbi = {recordKinds: {name: value}, recordFlags:
// {name: value}, recordFields: {field: "Uint8Array" | …}, inotifyModes: [name, …] in enum order}:
// what the TypeScript side relies on, for the loader and test/watcher/abi.test.ts to check.
void RegisterWatcherAbi(Napi::Env env, Napi::Object exports);

class WatcherObject;
void CallJs(Napi::Env env, Napi::Function cb, WatcherObject* ctx, Message* msg);
using Tsfn = Napi::TypedThreadSafeFunction<WatcherObject, Message, CallJs>;

class WatcherObject : public Napi::ObjectWrap<WatcherObject> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit WatcherObject(const Napi::CallbackInfo& info);
  ~WatcherObject() override;

 private:
  Napi::Value Add(const Napi::CallbackInfo& info);
  Napi::Value Rewatch(const Napi::CallbackInfo& info);
  Napi::Value Remove(const Napi::CallbackInfo& info);
  Napi::Value Flush(const Napi::CallbackInfo& info);
  Napi::Value Ack(const Napi::CallbackInfo& info);
  Napi::Value Stats(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value PauseReader(const Napi::CallbackInfo& info);
  Napi::Value FailAddWatchAfter(const Napi::CallbackInfo& info);
  Napi::Value DumpWatches(const Napi::CallbackInfo& info);

  void shutdown();
  static void CleanupHook(void* arg);
  bool usable(const Napi::CallbackInfo& info);
  // Posts a command that carries only the request id in info[0] (flush, dumpWatches); the
  // reader thread answers with a Reply message of that id.
  Napi::Value PostRequest(const Napi::CallbackInfo& info, Command::Type type);

  napi_env env_ = nullptr;
  std::unique_ptr<ReaderThread> reader_;
  Tsfn tsfn_;
  bool tsfnLive_ = false;
  bool hookAdded_ = false;
};

}  // namespace lts
