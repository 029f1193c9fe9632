#!/usr/bin/env bash
# Runs the watcher tests (and the state's directory scan, native/addon/dir_scan.h) once more against an AddressSanitizer + UBSan build of the addon
# (docs/watcher-design.md#testing-the-watcher). The ASan addon is compiled straight with g++ into build/asan/ (node-gyp would
# overwrite build/Release), loaded through LSYNCD_TS_ADDON, with libasan preloaded into node.
# -fno-sanitize=vptr: node-addon-api's ObjectWrap<T> constructor does static_cast<T*>(this)
# before T is constructed (napi-inl.h, ObjectWrap::ObjectWrap), which UBSan's vptr check flags in
# every addon; our own core keeps the full UBSan set in scripts/test-native-core.sh.
# Leak detection is off here: V8 and Node allocate for the process lifetime; leaks in the core
# are checked by the standalone core test instead.
set -euo pipefail
cd "$(dirname "$0")/.."
out=build/asan
mkdir -p "$out"
node_inc=$(node -p "require('path').join(process.execPath, '..', '..', 'include', 'node')")
napi_inc=$(node -p "require('node-addon-api').include_dir")
CXX=${CXX:-g++}
"$CXX" -std=c++17 -Wall -Wextra -Werror -g -O1 -fno-omit-frame-pointer -fPIC -shared \
  -fsanitize=address,undefined -fno-sanitize=vptr -fno-sanitize-recover=all \
  -DNAPI_VERSION=8 -DNAPI_DISABLE_CPP_EXCEPTIONS -DNODE_ADDON_API_DISABLE_DEPRECATED \
  -I"$node_inc" -I"$napi_inc" -Inative native/core/*.cc native/addon/*.cc \
  -o "$out/lsyncd_ts_native.node"
LD_PRELOAD="$("$CXX" -print-file-name=libasan.so):$("$CXX" -print-file-name=libubsan.so)" \
ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
LSYNCD_TS_ADDON="$PWD/$out/lsyncd_ts_native.node" \
LSYNCD_TS_CHURN_SECONDS=${LSYNCD_TS_CHURN_SECONDS:-15} \
  node --test --test-concurrency=1 dist/test/watcher/ dist/test/state/source_scan.test.js
