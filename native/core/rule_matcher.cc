#include "core/rule_matcher.h"

#include <algorithm>
#include <cstring>

namespace lts {
namespace {

struct PosixClass {
  const char* name;
  bool (*test)(unsigned char);
};

// C-locale POSIX classes, as rsync's wildmatch and src/filters/pattern.ts define them.
const PosixClass kPosix[] = {
    {"alnum", [](unsigned char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }},
    {"alpha", [](unsigned char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }},
    {"blank", [](unsigned char c) { return c == ' ' || c == '\t'; }},
    {"cntrl", [](unsigned char c) { return c < 0x20 || c == 0x7f; }},
    {"digit", [](unsigned char c) { return c >= '0' && c <= '9'; }},
    {"graph", [](unsigned char c) { return c >= 0x21 && c <= 0x7e; }},
    {"lower", [](unsigned char c) { return c >= 'a' && c <= 'z'; }},
    {"print", [](unsigned char c) { return c >= 0x20 && c <= 0x7e; }},
    {"punct", [](unsigned char c) { return (c >= 0x21 && c <= 0x2f) || (c >= 0x3a && c <= 0x40) || (c >= 0x5b && c <= 0x60) || (c >= 0x7b && c <= 0x7e); }},
    {"space", [](unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }},
    {"upper", [](unsigned char c) { return c >= 'A' && c <= 'Z'; }},
    {"xdigit", [](unsigned char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f'); }},
};

// Parses the class at src[start] == '['. Returns false for ABORT_ALL; else fills `set` and
// `next` (the index after the closing ']').
bool parseClass(const std::string& src, size_t start, std::bitset<256>& set, size_t& next) {
  size_t j = start + 1;
  bool negate = false;
  if (j < src.size() && (src[j] == '!' || src[j] == '^')) { negate = true; ++j; }
  int prev = -1;
  bool first = true;
  for (;; ++j) {
    if (j >= src.size()) return false;
    unsigned char c = static_cast<unsigned char>(src[j]);
    if (c == ']' && !first) break;
    first = false;
    if (c == '\\') {
      if (++j >= src.size()) return false;
      prev = static_cast<unsigned char>(src[j]);
      set.set(prev);
    } else if (c == '-' && prev >= 0 && j + 1 < src.size() && src[j + 1] != ']') {
      ++j;
      if (src[j] == '\\' && ++j >= src.size()) return false;
      int hi = static_cast<unsigned char>(src[j]);
      for (int x = prev; x <= hi; ++x) set.set(x);
      prev = -1;
    } else if (c == '[' && j + 1 < src.size() && src[j + 1] == ':') {
      size_t close = src.find(']', j + 2);
      if (close == std::string::npos) return false;
      if (close >= j + 3 && src[close - 1] == ':') {
        std::string name = src.substr(j + 2, close - 1 - (j + 2));
        const PosixClass* cls = nullptr;
        for (const PosixClass& p : kPosix)
          if (name == p.name) cls = &p;
        if (!cls) return false;
        for (int x = 0; x < 256; ++x)
          if (cls->test(static_cast<unsigned char>(x))) set.set(x);
        prev = -1;
        j = close;
      } else {
        set.set('[');  // no ":]": an ordinary member of the set
        prev = '[';
      }
    } else {
      set.set(c);
      prev = c;
    }
  }
  if (negate) set.flip();
  set.reset('/');  // a class never matches '/'
  next = j + 1;
  return true;
}

}  // namespace

CompiledPattern::CompiledPattern(const std::string& pattern) {
  if (pattern.empty()) { never_ = true; return; }
  anchored_ = pattern[0] == '/';
  const std::string src = anchored_ ? pattern.substr(1) : pattern;
  const bool wild = pattern.find_first_of("*?[") != std::string::npos;
  toks_.push_back(Tok{Tok::Lit, '/', {}});
  for (size_t i = 0; i < src.size();) {
    unsigned char c = static_cast<unsigned char>(src[i]);
    if (!wild) {
      toks_.push_back(Tok{Tok::Lit, c, {}});
      ++i;
    } else if (c == '*') {
      size_t n = 0;
      while (i < src.size() && src[i] == '*') { ++n; ++i; }
      toks_.push_back(Tok{n >= 2 ? Tok::DStar : Tok::Star, 0, {}});
    } else if (c == '?') {
      toks_.push_back(Tok{Tok::One, 0, {}});
      ++i;
    } else if (c == '\\') {
      if (i + 1 < src.size()) ++i;  // a trailing lone backslash is literal
      toks_.push_back(Tok{Tok::Lit, static_cast<unsigned char>(src[i]), {}});
      ++i;
    } else if (c == '[') {
      Tok t{Tok::Set, 0, {}};
      size_t next = 0;
      if (!parseClass(src, i, t.set, next)) { never_ = true; toks_.clear(); return; }
      toks_.push_back(t);
      i = next;
    } else {
      toks_.push_back(Tok{Tok::Lit, c, {}});
      ++i;
    }
  }
}

bool CompiledPattern::at(size_t ti, const std::string& s, size_t si, bool level) const {
  for (; ti < toks_.size(); ++ti) {
    const Tok& t = toks_[ti];
    if (t.type == Tok::Star || t.type == Tok::DStar) {
      for (size_t k = si;; ++k) {
        if (at(ti + 1, s, k, level)) return true;
        if (k >= s.size() || (t.type == Tok::Star && s[k] == '/')) return false;
      }
    }
    if (si >= s.size()) return false;
    unsigned char c = static_cast<unsigned char>(s[si]);
    if (t.type == Tok::Lit ? c != t.c : t.type == Tok::One ? c == '/' : !t.set.test(c)) return false;
    ++si;
  }
  if (si == s.size()) return true;
  return s[si] == '/' && (!level || si + 1 == s.size());
}

bool CompiledPattern::search(const std::string& path, bool level) const {
  if (never_) return false;
  if (anchored_) return at(0, path, 0, level);
  for (size_t i = 0; i < path.size(); ++i)
    if (path[i] == '/' && at(0, path, i, level)) return true;
  return false;
}

RuleMatcher::RuleMatcher(std::vector<Rule> rules) {
  rules_.reserve(rules.size());
  for (Rule& r : rules) {
    rules_.push_back(Compiled{r.include, r.list, CompiledPattern(r.pattern)});
    lists_ = std::max<size_t>(lists_, size_t{r.list} + 1);
  }
}

bool RuleMatcher::excluded(const std::string& path) const {
  if (lists_ <= 1) {
    for (const Compiled& r : rules_)
      if (r.pattern.matchesLevel(path)) return !r.include;
    return false;
  }
  // Excluded only when every list's first match at this level is an exclude.
  std::vector<bool> decided(lists_, false);
  size_t excludedBy = 0;
  for (const Compiled& r : rules_) {
    if (decided[r.list] || !r.pattern.matchesLevel(path)) continue;
    if (r.include) return false;
    decided[r.list] = true;
    if (++excludedBy == lists_) return true;
  }
  return false;
}

}  // namespace lts
