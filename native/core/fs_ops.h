// FsOps: the side effects the event processor needs, behind an interface so the core can be
// driven by a fake file system and synthetic inotify streams in native/test (watchman's
// FakeWatcher/FakeFileSystem seam, atom's SideEffect). linux_fs_ops.h is the real one.
//
// Watch-then-scan goes through one open directory (OpenDir): the walker opens the path once,
// checks that the directory it got is still a child of the directory it believes is its parent
// (by inode: the path the watch table derives can be stale while renames sit unread in the
// kernel queue), then adds the watch and lists the entries through that same open directory.
// So the watch, the listing and the table node always describe one inode, whatever renames
// happen meanwhile (the lost-subtree race, tree_walker.h).
//
// Contract: no method throws; failures are returned as -errno. Paths are absolute byte strings.
// A symlink is never followed: openDir() on one fails with -ENOTDIR.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace lts {

struct DirEntry {
  std::string name;
  bool isDir;  // a real directory (symlinks to directories are NOT directories: never followed)
};

struct OpenDir {
  int handle = -1;         // owned by the FsOps until closeDir()
  uint64_t ino = 0;        // the directory's inode
  uint64_t parentIno = 0;  // inode of its ".." at open time (0 when not asked for)
};

class FsOps {
 public:
  virtual ~FsOps() = default;
  // Opens the directory at `path` (never through a symlink). withParent: also fill parentIno.
  virtual int openDir(const std::string& path, bool withParent, OpenDir& out) = 0;
  // inotify_add_watch on the open directory (mask | IN_ONLYDIR): wd >= 0, or -errno.
  virtual int32_t addWatch(const OpenDir& dir, const std::string& path, uint32_t mask) = 0;
  virtual void rmWatch(int32_t wd) = 0;
  // Lists the open directory (without "." and ".."): 0, or -errno.
  virtual int readDir(const OpenDir& dir, std::vector<DirEntry>& out) = 0;
  virtual void closeDir(OpenDir& dir) = 0;
};

// Closes an OpenDir on every path out of a scope.
class OpenDirGuard {
 public:
  OpenDirGuard(FsOps& fs, OpenDir& d) : fs_(fs), d_(d) {}
  ~OpenDirGuard() {
    if (d_.handle >= 0) fs_.closeDir(d_);
  }
  OpenDirGuard(const OpenDirGuard&) = delete;
  OpenDirGuard& operator=(const OpenDirGuard&) = delete;

 private:
  FsOps& fs_;
  OpenDir& d_;
};

}  // namespace lts
