#include "core/event_processor.h"

#include <sys/inotify.h>

#include <cstring>
#include <utility>

namespace lts {

void EventProcessor::addRoot(uint16_t id, const std::string& absPath, std::vector<Rule> rules,
                             uint32_t reqId) {
  if (s_.roots.size() <= id) s_.roots.resize(id + 1u);
  RootInfo& r = s_.roots[id];
  r = RootInfo();
  r.alive = true;
  r.absPath = absPath;
  r.rules = RuleMatcher(std::move(rules));
  walker_.startRoot(id, reqId, false);
}

void EventProcessor::removeRoot(uint16_t id) {
  RootInfo* r = s_.root(id);
  if (!r || !r->alive) return;
  r->alive = false;
  if (r->nodeId != kNone) s_.unwatchSubtree(r->nodeId);
  r->nodeId = kNone;
  s_.out.dropRoot(id);
}

void EventProcessor::processBuffer(const char* buf, size_t len, uint64_t nowMs) {
  size_t off = 0;
  std::string name;
  while (off + sizeof(struct inotify_event) <= len) {
    struct inotify_event ev;
    std::memcpy(&ev, buf + off, sizeof ev);  // buffers need not be aligned for the core test
    const char* namePtr = buf + off + sizeof ev;
    size_t nameLen = ev.len ? strnlen(namePtr, ev.len) : 0;
    name.assign(namePtr, nameLen);
    ++s_.counters.rawEvents;
    handle(ev.wd, ev.mask, ev.cookie, name, nowMs);
    off += sizeof ev + ev.len;
  }
}

void EventProcessor::handle(int32_t wd, uint32_t mask, uint32_t cookie, const std::string& name,
                            uint64_t nowMs) {
  if (mask & IN_Q_OVERFLOW) {
    recovery_.onKernelOverflow();
    return;
  }
  uint32_t id = s_.table.byWd(wd);
  if (id == kNone) {
    if (s_.retired.count(wd)) {
      if (mask & IN_IGNORED) s_.retired.erase(wd);
    } else {
      ++s_.counters.unknownWdEvents;
    }
    return;
  }
  const uint16_t rootId = s_.table.node(id).root;
  const bool isRootNode = s_.table.node(id).parent == kNone;
  if (mask & IN_IGNORED) {
    if (isRootNode) {
      recovery_.onRootGone(rootId);
    } else {
      std::vector<int32_t> wds;
      s_.table.removeSubtree(id, wds);
      for (size_t i = 1; i < wds.size(); ++i) {  // wds[0] is already gone in the kernel
        s_.fs.rmWatch(wds[i]);
        s_.retired.insert(wds[i]);
      }
    }
    return;
  }
  if (name.empty()) {  // an event on the watched directory itself
    if (isRootNode && (mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT)))
      recovery_.onRootGone(rootId);
    return;
  }
  const bool isDir = mask & IN_ISDIR;
  const uint8_t dirFlag = isDir ? kIsDir : 0;
  const std::string rel = s_.joinRel(s_.table.relPath(id), name);

  if (mask & IN_CREATE) {
    s_.out.add(Kind::Create, dirFlag, 0, rootId, rel);
    if (!isDir) s_.createHold.created(s_.dirtyKey(id, name), nowMs);
    if (isDir && !s_.roots[rootId].rules.excluded("/" + rel + "/")) walker_.watchNewDir(id, name);
  }
  if (mask & (IN_MOVED_FROM | IN_DELETE | IN_CLOSE_WRITE)) s_.createHold.settled(s_.dirtyKey(id, name));
  if (mask & IN_MOVED_FROM) {
    PendingMove m;
    m.cookie = cookie;
    m.root = rootId;
    m.isDir = isDir;
    m.relPath = rel;
    m.dirId = id;
    m.name = name;
    m.nodeId = isDir ? s_.table.findChild(id, name) : kNone;
    m.nodeSerial = m.nodeId != kNone ? s_.table.node(m.nodeId).serial : 0;
    m.bornMs = nowMs;
    s_.pairer.addFrom(std::move(m), expired_);
    emitUnpaired(expired_);
  }
  if (mask & IN_MOVED_TO) movedTo(id, rel, name, isDir, cookie);
  if (mask & IN_DELETE) {
    s_.out.add(Kind::Delete, dirFlag, 0, rootId, rel);
    s_.dirty.erase(s_.dirtyKey(id, name));
  }
  if (mask & IN_ATTRIB) s_.out.add(Kind::Attrib, dirFlag, 0, rootId, rel);
  if (mask & IN_MODIFY) {
    if (s_.opt.mode == InotifyMode::CloseWriteAfterModify) s_.dirty.insert(s_.dirtyKey(id, name));
    else s_.out.add(Kind::Modify, 0, 0, rootId, rel);
  }
  if (mask & IN_CLOSE_WRITE) {
    if (s_.opt.mode != InotifyMode::CloseWriteAfterModify || s_.dirty.erase(s_.dirtyKey(id, name)))
      s_.out.add(Kind::Modify, 0, 0, rootId, rel);
  }
}

