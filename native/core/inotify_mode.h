// inotifyMode (lsyncd settings key, docs/lsyncd-compat.md#watches-and-inotifymode) -> kernel mask.
//
//   CloseWrite              IN_CLOSE_WRITE reports Modify (lsyncd default)
//   Modify                  IN_MODIFY reports Modify (every write)
//   CloseWrite or Modify    both report Modify (the coalescer keeps one per batch)
//   CloseWrite after Modify IN_MODIFY marks the file dirty, IN_CLOSE_WRITE reports Modify only if
//                           dirty: a file opened for writing but never written is not re-sent.
//                           lsyncd never implemented this mode ("not implemented").
// The base mask is lsyncd's plus IN_MOVE_SELF (to notice a root moved away) and IN_EXCL_UNLINK
// (no events for writes to already-unlinked files). IN_ONLYDIR|IN_DONT_FOLLOW are added by
// FsOps::addWatch: only directories are watched and symlinks are never followed.
#pragma once
#include <sys/inotify.h>

#include <cstdint>

namespace lts {

enum class InotifyMode : uint8_t {
  CloseWrite = 0,
  Modify = 1,
  CloseWriteOrModify = 2,
  CloseWriteAfterModify = 3,
};

// The lsyncd spelling of each mode, indexed by its value. The addon exports this list
// (`watcherAbi.inotifyModes`) and the TypeScript Watcher turns a config's inotifyMode into the
// number by looking it up there, so no TypeScript list has to follow this enum's order.
inline constexpr const char* kInotifyModeNames[] = {"CloseWrite", "Modify", "CloseWrite or Modify",
                                                    "CloseWrite after Modify"};
inline constexpr int kInotifyModeCount = static_cast<int>(sizeof(kInotifyModeNames) / sizeof(kInotifyModeNames[0]));
static_assert(kInotifyModeCount == static_cast<int>(InotifyMode::CloseWriteAfterModify) + 1,
              "one name per InotifyMode, in enum order");

constexpr uint32_t kBaseMask = IN_ATTRIB | IN_CREATE | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF |
                               IN_MOVED_FROM | IN_MOVED_TO | IN_EXCL_UNLINK;

inline uint32_t maskFor(InotifyMode mode) {
  switch (mode) {
    case InotifyMode::CloseWrite: return kBaseMask | IN_CLOSE_WRITE;
    case InotifyMode::Modify: return kBaseMask | IN_MODIFY;
    case InotifyMode::CloseWriteOrModify:
    case InotifyMode::CloseWriteAfterModify: return kBaseMask | IN_CLOSE_WRITE | IN_MODIFY;
  }
  return kBaseMask | IN_CLOSE_WRITE;
}

}  // namespace lts
