// PATH lookup for the child spawner (child_spawner.cc), done in the parent and cached.
//
// Contract:
//   - SearchPath(file, path, out): execvp's search for a `file` without '/': each entry of
//     `path` (nullptr = "/bin:/usr/bin"; an empty entry is "."), the first regular file we may
//     execute wins. Returns errno: 0 (found, `out` set), EACCES (only non-executable matches),
//     ENOENT (none).
//   - PathCache remembers the result per (binary, PATH string). Resolve() answers from the cache
//     or searches and remembers a hit (a miss is not remembered, so a binary installed later is
//     found). Refresh() forgets the entry and searches again: the caller uses it once when a
//     cached path fails to exec (ENOENT/EACCES/ENOEXEC), so a moved or replaced binary is found
//     as execvp would find it.
//   - Why in the parent: posix_spawnp would search inside the vfork child, one failing execve per
//     PATH entry before the child runs at all (lsyncd execs /usr/bin/rsync directly); the cache
//     makes the common spawn a single execve.
//   - Ownership: one PathCache per addon instance (env), used on the JS thread only; no locking.
#pragma once
#include <string>
#include <unordered_map>

namespace lts {

int SearchPath(const std::string& file, const char* path, std::string& out);

class PathCache {
 public:
  // `out` = the executable for `binary` under `path`; `fromCache` = it came from an earlier
  // search (and may be stale). Returns errno (0 = found).
  int Resolve(const std::string& binary, const char* path, std::string& out, bool& fromCache);
  // Forgets (binary, path), searches again and remembers a hit. Returns errno (0 = found).
  int Refresh(const std::string& binary, const char* path, std::string& out);

 private:
  static std::string Key(const std::string& binary, const char* path);
  std::unordered_map<std::string, std::string> map_;
};

}  // namespace lts