void EventProcessor::movedTo(uint32_t dirId, const std::string& rel, const std::string& name,
                             bool isDir, uint32_t cookie) {
  const uint16_t rootId = s_.table.node(dirId).root;
  RootInfo& root = s_.roots[rootId];
  const uint8_t dirFlag = isDir ? kIsDir : 0;
  const bool destExcluded = isDir && root.rules.excluded("/" + rel + "/");
  PendingMove m;
  if (!s_.pairer.takeMatch(cookie, m) || !s_.root(m.root) || !s_.roots[m.root].alive) {
    // Moved in from outside the tree (or from a root that is gone): a new thing here.
    s_.out.add(Kind::Create, static_cast<uint8_t>(dirFlag | kUnpaired), 0, rootId, rel);
    if (isDir && !destExcluded) walker_.watchNewDir(dirId, name);
    return;
  }
  const bool known = isDir && m.nodeId != kNone && s_.table.alive(m.nodeId, m.nodeSerial);
  if (known && s_.table.isWithin(dirId, m.nodeId)) {
    // Moved into its own subtree as the table still has it: the destination (or a directory
    // between it and the moved one) left for a place not watched yet (mkdir x; mv d/s x/s;
    // mv d x/s/d), and its MOVED_FROM waits unpaired. The destination's path is stale and d
    // cannot be linked below itself. d is gone from where it was; the walk of the place it
    // really went (or nothing, if that is outside the tree) reports it there as new.
    s_.out.add(Kind::Delete, static_cast<uint8_t>(kIsDir | kUnpaired), 0, m.root, m.relPath);
    s_.unwatchSubtree(m.nodeId);
    return;
  }
  s_.out.add(Kind::MoveFrom, dirFlag, cookie, m.root, m.relPath);
  s_.out.add(Kind::MoveTo, dirFlag, cookie, rootId, rel);
  if (!isDir) {
    if (s_.dirty.erase(s_.dirtyKey(m.dirId, m.name))) s_.dirty.insert(s_.dirtyKey(dirId, name));
    return;
  }
  if (known && (destExcluded || m.root != rootId)) {
    s_.unwatchSubtree(m.nodeId);
  } else if (known) {
    s_.table.relink(m.nodeId, dirId, name);  // every descendant's path follows
    if (root.rewalkId) walker_.rewalkDir(root.rewalkId, dirId, name);
    return;
  }
  // Not watched before (excluded origin, not scanned yet, or another root): walk it as new.
  if (!destExcluded) walker_.watchNewDir(dirId, name);
}

void EventProcessor::emitUnpaired(std::vector<PendingMove>& expired) {
  for (PendingMove& m : expired) {
    RootInfo* root = s_.root(m.root);
    if (!root || !root->alive) continue;
    s_.out.add(Kind::Delete, static_cast<uint8_t>((m.isDir ? kIsDir : 0) | kUnpaired), 0, m.root,
               m.relPath);
    s_.dirty.erase(s_.dirtyKey(m.dirId, m.name));
    // Unwatch the directory only if it is still where it left from. If the walker met it in
    // the meantime at its new place (moved into a directory not watched yet, so no MOVED_TO
    // was ever queued), it has been relinked there and stays watched: unwatching it would leave
    // that whole subtree blind ("mkdir X; mv D X/n").
    if (m.isDir && m.nodeId != kNone && s_.table.alive(m.nodeId, m.nodeSerial)) {
      const DirNode& n = s_.table.node(m.nodeId);
      if (n.parent == m.dirId && n.name == m.name) s_.unwatchSubtree(m.nodeId);
    }
  }
  expired.clear();
}

void EventProcessor::endOfDrain(uint64_t nowMs) {
  s_.pairer.endOfDrain();
  s_.pairer.expire(nowMs, expired_);
  emitUnpaired(expired_);
  walker_.onDrainComplete();
}

void EventProcessor::expireAllMoves() {
  s_.pairer.expireAll(expired_);
  emitUnpaired(expired_);
}

bool EventProcessor::walkStep(size_t maxDirs) { return walker_.step(maxDirs); }

std::vector<WalkResult> EventProcessor::takeFinishedWalks() {
  std::vector<WalkResult> done = walker_.takeFinished();
  for (WalkResult& w : done)
    if (w.isRewalk) recovery_.sweep(w.root);
  return done;
}

void EventProcessor::checkPendingLimit() {
  if (s_.out.size() > s_.opt.maxPending) recovery_.onPendingLimit();
}

}  // namespace lts
