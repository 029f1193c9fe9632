// Module registration for lsyncd_ts_native: exports the NativeWatcher class (watcher_object.h),
// syslog(3)/sd_notify (system_calls.h), the posix_spawn child spawner (child_spawner.h) and the ABI number so the TS side can assert it was built against the same ABI.
#include <napi.h>

#include "addon/child_spawner.h"
#include "addon/system_calls.h"
#include "addon/watcher_object.h"
#include "core/record.h"

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("NativeWatcher", lts::WatcherObject::Define(env));
  exports.Set("abiVersion", Napi::Number::New(env, 1));
  lts::RegisterSystemCalls(env, exports);
  lts::RegisterChildSpawner(env, exports);
  return exports;
}

NODE_API_MODULE(lsyncd_ts_native, Init)
