// WatchTable: every watched directory as a node {wd, parent, name, root}, indexed densely by id,
// plus wd -> id. Paths are derived by walking the parent chain, so renaming a directory is one
// relink() and every descendant's path is right at once (atom/watcher's design; the stale-path
// bug class of @parcel/watcher, inotify-tools #59 and e-dant/watcher #109 cannot occur).
//
// Invariants:
//   - a node is linked into its parent's child list (doubly linked: O(1) unlink) and is found by
//     byWd(); root nodes have parent == kNone and their name is the root's absolute path;
//   - ids are reused after remove(); holders of an id across events keep the node's `serial` and
//     check it with alive(id, serial);
//   - memory per directory: one node (~72 bytes + name beyond 15 bytes) + one hash entry, well
//     under the 200-byte budget of docs/watcher-design.md#watch-table;
//   - the parent links form a forest: no node is its own ancestor (relink's precondition);
//   - epoch() changes whenever a live directory's path changes (relink): the walker
//     retries a directory it could not open only if the table's idea of paths has moved since.
// Threading: reader thread only (no locks by design, docs/watcher-design.md#threads-and-commands).
#pragma once
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace lts {

constexpr uint32_t kNone = UINT32_MAX;

struct DirNode {
  int32_t wd = -1;
  uint32_t parent = kNone;
  uint32_t firstChild = kNone;
  uint32_t nextSibling = kNone;
  uint32_t prevSibling = kNone;
  uint32_t serial = 0;  // 0 = free slot
  uint32_t gen = 0;     // rewalk generation (overflow_recovery.h)
  uint16_t root = 0;
  uint64_t ino = 0;     // the watched directory's inode: the walker's parent check (fs_ops.h)
  std::string name;
};

class WatchTable {
 public:
  WatchTable() = default;
  WatchTable(const WatchTable&) = delete;
  WatchTable& operator=(const WatchTable&) = delete;

  uint32_t addRoot(uint16_t root, int32_t wd, const std::string& absPath, uint32_t gen);
  uint32_t addChild(uint32_t parent, int32_t wd, const std::string& name, uint32_t gen);

  uint32_t byWd(int32_t wd) const {
    auto it = byWd_.find(wd);
    return it == byWd_.end() ? kNone : it->second;
  }
  uint32_t findChild(uint32_t parent, const std::string& name) const;
  bool alive(uint32_t id, uint32_t serial) const {
    return id < nodes_.size() && nodes_[id].serial == serial && serial != 0;
  }

  // True when `id` is `ancestor` or lies below it.
  bool isWithin(uint32_t id, uint32_t ancestor) const;

  // Moves `id` (and so its whole subtree) under `newParent` as `newName`. `newParent` must not
  // be within `id` (isWithin): that would make `id` its own ancestor, and every parent-chain
  // walk through it (relPath, collectSubtree) would never end. Callers check first, because the
  // table can lag the file system that way (see EventProcessor::movedTo, TreeWalker::process).
  void relink(uint32_t id, uint32_t newParent, const std::string& newName);

  // Removes `id` and all its descendants; appends their wds to `wdsOut` (id's own first).
  void removeSubtree(uint32_t id, std::vector<int32_t>& wdsOut);

  // Appends `id` and all descendants (pre-order, iterative: no recursion on deep trees).
  void collectSubtree(uint32_t id, std::vector<uint32_t>& out) const;

  // Root-relative path without leading '/' ("" for a root); absPath joins the root's path.
  std::string relPath(uint32_t id) const;
  std::string absPath(uint32_t id) const;

  // Calls f(id, node) for every live node (test hook: the watch-table consistency check).
  template <class F>
  void forEachLive(F f) const {
    for (uint32_t i = 0; i < nodes_.size(); ++i)
      if (nodes_[i].serial != 0) f(i, nodes_[i]);
  }

  const DirNode& node(uint32_t id) const { return nodes_[id]; }
  DirNode& node(uint32_t id) { return nodes_[id]; }
  size_t size() const { return byWd_.size(); }
  // Live nodes per root id (index = root id; shorter than the highest id when that root has none).
  const std::vector<uint32_t>& perRoot() const { return perRoot_; }
  uint64_t epoch() const { return epoch_; }
  void reserve(size_t n) { nodes_.reserve(n); byWd_.reserve(n); }

 private:
  void count(uint16_t root, int delta);
  uint32_t alloc();
  void link(uint32_t id, uint32_t parent);
  void unlink(uint32_t id);

  std::vector<DirNode> nodes_;
  std::vector<uint32_t> free_;
  std::unordered_map<int32_t, uint32_t> byWd_;
  uint32_t nextSerial_ = 1;
  uint64_t epoch_ = 0;
  std::vector<uint32_t> perRoot_;
};

}  // namespace lts
