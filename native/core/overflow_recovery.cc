#include "core/overflow_recovery.h"

#include <vector>

namespace lts {

void OverflowRecovery::onKernelOverflow() {
  ++s_.counters.overflows;
  s_.pairer.clear();
  for (uint16_t r = 0; r < s_.roots.size(); ++r) {
    RootInfo& root = s_.roots[r];
    if (!root.alive) continue;
    s_.out.dropRoot(r);
    s_.out.add(Kind::Overflow, 0, 0, r, "");
    ++root.gen;
    root.rewalkId = walker_.startRoot(r, 0, true);
  }
}

void OverflowRecovery::onPendingLimit() {
  ++s_.counters.overflows;
  for (uint16_t r = 0; r < s_.roots.size(); ++r) {
    if (!s_.roots[r].alive) continue;
    s_.out.dropRoot(r);
    s_.out.add(Kind::Overflow, 0, 0, r, "");
  }
}

void OverflowRecovery::onRootGone(uint16_t r) {
  RootInfo* root = s_.root(r);
  if (!root || !root->alive) return;
  root->alive = false;
  root->rewalkId = 0;
  if (root->nodeId != kNone) s_.unwatchSubtree(root->nodeId);
  root->nodeId = kNone;
  s_.out.dropRoot(r);
  s_.out.add(Kind::RootGone, kIsDir, 0, r, "");
}

void OverflowRecovery::sweep(uint16_t r) {
  RootInfo* root = s_.root(r);
  if (!root) return;
  root->rewalkId = 0;
  if (!root->alive || root->nodeId == kNone) return;
  std::vector<uint32_t> ids;
  s_.table.collectSubtree(root->nodeId, ids);
  std::vector<std::pair<uint32_t, uint32_t>> stale;  // (id, serial)
  for (uint32_t id : ids) {
    const DirNode& n = s_.table.node(id);
    if (n.gen != root->gen) stale.emplace_back(id, n.serial);
  }
  for (auto& [id, serial] : stale)
    if (s_.table.alive(id, serial)) s_.unwatchSubtree(id);
}

}  // namespace lts
