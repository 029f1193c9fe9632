// RuleMatcher: lsyncd exclude/filter patterns, evaluated before inotify_add_watch so excluded
// directories are never watched (docs/watcher-design.md#excludes-before-watching; docs/lsyncd-compat.md#rsync-mode-keys).
//
// Pattern semantics — identical to the TypeScript engine (src/filters/pattern.ts); the truth
// table test/fixtures/rule-cases.tsv is asserted by both, so the watcher and the sync engine
// can never disagree:
//   - paths are root-relative with a leading '/', directories with a trailing '/';
//   - a leading '/' anchors the pattern at the root; otherwise it may start at any component;
//   - '?' = one non-'/' byte, '*' = a run of non-'/' bytes, '**' (2+ stars) = any run;
//   - rsync wildmatch classes: '[...]', '!'/'^' negation, ranges, ']' first is literal, '\'
//     escapes, '[:digit:]'-style POSIX classes; a class never matches '/'. An unterminated '['
//     or an unknown POSIX class makes the whole pattern match nothing (wildmatch ABORT_ALL);
//   - '\x' is a literal x only in a wildcard pattern (one with '*', '?' or '['): rsync compares
//     other patterns byte for byte, backslash included;
//   - matches(): the match must end at a '/' or at the end of the path (lsyncd's single-path
//     test); matchesLevel(): it must end at the end of the path, or at its own trailing '/'.
// A rule list is ordered: filter rules first, then excludes as '-' rules. excluded(path) is the
// first-match verdict for the path's own level; the caller checks ancestors first — the tree
// walker does so by never descending into an excluded directory (src/filters/rule_list.ts walks
// levels the same way, which is what makes filters agree with rsync).
//
// Several lists (Rule::list = 0, 1, …): one root can be shared by syncs whose excludes differ
// (src/engine/shared_watches.ts). A directory is then excluded only when EVERY list excludes it
// at its level: the watch set is the union of what each sync needs. Checking each list at the
// path's own level only (not its ancestors) may watch a directory that one list excluded higher
// up and another list excludes here; that over-watches, never under-watches, and each sync's own
// rule list still drops the records it excludes (src/engine/record_translation.ts).
//
// Threading: immutable after construction; safe to share read-only.
#pragma once
#include <bitset>
#include <cstdint>
#include <string>
#include <vector>

namespace lts {

struct Rule {
  bool include;
  std::string pattern;
  uint16_t list = 0;  // which of the root's rule lists (see above); rules of a list stay in order
};

class CompiledPattern {
 public:
  explicit CompiledPattern(const std::string& pattern);
  bool matches(const std::string& path) const { return search(path, false); }
  bool matchesLevel(const std::string& path) const { return search(path, true); }

 private:
  struct Tok {
    enum Type : unsigned char { Lit, One, Star, DStar, Set } type;
    unsigned char c;
    std::bitset<256> set;
  };
  bool search(const std::string& path, bool level) const;
  bool at(size_t ti, const std::string& s, size_t si, bool level) const;

  std::vector<Tok> toks_;  // begins with a Lit '/' (the anchor, or lsyncd's implied '/')
  bool anchored_ = false;
  bool never_ = false;     // ABORT_ALL: matches nothing
};

class RuleMatcher {
 public:
  RuleMatcher() = default;
  explicit RuleMatcher(std::vector<Rule> rules);

  // Single-pattern test under matches() semantics (the shared truth table).
  static bool matches(const std::string& pattern, const std::string& path) {
    return CompiledPattern(pattern).matches(path);
  }

  // True when the first rule whose pattern matches this level is an exclude.
  bool excluded(const std::string& path) const;
  bool empty() const { return rules_.empty(); }

 private:
  struct Compiled {
    bool include;
    uint16_t list;
    CompiledPattern pattern;
  };
  std::vector<Compiled> rules_;
  size_t lists_ = 0;
};

}  // namespace lts
