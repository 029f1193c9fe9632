#include "core/watch_table.h"

#include <algorithm>

namespace lts {

uint32_t WatchTable::alloc() {
  uint32_t id;
  if (!free_.empty()) {
    id = free_.back();
    free_.pop_back();
    nodes_[id] = DirNode();
  } else {
    id = static_cast<uint32_t>(nodes_.size());
    nodes_.emplace_back();
  }
  nodes_[id].serial = nextSerial_++;
  if (nextSerial_ == 0) nextSerial_ = 1;
  return id;
}

void WatchTable::link(uint32_t id, uint32_t parent) {
  DirNode& n = nodes_[id];
  n.parent = parent;
  n.prevSibling = kNone;
  n.nextSibling = kNone;
  if (parent == kNone) return;
  DirNode& p = nodes_[parent];
  n.nextSibling = p.firstChild;
  if (p.firstChild != kNone) nodes_[p.firstChild].prevSibling = id;
  p.firstChild = id;
}

void WatchTable::unlink(uint32_t id) {
  DirNode& n = nodes_[id];
  if (n.parent == kNone) return;
  if (n.prevSibling != kNone) nodes_[n.prevSibling].nextSibling = n.nextSibling;
  else nodes_[n.parent].firstChild = n.nextSibling;
  if (n.nextSibling != kNone) nodes_[n.nextSibling].prevSibling = n.prevSibling;
  n.parent = n.prevSibling = n.nextSibling = kNone;
}

void WatchTable::count(uint16_t root, int delta) {
  if (perRoot_.size() <= root) perRoot_.resize(size_t{root} + 1, 0);
  perRoot_[root] = static_cast<uint32_t>(static_cast<int64_t>(perRoot_[root]) + delta);
}

uint32_t WatchTable::addRoot(uint16_t root, int32_t wd, const std::string& absPath, uint32_t gen) {
  uint32_t id = alloc();
  count(root, +1);
  DirNode& n = nodes_[id];
  n.wd = wd;
  n.root = root;
  n.gen = gen;
  n.name = absPath;
  byWd_[wd] = id;
  return id;
}

uint32_t WatchTable::addChild(uint32_t parent, int32_t wd, const std::string& name, uint32_t gen) {
  uint32_t id = alloc();
  DirNode& n = nodes_[id];
  n.wd = wd;
  n.root = nodes_[parent].root;
  count(n.root, +1);
  n.gen = gen;
  n.name = name;
  link(id, parent);
  byWd_[wd] = id;
  return id;
}

uint32_t WatchTable::findChild(uint32_t parent, const std::string& name) const {
  for (uint32_t c = nodes_[parent].firstChild; c != kNone; c = nodes_[c].nextSibling)
    if (nodes_[c].name == name) return c;
  return kNone;
}

bool WatchTable::isWithin(uint32_t id, uint32_t ancestor) const {
  for (uint32_t x = id; x != kNone; x = nodes_[x].parent)
    if (x == ancestor) return true;
  return false;
}

void WatchTable::relink(uint32_t id, uint32_t newParent, const std::string& newName) {
  ++epoch_;
  unlink(id);
  nodes_[id].name = newName;
  link(id, newParent);
}

void WatchTable::collectSubtree(uint32_t id, std::vector<uint32_t>& out) const {
  size_t start = out.size();
  out.push_back(id);
  for (size_t i = start; i < out.size(); ++i)
    for (uint32_t c = nodes_[out[i]].firstChild; c != kNone; c = nodes_[c].nextSibling)
      out.push_back(c);
}

void WatchTable::removeSubtree(uint32_t id, std::vector<int32_t>& wdsOut) {
  std::vector<uint32_t> ids;
  collectSubtree(id, ids);
  unlink(id);
  for (uint32_t x : ids) {
    DirNode& n = nodes_[x];
    wdsOut.push_back(n.wd);
    auto it = byWd_.find(n.wd);
    if (it != byWd_.end() && it->second == x) byWd_.erase(it);
    count(n.root, -1);
    n = DirNode();
    free_.push_back(x);
  }
}

std::string WatchTable::relPath(uint32_t id) const {
  // Collect the chain bottom-up, then join top-down.
  const DirNode* chain[256];
  std::vector<const DirNode*> deep;
  size_t depth = 0;
  size_t len = 0;
  for (uint32_t x = id; x != kNone && nodes_[x].parent != kNone; x = nodes_[x].parent) {
    if (depth < 256) chain[depth] = &nodes_[x];
    else deep.push_back(&nodes_[x]);
    ++depth;
    len += nodes_[x].name.size() + 1;
  }
  std::string out;
  out.reserve(len);
  for (size_t k = depth; k-- > 0;) {
    const DirNode* n = k < 256 ? chain[k] : deep[k - 256];
    if (!out.empty()) out.push_back('/');
    out.append(n->name);
  }
  return out;
}

std::string WatchTable::absPath(uint32_t id) const {
  uint32_t top = id;
  while (nodes_[top].parent != kNone) top = nodes_[top].parent;
  std::string rel = relPath(id);
  if (rel.empty()) return nodes_[top].name;
  std::string out = nodes_[top].name;
  if (out.empty() || out.back() != '/') out.push_back('/');
  out.append(rel);
  return out;
}

}  // namespace lts
