// FakeFs: an in-memory directory tree implementing FsOps, so the core runs without a kernel
// (watchman's FakeFileSystem seam). A directory keeps its wd when renamed, as an inode does.
// Tests mutate the tree directly and feed the matching inotify events themselves — or hold the
// events back, to play a table that is behind the file system (stale paths).
#pragma once
#include <errno.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/fs_ops.h"

namespace lts::test {

struct FNode {
  bool isDir = true;
  int wd = -1;
  uint64_t ino = 0;
  FNode* parent = nullptr;
  std::map<std::string, std::unique_ptr<FNode>> kids;
};

class FakeFs final : public FsOps {
 public:
  explicit FakeFs(std::string rootPath) : rootPath_(std::move(rootPath)) { root_.ino = nextIno_++; }

  int openDir(const std::string& path, bool withParent, OpenDir& out) override {
    FNode* n = lookup(path);
    if (!n) return -ENOENT;
    if (!n->isDir) return -ENOTDIR;
    out.handle = nextHandle_++;
    open_[out.handle] = n;
    out.ino = n->ino;
    out.parentIno = withParent && n->parent ? n->parent->ino : 0;
    return 0;
  }
  int32_t addWatch(const OpenDir& dir, const std::string&, uint32_t) override {
    ++addCalls;
    if (failWith) return -failWith;
    FNode* n = open_.at(dir.handle);
    if (n->wd < 0) n->wd = nextWd_++;
    return n->wd;
  }
  void rmWatch(int32_t wd) override {
    rmCalls.push_back(wd);
    forEach(&root_, [wd](FNode* n) { if (n->wd == wd) n->wd = -1; });
  }
  int readDir(const OpenDir& dir, std::vector<DirEntry>& out) override {
    FNode* n = open_.at(dir.handle);
    for (auto& [name, kid] : n->kids) out.push_back(DirEntry{name, kid->isDir});
    return 0;
  }
  void closeDir(OpenDir& dir) override {
    open_.erase(dir.handle);
    dir.handle = -1;
  }

  FNode* mkdir(const std::string& rel) { return make(rel, true); }
  FNode* mkfile(const std::string& rel) { return make(rel, false); }
  void rename(const std::string& from, const std::string& to) {
    auto [fp, fn] = split(from);
    auto [tp, tn] = split(to);
    std::unique_ptr<FNode> n = std::move(fp->kids[fn]);
    fp->kids.erase(fn);
    n->parent = tp;
    tp->kids[tn] = std::move(n);
  }
  void remove(const std::string& rel) {
    auto [p, n] = split(rel);
    p->kids.erase(n);
  }
  int wdOf(const std::string& rel) {
    FNode* n = rel.empty() ? &root_ : lookup(rootPath_ + "/" + rel);
    return n ? n->wd : -1;
  }
  size_t watchedCount() {
    size_t c = 0;
    forEach(&root_, [&c](FNode* n) { if (n->wd >= 0) ++c; });
    return c;
  }

  int failWith = 0;
  int addCalls = 0;
  std::vector<int32_t> rmCalls;

 private:
  template <class F>
  void forEach(FNode* n, F f) {
    f(n);
    for (auto& kv : n->kids) forEach(kv.second.get(), f);
  }
  FNode* lookup(const std::string& path) {
    if (path.compare(0, rootPath_.size(), rootPath_) != 0) return nullptr;
    FNode* n = &root_;
    size_t i = rootPath_.size();
    while (i < path.size()) {
      if (path[i] == '/') { ++i; continue; }
      size_t j = path.find('/', i);
      if (j == std::string::npos) j = path.size();
      auto it = n->kids.find(path.substr(i, j - i));
      if (it == n->kids.end() || !n->isDir) return nullptr;
      n = it->second.get();
      i = j;
    }
    return n;
  }
  std::pair<FNode*, std::string> split(const std::string& rel) {
    size_t s = rel.rfind('/');
    FNode* p = s == std::string::npos ? &root_ : lookup(rootPath_ + "/" + rel.substr(0, s));
    return {p, s == std::string::npos ? rel : rel.substr(s + 1)};
  }
  FNode* make(const std::string& rel, bool dir) {
    auto [p, n] = split(rel);
    auto& slot = p->kids[n];
    slot = std::make_unique<FNode>();
    slot->isDir = dir;
    slot->ino = nextIno_++;
    slot->parent = p;
    return slot.get();
  }

  std::string rootPath_;
  FNode root_;
  int nextWd_ = 1;
  uint64_t nextIno_ = 2;
  int nextHandle_ = 100;
  std::map<int, FNode*> open_;
};

}  // namespace lts::test
