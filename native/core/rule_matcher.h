// RuleMatcher: lsyncd exclude/filter patterns, evaluated before inotify_add_watch so excluded
// directories are never watched (issue 2 §2; lsyncd-behaviour.md §1.3).
//
// Pattern semantics (truth table: test/fixtures/rule-cases.tsv, shared with the TypeScript
// matcher in src/filters so the watcher and the sync engine can never disagree):
//   - paths are root-relative with a leading '/', directories with a trailing '/';
//   - a leading '/' anchors the pattern at the root; otherwise it may start at any component;
//   - '?' = one non-'/' byte, '*' = a run of non-'/' bytes, '**' = any run including '/';
//   - '[...]' is a character class ('!' or '^' negates, 'a-z' ranges) as in rsync — lsyncd
//     escapes it to a literal, which made events and rsync runs disagree; '\x' is a literal x;
//   - the match must end at a '/' or at the end of the path.
// A rule list is ordered: filter rules first, then excludes as '-' rules; the first rule that
// matches decides (include = keep). No match = keep.
//
// Threading: immutable after construction; safe to share read-only.
#pragma once
#include <string>
#include <vector>

namespace lts {

struct Rule {
  bool include;
  std::string pattern;
};

class RuleMatcher {
 public:
  RuleMatcher() = default;
  explicit RuleMatcher(std::vector<Rule> rules) : rules_(std::move(rules)) {}

  // True when `pattern` matches `path` under the semantics above.
  static bool matches(const std::string& pattern, const std::string& path);

  // True when the first matching rule is an exclude.
  bool excluded(const std::string& path) const;

  bool empty() const { return rules_.empty(); }

 private:
  std::vector<Rule> rules_;
};

}  // namespace lts
