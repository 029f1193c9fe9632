// WatcherState: everything one watcher knows, shared by the pieces that each own one concern:
// event_processor (kernel events -> records), tree_walker (watch-then-scan), overflow_recovery
// (overflow, root loss, stale-watch sweep), move_pairer (cookie jar), batch_builder (coalescing),
// create_hold (a new file's Create waits briefly for its close).
//
// Ownership/threading: one instance per watcher, touched only by its reader thread (or by the
// single-threaded core test). Root ids are small integers assigned by the JS side; roots[id].
#pragma once
#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/batch_builder.h"
#include "core/create_hold.h"
#include "core/fs_ops.h"
#include "core/inotify_mode.h"
#include "core/move_pairer.h"
#include "core/rule_matcher.h"
#include "core/watch_table.h"

namespace lts {

struct WatcherOptions {
  InotifyMode mode = InotifyMode::CloseWrite;
  uint64_t moveGraceMs = 20;       // MovePairer grace before an unpaired MOVED_FROM is a Delete
  uint64_t createGraceMs = 1;      // CreateHold: wait this long for a new file's IN_CLOSE_WRITE
  uint32_t moveMinDrains = 2;      // ... and kernel-queue drains it must see end (its own + one more)
  size_t maxPending = 1000000;     // user-space pending records before a forced Overflow
};

struct RootInfo {
  bool alive = false;
  std::string absPath;
  RuleMatcher rules;
  uint32_t nodeId = kNone;
  uint32_t gen = 1;        // current rewalk generation (overflow_recovery.h)
  uint32_t rewalkId = 0;   // walk id of a running overflow rewalk, 0 if none
};

struct Counters {
  uint64_t overflows = 0;
  uint64_t unknownWdEvents = 0;
  uint64_t errors = 0;
  uint64_t rawEvents = 0;
};

struct WatcherState {
  WatcherState(FsOps& f, WatcherOptions o)
      : fs(f),
        opt(o),
        mask(maskFor(o.mode)),
        pairer(o.moveGraceMs, o.moveMinDrains),
        createHold(o.mode == InotifyMode::Modify ? 0 : o.createGraceMs) {}
  WatcherState(const WatcherState&) = delete;
  WatcherState& operator=(const WatcherState&) = delete;

  FsOps& fs;
  WatcherOptions opt;
  uint32_t mask;
  WatchTable table;
  BatchBuilder out;
  MovePairer pairer;
  CreateHold createHold;
  std::vector<RootInfo> roots;
  std::unordered_set<int32_t> retired;   // wds we removed; their late events are dropped
  std::unordered_set<std::string> dirty; // CloseWrite-after-Modify: (dirId, name) written, not closed
  Counters counters;

  RootInfo* root(uint16_t id) { return id < roots.size() ? &roots[id] : nullptr; }

  // Removes `id`'s subtree from the table and the kernel; late events for it are dropped.
  void unwatchSubtree(uint32_t id) {
    std::vector<int32_t> wds;
    table.removeSubtree(id, wds);
    for (int32_t wd : wds) {
      fs.rmWatch(wd);
      retired.insert(wd);
    }
  }

  static std::string joinRel(const std::string& dirRel, const std::string& name) {
    return dirRel.empty() ? name : dirRel + "/" + name;
  }
  static std::string dirtyKey(uint32_t dirId, const std::string& name) {
    std::string k(reinterpret_cast<const char*>(&dirId), sizeof dirId);
    return k + name;
  }
};

}  // namespace lts
