#include "core/linux_fs_ops.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

namespace lts {

int32_t LinuxFsOps::addWatch(const std::string& path, uint32_t mask) {
  if (failAfter_ == 0) return -failErr_;
  int wd;
  do {
    wd = inotify_add_watch(fd_, path.c_str(), mask | IN_ONLYDIR | IN_DONT_FOLLOW);
  } while (wd < 0 && errno == EINTR);
  if (wd < 0) return -errno;
  if (failAfter_ > 0) --failAfter_;
  return wd;
}

void LinuxFsOps::rmWatch(int32_t wd) { inotify_rm_watch(fd_, wd); }

int LinuxFsOps::readDir(const std::string& path, std::vector<DirEntry>& out) {
  int dfd;
  do {
    dfd = open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  } while (dfd < 0 && errno == EINTR);
  if (dfd < 0) return -errno;
  DIR* d = fdopendir(dfd);
  if (!d) {
    int e = errno;
    close(dfd);
    return -e;
  }
  while (true) {
    errno = 0;
    struct dirent* de = readdir(d);
    if (!de) break;
    const char* n = de->d_name;
    if (n[0] == '.' && (n[1] == 0 || (n[1] == '.' && n[2] == 0))) continue;
    bool isDir;
    if (de->d_type == DT_UNKNOWN) {
      struct stat st;
      if (fstatat(dirfd(d), n, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;  // vanished meanwhile
      isDir = S_ISDIR(st.st_mode);
    } else {
      isDir = de->d_type == DT_DIR;
    }
    out.push_back(DirEntry{std::string(n), isDir});
  }
  int e = errno;
  closedir(d);
  return e ? -e : 0;
}

}  // namespace lts
