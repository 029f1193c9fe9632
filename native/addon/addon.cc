// Module registration for lsyncd_ts_native: exports the NativeWatcher class (watcher_object.h),
// syslog(3)/sd_notify (system_calls.h), the posix_spawn child spawner (child_spawner.h), the
// state's directory scan (dir_scan.h) and the watcher ABI (abiVersion, watcherAbi: watcher_object.h) that the TS loader checks.
#include <napi.h>

#include "addon/child_spawner.h"
#include "addon/dir_scan.h"
#include "addon/system_calls.h"
#include "addon/watcher_object.h"

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("NativeWatcher", lts::WatcherObject::Define(env));
  lts::RegisterWatcherAbi(env, exports);
  lts::RegisterSystemCalls(env, exports);
  lts::RegisterDirScan(env, exports);
  lts::RegisterChildSpawner(env, exports);
  return exports;
}

NODE_API_MODULE(lsyncd_ts_native, Init)
