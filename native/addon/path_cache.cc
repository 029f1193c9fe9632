#include "addon/path_cache.h"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

namespace lts {

int SearchPath(const std::string& file, const char* path, std::string& out) {
  if (path == nullptr) path = "/bin:/usr/bin";
  int err = ENOENT;
  std::string p(path);
  size_t start = 0;
  for (;;) {
    size_t colon = p.find(':', start);
    std::string dir = p.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    std::string cand = (dir.empty() ? std::string(".") : dir) + "/" + file;
    struct stat st;
    if (::stat(cand.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
      if (::access(cand.c_str(), X_OK) == 0) {
        out = cand;
        return 0;
      }
      err = EACCES;
    }
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return err;
}

std::string PathCache::Key(const std::string& binary, const char* path) {
  return binary + '\0' + (path ? path : "");
}

int PathCache::Resolve(const std::string& binary, const char* path, std::string& out, bool& fromCache) {
  std::string key = Key(binary, path);
  auto it = map_.find(key);
  if (it != map_.end()) {
    out = it->second;
    fromCache = true;
    return 0;
  }
  fromCache = false;
  if (int e = SearchPath(binary, path, out)) return e;
  map_[key] = out;
  return 0;
}

int PathCache::Refresh(const std::string& binary, const char* path, std::string& out) {
  std::string key = Key(binary, path);
  map_.erase(key);
  if (int e = SearchPath(binary, path, out)) return e;
  map_[key] = out;
  return 0;
}

}  // namespace lts
