// LinuxFsOps: FsOps on a real inotify fd (not owned: the reader thread's UniqueFd owns it).
//
// openDir: open(O_DIRECTORY | O_NOFOLLOW) + fstat, and fstatat(fd, "..") when the walker wants
// to check the parent. addWatch names the open fd through /proc/self/fd/N, so the kernel
// watches exactly the inode that was opened (and that readDir lists), not whatever the path
// names by then; without /proc it falls back to the path (IN_DONT_FOLLOW).
// readDir: getdents64 on that fd, d_type with an lstat fallback only for DT_UNKNOWN (as lsyncd
// does), so a 100k-directory walk costs one getdents stream per directory, not a stat per entry.
#pragma once
#include <memory>

#include "core/fs_ops.h"

namespace lts {

class LinuxFsOps final : public FsOps {
 public:
  explicit LinuxFsOps(int inotifyFd);
  int openDir(const std::string& path, bool withParent, OpenDir& out) override;
  int32_t addWatch(const OpenDir& dir, const std::string& path, uint32_t mask) override;
  void rmWatch(int32_t wd) override;
  int readDir(const OpenDir& dir, std::vector<DirEntry>& out) override;
  void closeDir(OpenDir& dir) override;

  // Test-only fault injection: after `n` more successful addWatch calls, fail with -err.
  void failAddWatchAfter(int64_t n, int err) { failAfter_ = n; failErr_ = err; }

 private:
  int fd_;
  bool procFd_;  // /proc/self/fd is usable
  int64_t failAfter_ = -1;
  int failErr_ = 0;
  std::unique_ptr<char[]> dents_;
  static constexpr size_t kDentsSize = 32 * 1024;
};

}  // namespace lts
