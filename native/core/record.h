// Record kinds and flags shared by the native core and the TypeScript wrapper.
//
// Contract: the numeric values are part of the JS ABI (src/watcher/record_kind.ts mirrors them);
// never renumber, only append. A record is (kind, flags, cookie, root, path bytes, errno).
#pragma once
#include <cstdint>

namespace lts {

enum class Kind : uint8_t {
  Create = 1,    // a file or directory appeared (also synthesized by the new-directory scan)
  Modify = 2,    // content changed (per inotifyMode, see inotify_mode.h)
  Attrib = 3,    // metadata changed (mode, owner, times)
  Delete = 4,    // gone; also an unpaired MOVED_FROM after its grace (flag Unpaired)
  MoveFrom = 5,  // first half of a paired move; always immediately followed by its MoveTo
  MoveTo = 6,    // second half; same cookie as the MoveFrom before it
  Overflow = 7,  // events for this root were lost (kernel or user-space queue): resync the root
  RootGone = 8,  // the root directory was deleted, moved away or unmounted; its watches are gone
  Error = 9,     // a per-directory problem (errno set), e.g. ENOSPC from inotify_add_watch
};

enum Flag : uint8_t {
  kIsDir = 1,      // the path names a directory
  kSynthetic = 2,  // produced by scanning a new directory, not by a kernel event
  kNonUtf8 = 4,    // the path bytes are not valid UTF-8: JS must keep them as a Buffer
  kUnpaired = 8,   // a move whose other half never arrived (moved into or out of the tree)
};

}  // namespace lts
