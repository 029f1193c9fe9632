#include "core/rule_matcher.h"

#include <cstddef>

namespace lts {
namespace {

// Matches the bracket expression starting at p[pi] == '[' against byte c. On success sets `next`
// to the index after the closing ']'. A '[' without a closing ']' is a literal.
bool matchClass(const std::string& p, size_t pi, unsigned char c, size_t& next, bool& isClass) {
  size_t i = pi + 1;
  bool negate = false;
  if (i < p.size() && (p[i] == '!' || p[i] == '^')) { negate = true; ++i; }
  size_t start = i;
  bool hit = false;
  while (i < p.size() && (p[i] != ']' || i == start)) {
    unsigned char lo = static_cast<unsigned char>(p[i]);
    if (lo == '\\' && i + 1 < p.size()) lo = static_cast<unsigned char>(p[++i]);
    unsigned char hi = lo;
    if (i + 2 < p.size() && p[i + 1] == '-' && p[i + 2] != ']') {
      hi = static_cast<unsigned char>(p[i + 2]);
      i += 2;
    }
    if (c >= lo && c <= hi) hit = true;
    ++i;
  }
  if (i >= p.size()) { isClass = false; return false; }  // unterminated: literal '['
  isClass = true;
  next = i + 1;
  return c != '/' && hit != negate;
}

// Glob-matches p[pi..] against s[si..]; succeeds when the pattern is consumed at the end of s or
// right before a '/'.
bool globAt(const std::string& p, size_t pi, const std::string& s, size_t si) {
  while (pi < p.size()) {
    char pc = p[pi];
    if (pc == '*') {
      bool any = pi + 1 < p.size() && p[pi + 1] == '*';
      size_t rest = pi + (any ? 2 : 1);
      while (any && rest < p.size() && p[rest] == '*') ++rest;  // '***' behaves as '**'
      for (size_t k = si;; ++k) {
        if (globAt(p, rest, s, k)) return true;
        if (k >= s.size() || (!any && s[k] == '/')) return false;
      }
    }
    if (si >= s.size()) return false;
    unsigned char sc = static_cast<unsigned char>(s[si]);
    if (pc == '?') {
      if (sc == '/') return false;
      ++pi; ++si;
      continue;
    }
    if (pc == '[') {
      size_t next = 0;
      bool isClass = false;
      bool ok = matchClass(p, pi, sc, next, isClass);
      if (isClass) {
        if (!ok) return false;
        pi = next; ++si;
        continue;
      }
      // literal '[' falls through
    }
    if (pc == '\\' && pi + 1 < p.size()) pc = p[++pi];
    if (static_cast<unsigned char>(pc) != sc) return false;
    ++pi; ++si;
  }
  return si == s.size() || s[si] == '/';
}

}  // namespace

bool RuleMatcher::matches(const std::string& pattern, const std::string& path) {
  if (pattern.empty()) return false;
  if (pattern[0] == '/') return globAt(pattern, 0, path, 0);
  const std::string anchored = "/" + pattern;
  for (size_t i = 0; i < path.size(); ++i)
    if (path[i] == '/' && globAt(anchored, 0, path, i)) return true;
  return false;
}

bool RuleMatcher::excluded(const std::string& path) const {
  for (const Rule& r : rules_)
    if (matches(r.pattern, path)) return !r.include;
  return false;
}

}  // namespace lts
