// BatchBuilder: the pending records of one watcher, kept as a struct of arrays plus one path
// buffer, and the conservative, order-preserving coalescer (docs/watcher-design.md#coalescing).
//
// Coalescing rules (per root + path; "last" is the newest record kept for that path):
//   Modify  is dropped when last is Create or Modify   (a new file's writes are part of its Create)
//   Attrib  is dropped when last is Create or Attrib
//   Create  is dropped when last is Create            (scan-found + kernel-reported duplicates)
//   anything else is appended and becomes the new last.
// Records are never reordered or sorted (parcel's path-sorted EventList broke ordering); richer
// collapsing (create+delete, moves) is the TypeScript delay queue's job, where order is known.
//
// Ownership/threading: owned and used by the reader thread only. take() hands the arrays to a
// Batch that the thread-safe function carries to JS.
#pragma once
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/record.h"

namespace lts {

struct Batch {
  std::vector<uint8_t> kind;
  std::vector<uint8_t> flags;
  std::vector<uint32_t> cookie;
  std::vector<uint16_t> root;
  std::vector<int32_t> err;
  std::vector<uint32_t> pathOff;  // size()+1 offsets into pathBytes; path i = [off[i], off[i+1])
  std::string pathBytes;          // concatenated raw path bytes, root-relative, no leading '/'

  size_t size() const { return kind.size(); }
};

class BatchBuilder {
 public:
  BatchBuilder() { batch_.pathOff.push_back(0); }
  BatchBuilder(const BatchBuilder&) = delete;
  BatchBuilder& operator=(const BatchBuilder&) = delete;

  // Appends a record unless the coalescing rules above absorb it. Returns true when appended.
  bool add(Kind kind, uint8_t flags, uint32_t cookie, uint16_t root, const std::string& path,
           int32_t err = 0);

  // Drops every pending record of `root` (its events are superseded by an Overflow/RootGone).
  void dropRoot(uint16_t root);

  size_t size() const { return batch_.size(); }
  bool empty() const { return batch_.kind.empty(); }

  // Moves the pending records out and starts a fresh, empty batch.
  Batch take();

 private:
  static std::string key(uint16_t root, const std::string& path);
  Batch batch_;
  std::unordered_map<std::string, uint32_t> last_;  // key(root, path) -> index of newest record
};

}  // namespace lts
