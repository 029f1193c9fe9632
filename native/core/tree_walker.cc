#include "core/tree_walker.h"

#include <errno.h>

#include <utility>

namespace lts {

uint32_t TreeWalker::newWalk(uint16_t root, uint32_t reqId, bool isRewalk) {
  uint32_t id = nextWalkId_++;
  if (nextWalkId_ == 0) nextWalkId_ = 1;
  WalkResult& r = walks_[id].result;
  r.walkId = id;
  r.reqId = reqId;
  r.root = root;
  r.isRewalk = isRewalk;
  return id;
}

uint32_t TreeWalker::startRoot(uint16_t root, uint32_t reqId, bool isRewalk) {
  uint32_t id = newWalk(root, reqId, isRewalk);
  push(Item{kNone, 0, root, false, id, s_.roots[root].absPath});
  return id;
}

uint32_t TreeWalker::startDir(uint16_t root, uint32_t reqId, const std::string& rel) {
  uint32_t id = newWalk(root, reqId, false);
  const RootInfo* r = s_.root(root);
  uint32_t parent = r && r->alive ? r->nodeId : kNone;
  std::string name;
  for (size_t start = 0; parent != kNone;) {
    size_t slash = rel.find('/', start);
    if (slash == std::string::npos) {
      name = rel.substr(start);
      break;
    }
    parent = s_.table.findChild(parent, rel.substr(start, slash - start));
    start = slash + 1;
  }
  if (parent == kNone || name.empty()) {
    auto it = walks_.find(id);
    it->second.result.rootErr = ENOENT;  // its parent is not watched (gone, or never watched itself)
    finished_.push_back(std::move(it->second.result));
    walks_.erase(it);
    return id;
  }
  push(Item{parent, s_.table.node(parent).serial, root, false, id, std::move(name)});
  return id;
}

void TreeWalker::watchNewDir(uint32_t parentId, const std::string& name) {
  const DirNode& p = s_.table.node(parentId);
  push(Item{parentId, p.serial, p.root, true, 0, name});
}

void TreeWalker::rewalkDir(uint32_t walkId, uint32_t parentId, const std::string& name) {
  if (walks_.find(walkId) == walks_.end()) return;
  const DirNode& p = s_.table.node(parentId);
  push(Item{parentId, p.serial, p.root, false, walkId, name});
}

void TreeWalker::push(Item item) {
  if (item.walkId != 0) ++walks_[item.walkId].outstanding;
  stack_.push_back(std::move(item));
}

bool TreeWalker::step(size_t maxDirs) {
  for (size_t n = 0; n < maxDirs && !stack_.empty(); ++n) {
    Item item = std::move(stack_.back());
    stack_.pop_back();
    if (process(item)) finishOne(item.walkId);
  }
  return !stack_.empty();
}

void TreeWalker::defer(Item& item) {
  item.triedEpoch = s_.table.epoch();
  deferred_.push_back(std::move(item));
}

void TreeWalker::onDrainComplete() {
  if (deferred_.empty()) return;
  std::vector<Item> items;
  items.swap(deferred_);
  for (Item& item : items) {
    if (item.triedEpoch != s_.table.epoch() && s_.table.alive(item.parentId, item.parentSerial)) {
      stack_.push_back(std::move(item));  // still outstanding in its walk: no push() count
    } else {
      finishOne(item.walkId);  // the path was current: the directory is really gone
    }
  }
}

void TreeWalker::finishOne(uint32_t walkId) {
  if (walkId == 0) return;
  auto it = walks_.find(walkId);
  if (it == walks_.end()) return;
  if (--it->second.outstanding == 0) {
    finished_.push_back(std::move(it->second.result));
    walks_.erase(it);
  }
}

std::vector<WalkResult> TreeWalker::takeFinished() {
  std::vector<WalkResult> out;
  out.swap(finished_);
  return out;
}

bool TreeWalker::process(Item& item) {
  RootInfo* root = s_.root(item.root);
  if (!root || !root->alive) return true;
  const bool isRoot = item.parentId == kNone;
  if (!isRoot && !s_.table.alive(item.parentId, item.parentSerial)) return true;  // parent gone
  WalkResult* result = item.walkId ? &walks_[item.walkId].result : nullptr;
  const bool isRewalk = result && result->isRewalk;
  auto report = [&](int err) {
    std::string rel = s_.joinRel(s_.table.relPath(item.parentId), item.name);
    s_.out.add(Kind::Error, kIsDir, 0, item.root, rel, err);
    ++s_.counters.errors;
    if (result) result->errors.push_back(WalkError{rel, err});
  };

  std::string path = isRoot ? item.name : s_.table.absPath(item.parentId) + "/" + item.name;
  OpenDir dir;
  int rc = s_.fs.openDir(path, !isRoot, dir);
  OpenDirGuard closeDir(s_.fs, dir);
  if (rc < 0) {
    int err = -rc;
    if (isRoot) {
      if (result) result->rootErr = err;
      if (!isRewalk) root->alive = false;
      return true;
    }
    // Vanished, replaced, or the parent's path is stale: retry once the renames are read.
    if (err == ENOENT || err == ENOTDIR) {
      defer(item);
      return false;
    }
    report(err);
    return true;
  }
  if (!isRoot && dir.parentIno != s_.table.node(item.parentId).ino) {
    defer(item);  // the path led into another directory: the table is behind the renames
    return false;
  }
  int32_t wd = s_.fs.addWatch(dir, path, s_.mask);
  if (wd < 0) {
    if (isRoot) {
      if (result) result->rootErr = -wd;
      if (!isRewalk) root->alive = false;
      return true;
    }
    report(-wd);
    return true;
  }

  uint32_t id = s_.table.byWd(wd);
  if (id != kNone) {
    DirNode& node = s_.table.node(id);
    if (node.root != item.root) {
      // Same inode already watched for another root: roots must not overlap in one watcher.
      // For the root itself add() fails; inside the tree it is reported, never silently skipped.
      if (isRoot) {
        if (result) result->rootErr = EEXIST;
        if (!isRewalk) root->alive = false;
        return true;
      }
      report(EEXIST);
      return true;
    }
    bool moved = !isRoot && (node.parent != item.parentId || node.name != item.name);
    if (moved && s_.table.isWithin(item.parentId, id)) {
      defer(item);  // the table still has the parent below this directory: behind the renames
      return false;
    }
    if (moved) s_.table.relink(id, item.parentId, item.name);  // its move is not read yet
    const bool fresh = node.gen != root->gen;
    node.gen = root->gen;
    if (item.emitCreates && moved) item.arrived = true;
    // Already watched and scanned since its watch was added: every later change has its own
    // kernel event, so a second scan would only repeat synthetic creates. Not so below a
    // directory that arrived here unseen: its contents were never reported at this place.
    if (!isRewalk && !moved && !item.arrived) return true;
    if (isRewalk && !fresh && !moved) return true;
  } else if (isRoot) {
    id = s_.table.addRoot(item.root, wd, item.name, root->gen);
    root->nodeId = id;
  } else {
    id = s_.table.addChild(item.parentId, wd, item.name, root->gen);
  }
  s_.table.node(id).ino = dir.ino;
  if (result) ++result->dirs;

  entries_.clear();
  rc = s_.fs.readDir(dir, entries_);
  if (rc < 0) {
    std::string rel = s_.table.relPath(id);
    s_.out.add(Kind::Error, kIsDir, 0, item.root, rel, -rc);
    ++s_.counters.errors;
    if (result) result->errors.push_back(WalkError{rel, -rc});
  }
  if (entries_.empty()) return true;
  const DirNode& node = s_.table.node(id);
  const uint32_t serial = node.serial;
  const std::string rel = s_.table.relPath(id);
  std::vector<DirEntry> entries;
  entries.swap(entries_);  // process() is not re-entered, but keep the member buffer reusable
  for (DirEntry& e : entries) {
    std::string childRel = s_.joinRel(rel, e.name);
    if (item.emitCreates)
      s_.out.add(Kind::Create, static_cast<uint8_t>(kSynthetic | (e.isDir ? kIsDir : 0)), 0,
                 item.root, childRel);
    if (e.isDir && !root->rules.excluded("/" + childRel + "/"))
      push(Item{id, serial, item.root, item.emitCreates, item.walkId, std::move(e.name), 0,
                item.arrived});
  }
  entries.clear();
  entries_.swap(entries);
  return true;
}

}  // namespace lts
