// LinuxFsOps: FsOps on a real inotify fd (not owned: the reader thread's UniqueFd owns it).
// readDir uses d_type and falls back to lstat only for DT_UNKNOWN (as lsyncd does), so a
// 100k-directory walk costs one getdents stream per directory, not a stat per entry.
#pragma once
#include "core/fs_ops.h"

namespace lts {

class LinuxFsOps final : public FsOps {
 public:
  explicit LinuxFsOps(int inotifyFd) : fd_(inotifyFd) {}
  int32_t addWatch(const std::string& path, uint32_t mask) override;
  void rmWatch(int32_t wd) override;
  int readDir(const std::string& path, std::vector<DirEntry>& out) override;

  // Test-only fault injection: after `n` more successful addWatch calls, fail with -err.
  void failAddWatchAfter(int64_t n, int err) { failAfter_ = n; failErr_ = err; }

 private:
  int fd_;
  int64_t failAfter_ = -1;
  int failErr_ = 0;
};

}  // namespace lts
