// OverflowRecovery: what happens when events are lost, and when a root disappears.
//
//   Kernel overflow (IN_Q_OVERFLOW, wd -1): for every live root, drop its pending records, emit
//   one Overflow record, bump the root's generation and start a rewalk (tree_walker.h). When the
//   rewalk finishes, sweep() removes every node the rewalk did not visit (directories deleted
//   during the blind window) so the watch table matches the disk again. Parked move halves are
//   discarded: the resync the Overflow record triggers covers them. Never a silent drop
//   (parcel, atom, nsfw and libuv all drop overflows; lsyncd restarts the whole daemon).
//   User-space limit (more than maxPending records while JS is not taking batches): the same
//   drop + one Overflow per root, but no rewalk — no kernel event was lost, the table is right.
//   Root gone (the root deleted, moved away or unmounted): drop its records, emit RootGone,
//   remove every watch of that root; other roots are untouched.
// Threading: reader thread only.
#pragma once
#include <cstdint>

#include "core/tree_walker.h"
#include "core/watcher_state.h"

namespace lts {

class OverflowRecovery {
 public:
  OverflowRecovery(WatcherState& s, TreeWalker& w) : s_(s), walker_(w) {}

  void onKernelOverflow();
  void onPendingLimit();
  void onRootGone(uint16_t root);
  // Called with each finished rewalk: removes the nodes of `root` older than its generation.
  void sweep(uint16_t root);

 private:
  WatcherState& s_;
  TreeWalker& walker_;
};

}  // namespace lts
