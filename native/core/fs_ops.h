// FsOps: the side effects the event processor needs, behind an interface so the core can be
// driven by a fake file system and synthetic inotify streams in native/test (watchman's
// FakeWatcher/FakeFileSystem seam, atom's SideEffect). linux_fs_ops.h is the real one.
//
// Contract: no method throws; failures are returned as -errno. Paths are absolute byte strings.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace lts {

struct DirEntry {
  std::string name;
  bool isDir;  // a real directory (symlinks to directories are NOT directories: never followed)
};

class FsOps {
 public:
  virtual ~FsOps() = default;
  // inotify_add_watch(path, mask | IN_ONLYDIR | IN_DONT_FOLLOW): wd >= 0, or -errno.
  virtual int32_t addWatch(const std::string& path, uint32_t mask) = 0;
  virtual void rmWatch(int32_t wd) = 0;
  // Lists `path` (without "." and ".."): 0, or -errno.
  virtual int readDir(const std::string& path, std::vector<DirEntry>& out) = 0;
};

}  // namespace lts
