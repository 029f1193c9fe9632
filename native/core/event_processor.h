// EventProcessor: raw inotify_event byte streams -> records, keeping the watch table right.
//
// Mapping (after docs/lsyncd-compat.md#kernel-events-to-lsyncd-events, with its bugs fixed):
//   IN_Q_OVERFLOW                 -> OverflowRecovery::onKernelOverflow (never dropped)
//   IN_IGNORED                    -> node removed (only here, never on the parent's IN_DELETE, so
//                                    late child events still resolve: parcel #49's crash class)
//   IN_DELETE_SELF/IN_MOVE_SELF   -> RootGone for a root; ignored for other directories
//   IN_CREATE                     -> Create; a directory is watched, then scanned (tree_walker.h);
//                                    a file's batch waits briefly for its close (create_hold.h)
//   IN_MOVED_FROM                 -> parked in the MovePairer
//   IN_MOVED_TO                   -> MoveFrom+MoveTo (paired: a directory is relinked, keeping all
//                                    descendant watches) or Create|Unpaired (moved in; a directory
//                                    is walked as new)
//   expired MOVED_FROM            -> Delete|Unpaired (moved out; a directory's watches are removed)
//   IN_DELETE / IN_ATTRIB         -> Delete / Attrib
//   IN_CLOSE_WRITE / IN_MODIFY    -> Modify, per inotifyMode (inotify_mode.h)
// Events on wds we removed ourselves are dropped; events on never-known wds are counted.
//
// Threading: reader thread only. No exceptions escape.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/overflow_recovery.h"
#include "core/tree_walker.h"
#include "core/watcher_state.h"

namespace lts {

class EventProcessor {
 public:
  EventProcessor(FsOps& fs, WatcherOptions opt) : s_(fs, opt), walker_(s_), recovery_(s_, walker_) {}
  EventProcessor(const EventProcessor&) = delete;
  EventProcessor& operator=(const EventProcessor&) = delete;

  // Registers root `id` and starts its walk; the answer comes from takeFinishedWalks().
  void addRoot(uint16_t id, const std::string& absPath, std::vector<Rule> rules, uint32_t reqId);
  void removeRoot(uint16_t id);
  // Watches directory `rel` of root `id` again (it could not be watched before); the answer
  // comes from takeFinishedWalks() like addRoot's.
  void rewatch(uint16_t id, const std::string& rel, uint32_t reqId) { walker_.startDir(id, reqId, rel); }

  // Consumes one read() worth of events (whole inotify_event records).
  void processBuffer(const char* buf, size_t len, uint64_t nowMs);
  // One complete drain of the kernel queue has ended (read() said EAGAIN).
  void endOfDrain(uint64_t nowMs);
  // Everything the caller could read has been read: parked moves are unpaired for certain.
  void expireAllMoves();

  // Runs up to maxDirs directories of pending walks; true while work remains.
  bool walkStep(size_t maxDirs);
  bool walking() const { return !walker_.idle(); }        // incl. items waiting for a drain
  bool walkRunnable() const { return walker_.runnable(); }  // walkStep() has work right now
  std::vector<WalkResult> takeFinishedWalks();

  // Enforces maxPending (user-space overflow). Call after each processing round.
  void checkPendingLimit();

  BatchBuilder& out() { return s_.out; }
  const WatcherState& state() const { return s_; }
  uint64_t nextMoveDeadline() const { return s_.pairer.nextDeadline(); }
  // A new file is waiting for its IN_CLOSE_WRITE (create_hold.h): delivery should wait.
  bool holdingCreates(uint64_t nowMs) const { return s_.createHold.holding(nowMs); }
  uint64_t createHoldDeadline() const { return s_.createHold.deadline(); }
  void releaseCreateHold() { s_.createHold.release(); }

 private:
  void handle(int32_t wd, uint32_t mask, uint32_t cookie, const std::string& name, uint64_t nowMs);
  void movedTo(uint32_t dirId, const std::string& rel, const std::string& name, bool isDir,
               uint32_t cookie);
  void emitUnpaired(std::vector<PendingMove>& expired);

  WatcherState s_;
  TreeWalker walker_;
  OverflowRecovery recovery_;
  std::vector<PendingMove> expired_;
};

}  // namespace lts
