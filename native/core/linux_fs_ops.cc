#include "core/linux_fs_ops.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

namespace lts {
namespace {

struct LinuxDirent64 {
  uint64_t d_ino;
  int64_t d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[];
};

}  // namespace

LinuxFsOps::LinuxFsOps(int inotifyFd)
    : fd_(inotifyFd), procFd_(access("/proc/self/fd", X_OK) == 0), dents_(new char[kDentsSize]) {}

int LinuxFsOps::openDir(const std::string& path, bool withParent, OpenDir& out) {
  int dfd;
  do {
    dfd = open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  } while (dfd < 0 && errno == EINTR);
  if (dfd < 0) return errno == ELOOP ? -ENOTDIR : -errno;  // ELOOP: a symlink, not followed
  struct stat st;
  if (fstat(dfd, &st) != 0) {
    int e = errno;
    close(dfd);
    return -e;
  }
  out.handle = dfd;
  out.ino = st.st_ino;
  out.parentIno = 0;
  if (withParent) {
    if (fstatat(dfd, "..", &st, 0) != 0) {
      int e = errno;
      closeDir(out);
      return -e;
    }
    out.parentIno = st.st_ino;
  }
  return 0;
}

int32_t LinuxFsOps::addWatch(const OpenDir& dir, const std::string& path, uint32_t mask) {
  if (failAfter_ == 0) return -failErr_;
  char procPath[40];
  const char* target = path.c_str();
  uint32_t flags = IN_ONLYDIR | IN_DONT_FOLLOW;
  if (procFd_) {
    std::snprintf(procPath, sizeof procPath, "/proc/self/fd/%d", dir.handle);
    target = procPath;
    flags = IN_ONLYDIR;  // the magic link must be followed; it names the opened inode itself
  }
  int wd;
  do {
    wd = inotify_add_watch(fd_, target, mask | flags);
  } while (wd < 0 && errno == EINTR);
  if (wd < 0) return -errno;
  if (failAfter_ > 0) --failAfter_;
  return wd;
}

void LinuxFsOps::rmWatch(int32_t wd) { inotify_rm_watch(fd_, wd); }

int LinuxFsOps::readDir(const OpenDir& dir, std::vector<DirEntry>& out) {
  while (true) {
    long n = syscall(SYS_getdents64, dir.handle, dents_.get(), kDentsSize);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -errno;
    }
    if (n == 0) return 0;
    for (long off = 0; off < n;) {
      const auto* de = reinterpret_cast<const LinuxDirent64*>(dents_.get() + off);
      off += de->d_reclen;
      const char* name = de->d_name;
      if (name[0] == '.' && (name[1] == 0 || (name[1] == '.' && name[2] == 0))) continue;
      bool isDir;
      if (de->d_type == DT_UNKNOWN) {
        struct stat st;
        if (fstatat(dir.handle, name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;  // vanished
        isDir = S_ISDIR(st.st_mode);
      } else {
        isDir = de->d_type == DT_DIR;
      }
      out.push_back(DirEntry{std::string(name), isDir});
    }
  }
}

void LinuxFsOps::closeDir(OpenDir& dir) {
  if (dir.handle >= 0) close(dir.handle);
  dir.handle = -1;
}

}  // namespace lts
