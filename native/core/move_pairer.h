// MovePairer: where IN_MOVED_FROM / IN_MOVED_TO are paired by cookie (the "cookie jar").
//
// Contract:
//   - addFrom() parks a MOVED_FROM; nothing is emitted for it yet.
//   - takeMatch(cookie) returns the parked half for a MOVED_TO, which the caller turns into an
//     adjacent MoveFrom/MoveTo record pair. Pairing works across read() boundaries and does not
//     depend on adjacency (inotify(7) does not promise consecutive halves; nsfw flushed its slot
//     at every 8 KiB read and inotifywait paired without comparing cookies).
//   - A parked half expires (becomes an unpaired Delete: the thing left the tree) only when BOTH
//     it has lived through `minDrains` complete drains of the kernel queue (endOfDrain()) AND
//     `graceMs` have passed. The kernel queues both halves inside one rename(2), so a drain that
//     ended after the MOVED_FROM almost always already holds the MOVED_TO; the time bound covers
//     the rest. expireAll() is for flush(): once the caller has drained everything after a
//     rename returned, a leftover half is unpaired for certain.
//   - A repeated cookie expires the older entry immediately (atom/watcher cookie_jar).
// Threading: reader thread only.
#pragma once
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

namespace lts {

struct PendingMove {
  uint32_t cookie = 0;
  uint16_t root = 0;
  bool isDir = false;
  std::string relPath;   // root-relative path at MOVED_FROM time
  uint32_t dirId = 0;    // watch-table id of the directory the name left
  std::string name;      // the name it had there
  uint32_t nodeId = 0;   // for directories: the moved directory's own node (or kNone)
  uint32_t nodeSerial = 0;
  uint64_t bornMs = 0;
  uint32_t drains = 0;
};

class MovePairer {
 public:
  MovePairer(uint64_t graceMs, uint32_t minDrains) : graceMs_(graceMs), minDrains_(minDrains) {}

  // Parks `m`. If its cookie is already parked, the old entry is returned through `expired`.
  void addFrom(PendingMove m, std::vector<PendingMove>& expired);
  bool takeMatch(uint32_t cookie, PendingMove& out);
  void endOfDrain();
  void expire(uint64_t nowMs, std::vector<PendingMove>& out);
  void expireAll(std::vector<PendingMove>& out);
  void clear() { parked_.clear(); }

  bool empty() const { return parked_.empty(); }
  size_t size() const { return parked_.size(); }
  // Earliest time at which expire() could release something; UINT64_MAX when nothing is parked.
  uint64_t nextDeadline() const;

 private:
  uint64_t graceMs_;
  uint32_t minDrains_;
  std::deque<PendingMove> parked_;  // oldest first; short (a handful of renames in flight)
};

}  // namespace lts
