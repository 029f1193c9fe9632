// CreateHold: after a new file appears (IN_CREATE, not a directory), delivery of the batch waits
// a moment for the writer to close it (IN_CLOSE_WRITE), so the Create and the close leave as one
// coalesced record instead of two batches.
//
// Why: open(O_CREAT) queues IN_CREATE before the first write(). The reader thread wakes on it at
// once and, with no settle time (the engine aggregates in its delay queue), would hand the Create
// to JS before the data exists: a new small file would be transferred twice, the first time empty
// or partial, and the second transfer would decide when the content arrives.
//
// Contract: created()/settled() take the (directory node, name) key of the file; holding() is
// true while some held file is neither closed, deleted nor moved away and the first hold since
// the last release() is younger than graceMs — so one batch waits at most graceMs in all, even
// under a stream of new files (`tar x`), not graceMs per file. The hold is a delay, never a
// filter: after graceMs the batch leaves anyway (a file kept open, a symlink, a hard link, a
// fifo — none of these is closed after writing), and release() forgets everything once a batch
// has left. Only for inotify modes that report IN_CLOSE_WRITE. Threading: reader thread only.
#pragma once
#include <cstdint>
#include <string>
#include <unordered_set>

namespace lts {

class CreateHold {
 public:
  explicit CreateHold(uint64_t graceMs) : graceMs_(graceMs) {}

  void created(const std::string& key, uint64_t nowMs) {
    if (graceMs_ == 0) return;
    if (!armed_) {
      since_ = nowMs;
      armed_ = true;
    }
    open_.insert(key);
  }
  void settled(const std::string& key) {
    if (!open_.empty()) open_.erase(key);
  }
  bool holding(uint64_t nowMs) const { return !open_.empty() && nowMs < since_ + graceMs_; }
  // When holding() ends at the latest; UINT64_MAX when nothing is held.
  uint64_t deadline() const { return open_.empty() ? UINT64_MAX : since_ + graceMs_; }
  void release() {
    open_.clear();
    armed_ = false;
  }

 private:
  uint64_t graceMs_;
  uint64_t since_ = 0;
  bool armed_ = false;  // since_ is set: a hold began since the last release()
  std::unordered_set<std::string> open_;
};

}  // namespace lts
