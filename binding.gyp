# The inotify watcher addon. Core logic (native/core) has no N-API dependency so it can also be
# built as a standalone sanitizer test binary (scripts/test-native-core.sh); native/addon holds the
# N-API surface and the reader thread. C++ exceptions stay off across the N-API boundary
# (NAPI_DISABLE_CPP_EXCEPTIONS): errors are returned as values.
{
  "targets": [
    {
      "target_name": "lsyncd_ts_native",
      "sources": [
        "native/core/batch_builder.cc",
        "native/core/event_processor.cc",
        "native/core/linux_fs_ops.cc",
        "native/core/move_pairer.cc",
        "native/core/overflow_recovery.cc",
        "native/core/rule_matcher.cc",
        "native/core/tree_walker.cc",
        "native/core/watch_table.cc",
        "native/addon/addon.cc",
        "native/addon/child_spawner.cc",
        "native/addon/child_start.cc",
        "native/addon/child_waiter.cc",
        "native/addon/dir_scan.cc",
        "native/addon/path_cache.cc",
        "native/addon/reader_thread.cc",
        "native/addon/system_calls.cc",
        "native/addon/watcher_object.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "native"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17", "-std=gnu++20"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-O2"],
      "cflags": ["-Wall", "-Wextra"]
    }
  ]
}
