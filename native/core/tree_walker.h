// TreeWalker: watch first, then scan — for a new root, for every directory that appears in the
// tree, and for the re-walk after an overflow (docs/watcher-design.md#watch-then-scan).
//
// Per directory: inotify_add_watch, then readdir. Anything created after the watch produces a
// kernel event; anything created before it is found by the scan; the coalescer merges the two.
// This closes parcel's scan-then-watch race (#97) and inotify-tools' children-first race.
// Excluded directories (RuleMatcher) are never watched nor descended into.
//
// Each directory is opened once (FsOps::openDir), checked to be a child of the directory the
// table says is its parent (by inode), then watched and listed through that one open directory.
// The path the table derives for a directory can be stale: renames of its ancestors may still
// sit unread in the kernel queue. A stale path either names nothing (ENOENT/ENOTDIR) or names
// another directory (parent inode mismatch). Such an item is deferred, not dropped: after the
// next complete drain of the kernel queue it is retried if the table's paths have changed since
// (WatchTable::epoch — the rename was read and applied), and dropped only if they have not (then
// the path was current and the directory really is gone; its own delete/move events say so).
// Dropping it at once would leave the directory silently unwatched, and every later change below
// it lost.
//
// Work is an explicit stack processed in bounded steps (step(maxDirs)), so a 100k-directory walk
// never recurses and the reader thread keeps draining the kernel queue between steps.
//
// Walk kinds: a root walk (answers an add() request; no records), a directory walk (answers a
// rewatch() request: one directory inside a watched root that could not be watched before, e.g.
// out of watches; no records, the caller resyncs that subtree itself), a live walk (new directories
// seen in events; emits Create|Synthetic for what the scan finds, recursively — including the
// whole subtree of an already-watched directory it meets at a new place: one moved into a
// directory before that directory was watched, so no MOVED_TO names it and to the consumer all
// of it is new, though its descendants kept their watches), a rewalk (after an overflow;
// re-adds watches — cheap, same wd for a known inode — repairs stale mappings, and marks
// visited nodes with the root's new generation; emits nothing, the resync covers content).
#pragma once
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/watcher_state.h"

namespace lts {

struct WalkError {
  std::string relPath;
  int err;
};

struct WalkResult {
  uint32_t walkId = 0;
  uint32_t reqId = 0;      // add() request to answer; 0 for rewalks
  uint16_t root = 0;
  bool isRewalk = false;
  int rootErr = 0;         // errno for the root itself (add() fails), 0 when fine
  uint64_t dirs = 0;       // directories watched by this walk
  std::vector<WalkError> errors;
};

class TreeWalker {
 public:
  explicit TreeWalker(WatcherState& s) : s_(s) {}
  TreeWalker(const TreeWalker&) = delete;
  TreeWalker& operator=(const TreeWalker&) = delete;

  // Starts watching roots[root] (reqId != 0) or re-walking it (isRewalk). Returns the walk id.
  uint32_t startRoot(uint16_t root, uint32_t reqId, bool isRewalk);
  // Watches `rel` (root-relative, no leading '/') and its subtree, answering request `reqId`.
  // Its parent must be watched; otherwise the walk finishes at once with rootErr ENOENT.
  uint32_t startDir(uint16_t root, uint32_t reqId, const std::string& rel);
  // Queues a directory that appeared under watched `parentId` (live walk, emits creates).
  void watchNewDir(uint32_t parentId, const std::string& name);
  // Queues `parentId/name` into the running rewalk `walkId` (a directory relinked mid-rewalk).
  void rewalkDir(uint32_t walkId, uint32_t parentId, const std::string& name);

  // Processes up to maxDirs directories. Returns true while work remains.
  bool step(size_t maxDirs);
  // A complete drain of the kernel queue has ended: deferred items are retried or dropped.
  void onDrainComplete();
  bool idle() const { return stack_.empty() && deferred_.empty(); }
  bool runnable() const { return !stack_.empty(); }  // step() has work without a drain first
  size_t queued() const { return stack_.size() + deferred_.size(); }

  // Walks whose last directory has been processed since the previous call.
  std::vector<WalkResult> takeFinished();

 private:
  struct Item {
    uint32_t parentId;   // kNone for a root item
    uint32_t parentSerial;
    uint16_t root;
    bool emitCreates;
    uint32_t walkId;     // 0 = live walk
    std::string name;    // child name, or the root's absolute path for a root item
    uint64_t triedEpoch = 0;  // table epoch when it was deferred (see above)
    // Live walk inside a directory the walk met at a new place (relinked): its subtree is new
    // to the consumer, so already-watched directories in it are scanned too (see process()).
    bool arrived = false;
  };
  struct Walk {
    WalkResult result;
    uint64_t outstanding = 0;
  };

  // Registers a walk answering `reqId` (0: none) and returns its id.
  uint32_t newWalk(uint16_t root, uint32_t reqId, bool isRewalk);
  void push(Item item);
  // false when the item was deferred (it stays outstanding in its walk).
  bool process(Item& item);
  void defer(Item& item);
  void finishOne(uint32_t walkId);

  WatcherState& s_;
  std::vector<Item> stack_;
  std::vector<Item> deferred_;
  std::unordered_map<uint32_t, Walk> walks_;
  std::vector<WalkResult> finished_;
  std::vector<DirEntry> entries_;
  uint32_t nextWalkId_ = 1;
};

}  // namespace lts
