#include "core/batch_builder.h"

#include <utility>

#include "core/utf8.h"

namespace lts {

std::string BatchBuilder::key(uint16_t root, const std::string& path) {
  std::string k;
  k.reserve(path.size() + 2);
  k.push_back(static_cast<char>(root & 0xFF));
  k.push_back(static_cast<char>(root >> 8));
  k.append(path);
  return k;
}

bool BatchBuilder::add(Kind kind, uint8_t flags, uint32_t cookie, uint16_t root,
                       const std::string& path, int32_t err) {
  const bool pathRecord = kind != Kind::Overflow && kind != Kind::RootGone && kind != Kind::Error;
  std::string k;
  if (pathRecord) {
    k = key(root, path);
    auto it = last_.find(k);
    if (it != last_.end()) {
      Kind last = static_cast<Kind>(batch_.kind[it->second]);
      if ((kind == Kind::Modify && (last == Kind::Create || last == Kind::Modify)) ||
          (kind == Kind::Attrib && (last == Kind::Create || last == Kind::Attrib)) ||
          (kind == Kind::Create && last == Kind::Create))
        return false;
    }
  }
  if (!isValidUtf8(path)) flags |= kNonUtf8;
  const uint32_t index = static_cast<uint32_t>(batch_.kind.size());
  batch_.kind.push_back(static_cast<uint8_t>(kind));
  batch_.flags.push_back(flags);
  batch_.cookie.push_back(cookie);
  batch_.root.push_back(root);
  batch_.err.push_back(err);
  batch_.pathBytes.append(path);
  batch_.pathOff.push_back(static_cast<uint32_t>(batch_.pathBytes.size()));
  if (pathRecord) last_[std::move(k)] = index;
  return true;
}

void BatchBuilder::dropRoot(uint16_t root) {
  Batch old = take();
  for (size_t i = 0; i < old.size(); ++i) {
    if (old.root[i] == root) continue;
    std::string path = old.pathBytes.substr(old.pathOff[i], old.pathOff[i + 1] - old.pathOff[i]);
    add(static_cast<Kind>(old.kind[i]), old.flags[i], old.cookie[i], old.root[i], path, old.err[i]);
  }
}

Batch BatchBuilder::take() {
  Batch out = std::move(batch_);
  batch_ = Batch();
  batch_.pathOff.push_back(0);
  last_.clear();
  return out;
}

}  // namespace lts
