#include "addon/dir_scan.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace lts {
namespace {

// Closes the DIR* on every path out.
struct DirCloser {
  DIR* d;
  ~DirCloser() {
    if (d != nullptr) closedir(d);
  }
};

// The signature of one lstat result (see the header); mirrors entrySignature().
std::string Signature(const struct stat& st) {
  char buf[96];
  const unsigned mode = static_cast<unsigned>(st.st_mode & 07777);
  const unsigned long long ino = static_cast<unsigned long long>(st.st_ino);
  if (S_ISDIR(st.st_mode)) {
    std::snprintf(buf, sizeof buf, "d|0|0|%llu|%u", ino, mode);
  } else {
    const char t = S_ISREG(st.st_mode) ? 'f' : S_ISLNK(st.st_mode) ? 'l' : 'o';
    const int64_t ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000LL + static_cast<int64_t>(st.st_mtim.tv_nsec);
    std::snprintf(buf, sizeof buf, "%c|%lld|%" PRId64 "|%llu|%u", t, static_cast<long long>(st.st_size), ns, ino, mode);
  }
  return buf;
}

Napi::Value ScanDir(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsBuffer()) {
    Napi::TypeError::New(env, "scanDir(path: Buffer)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Buffer<char> arg = info[0].As<Napi::Buffer<char>>();
  const std::string path(arg.Data(), arg.Length());
  if (path.find('\0') != std::string::npos) return Napi::Number::New(env, -EINVAL);
  DirCloser dir{opendir(path.c_str())};
  if (dir.d == nullptr) return Napi::Number::New(env, -errno);
  const int dfd = dirfd(dir.d);
  std::vector<std::pair<std::string, std::string>> entries;
  for (;;) {
    errno = 0;
    struct dirent* e = readdir(dir.d);
    if (e == nullptr) {
      if (errno != 0) return Napi::Number::New(env, -errno);
      break;
    }
    if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
    struct stat st;
    if (fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;  // vanished meanwhile
    entries.emplace_back(e->d_name, Signature(st));
  }
  // std::string compares as unsigned bytes (char_traits<char>::compare is memcmp-like).
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string out;
  size_t total = 0;
  for (const auto& en : entries) total += en.first.size() + en.second.size() + 2;
  out.reserve(total);
  for (const auto& en : entries) {
    out.append(en.first).push_back('\0');
    out.append(en.second).push_back('\0');
  }
  napi_value result;
  if (napi_create_string_latin1(env, out.data(), out.size(), &result) != napi_ok) return Napi::Number::New(env, -ENOMEM);
  return Napi::Value(env, result);
}

Napi::Value StatPaths(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsBuffer()) {
    Napi::TypeError::New(env, "statPaths(paths: Buffer)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Buffer<char> arg = info[0].As<Napi::Buffer<char>>();
  const char* p = arg.Data();
  const char* end = p + arg.Length();
  std::string out;
  while (p < end) {
    const char* nul = static_cast<const char*>(std::memchr(p, '\0', static_cast<size_t>(end - p)));
    if (nul == nullptr) break;  // an unterminated tail is not a path
    struct stat st;
    if (lstat(p, &st) == 0) out.append(Signature(st));
    out.push_back('\0');
    p = nul + 1;
  }
  napi_value result;
  if (napi_create_string_latin1(env, out.data(), out.size(), &result) != napi_ok) return env.Undefined();
  return Napi::Value(env, result);
}

}  // namespace

void RegisterDirScan(Napi::Env env, Napi::Object exports) {
  exports.Set("scanDir", Napi::Function::New(env, ScanDir, "scanDir"));
  exports.Set("statPaths", Napi::Function::New(env, StatPaths, "statPaths"));
}

}  // namespace lts
