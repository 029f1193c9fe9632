// Standalone test of the native core (no N-API, no kernel): synthetic inotify event streams fed
// to EventProcessor over FakeFs, plus the shared exclude-rule truth table. Built and run under
// AddressSanitizer + UndefinedBehaviorSanitizer by scripts/test-native-core.sh.
// Usage: core_test <path to test/fixtures/rule-cases.tsv>
#include <sys/inotify.h>

#include <cstdio>
#include <cstring>
#include <exception>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "core/event_processor.h"
#include "core/rule_matcher.h"
#include "test/fake_fs.h"

using namespace lts;
using lts::test::FakeFs;

static int g_failed = 0, g_passed = 0;
#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      std::fprintf(stderr, "  CHECK failed %s:%d: %s\n", __FILE__, __LINE__, #cond); \
      throw 1;                                                                 \
    }                                                                          \
  } while (0)

static void run(const char* name, const std::function<void()>& fn) {
  try {
    fn();
    ++g_passed;
    std::printf("ok - %s\n", name);
  } catch (const std::exception& e) {
    ++g_failed;
    std::printf("not ok - %s (%s)\n", name, e.what());
  } catch (...) {
    ++g_failed;
    std::printf("not ok - %s\n", name);
  }
}

// ---- helpers ---------------------------------------------------------------------------------

struct Ev {
  int wd;
  uint32_t mask;
  uint32_t cookie;
  std::string name;
};

static std::string bytes(const std::vector<Ev>& evs) {
  std::string out;
  for (const Ev& e : evs) {
    struct inotify_event h{};
    h.wd = e.wd;
    h.mask = e.mask;
    h.cookie = e.cookie;
    h.len = e.name.empty() ? 0 : static_cast<uint32_t>((e.name.size() + 1 + 15) / 16 * 16);
    out.append(reinterpret_cast<const char*>(&h), sizeof h);
    std::string n = e.name;
    n.resize(h.len, '\0');
    out.append(n);
  }
  return out;
}

struct Rec {
  Kind kind;
  uint8_t flags;
  uint32_t cookie;
  uint16_t root;
  std::string path;
};

static std::vector<Rec> records(Batch b) {
  std::vector<Rec> out;
  for (size_t i = 0; i < b.size(); ++i)
    out.push_back(Rec{static_cast<Kind>(b.kind[i]), b.flags[i], b.cookie[i], b.root[i],
                      b.pathBytes.substr(b.pathOff[i], b.pathOff[i + 1] - b.pathOff[i])});
  return out;
}

static std::string show(const std::vector<Rec>& rs) {
  static const char* names[] = {"?", "Create", "Modify", "Attrib", "Delete", "MoveFrom",
                                "MoveTo", "Overflow", "RootGone", "Error"};
  std::ostringstream o;
  for (const Rec& r : rs) o << names[static_cast<int>(r.kind)] << " " << r.path << "; ";
  return o.str();
}

struct Harness {
  FakeFs fs{"/r"};
  EventProcessor p;
  uint64_t now = 1000;
  explicit Harness(WatcherOptions o = {}) : p(fs, o) {}
  void start(std::vector<Rule> rules = {}) {
    p.addRoot(0, "/r", std::move(rules), 7);
    while (p.walkStep(256)) {}
    auto done = p.takeFinishedWalks();
    CHECK(done.size() == 1 && done[0].reqId == 7 && done[0].rootErr == 0);
  }
  void feed(const std::vector<Ev>& evs) {
    std::string b = bytes(evs);
    p.processBuffer(b.data(), b.size(), now);
    while (p.walkStep(256)) {}
    p.takeFinishedWalks();
  }
  void drainEnd(uint64_t advanceMs) {
    now += advanceMs;
    p.endOfDrain(now);
  }
  std::vector<Rec> take() { return records(p.out().take()); }
};

// ---- tests -----------------------------------------------------------------------------------

static void testRuleTable(const char* tsv) {
  std::ifstream in(tsv);
  CHECK(in.good());
  std::string line;
  int rows = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t a = line.find('\t'), b = line.find('\t', a + 1);
    CHECK(a != std::string::npos && b != std::string::npos);
    std::string pat = line.substr(0, a), path = line.substr(a + 1, b - a - 1);
    bool want = line.substr(b + 1) == "1";
    if (RuleMatcher::matches(pat, path) != want) {
      std::fprintf(stderr, "  rule row: '%s' vs '%s' expected %d\n", pat.c_str(), path.c_str(), want);
      CHECK(false);
    }
    ++rows;
  }
  CHECK(rows > 40);
  RuleMatcher list({{false, "/ab**"}, {true, "/a**"}, {false, "/**"}});
  CHECK(list.excluded("/abc"));
  CHECK(!list.excluded("/acc"));
  CHECK(list.excluded("/baa"));
  // Level semantics (as rsync and src/filters/rule_list.ts): with "+ /src/", "- /*" the
  // directory /src/lib/ is not excluded by "/*" matching its prefix /src; /src/ was included.
  RuleMatcher levels({{true, "/src/"}, {false, "/*"}});
  CHECK(!levels.excluded("/src/"));
  CHECK(!levels.excluded("/src/lib/"));
  CHECK(levels.excluded("/other/"));
  CHECK(RuleMatcher::matches("/*", "/src/lib/"));  // the single-path test does match there

  // Two syncs share a root: a directory is excluded only when both lists exclude it.
  RuleMatcher shared({{false, "/cache/", 0}, {false, "/logs/", 0}, {false, "/logs/", 1}, {false, "/tmp/", 1}});
  CHECK(shared.excluded("/logs/"));
  CHECK(!shared.excluded("/cache/"));  // list 1 wants it
  CHECK(!shared.excluded("/tmp/"));    // list 0 wants it
  CHECK(!shared.excluded("/src/"));
  RuleMatcher sharedInclude({{true, "/keep/", 0}, {false, "/*", 0}, {false, "/*", 1}});
  CHECK(!sharedInclude.excluded("/keep/"));  // list 0's include wins over list 1's exclude
  CHECK(sharedInclude.excluded("/drop/"));
}

static void testWatchTableRelink() {
  WatchTable t;
  uint32_t r = t.addRoot(0, 1, "/r", 1);
  uint32_t a = t.addChild(r, 2, "a", 1);
  uint32_t b = t.addChild(a, 3, "b", 1);
  uint32_t c = t.addChild(b, 4, "c", 1);
  CHECK(t.relPath(c) == "a/b/c");
  CHECK(t.absPath(c) == "/r/a/b/c");
  t.relink(a, r, "z");
  CHECK(t.relPath(c) == "z/b/c");
  CHECK(t.findChild(r, "z") == a && t.findChild(r, "a") == kNone);
  std::vector<int32_t> wds;
  t.removeSubtree(b, wds);
  CHECK(wds.size() == 2 && wds[0] == 3);
  CHECK(t.byWd(4) == kNone && t.size() == 2);
  uint32_t d = t.addChild(a, 5, "d", 1);  // reuses a freed slot with a new serial
  CHECK(t.relPath(d) == "z/d");
  // Watches per root: r holds r, z (a) and d; a second root counts apart.
  uint32_t s2 = t.addRoot(2, 6, "/s", 1);
  t.addChild(s2, 7, "x", 1);
  CHECK(t.perRoot().size() == 3 && t.perRoot()[0] == 3 && t.perRoot()[1] == 0 && t.perRoot()[2] == 2);
  wds.clear();
  t.removeSubtree(r, wds);
  CHECK(t.perRoot()[0] == 0 && t.perRoot()[2] == 2);
}

static void testInitialWalkAndExcludes() {
  Harness h;
  h.fs.mkdir("a"); h.fs.mkdir("a/b"); h.fs.mkfile("a/b/f");
  h.fs.mkdir(".git"); h.fs.mkdir(".git/objects"); h.fs.mkdir("keep");
  h.start({{false, ".git/"}});
  CHECK(h.fs.wdOf(".git") < 0 && h.fs.wdOf(".git/objects") < 0);  // never watched
  CHECK(h.fs.wdOf("a/b") > 0 && h.fs.wdOf("keep") > 0);
  CHECK(h.p.state().table.size() == 4);
  CHECK(h.take().empty());  // a root walk emits nothing: the init transfer covers content
}

static void testNewDirectoryWatchedThenScanned() {
  Harness h;
  h.start();
  // mkdir -p a/b/c/d && echo x > a/b/c/d/f: only "a" is reported by the kernel before we watch.
  h.fs.mkdir("a"); h.fs.mkdir("a/b"); h.fs.mkdir("a/b/c"); h.fs.mkdir("a/b/c/d"); h.fs.mkfile("a/b/c/d/f");
  h.feed({{h.fs.wdOf(""), IN_CREATE | IN_ISDIR, 0, "a"}});
  auto rs = h.take();
  CHECK(show(rs) == "Create a; Create a/b; Create a/b/c; Create a/b/c/d; Create a/b/c/d/f; ");
  CHECK(rs[4].flags & kSynthetic);
  CHECK(!(rs[0].flags & kSynthetic) && (rs[0].flags & kIsDir));
  CHECK(h.fs.wdOf("a/b/c/d") > 0);
  // The kernel's own late CREATE for a/b (queued on a's new watch) is reported in its new batch
  // but the directory is not scanned again: no repeated synthetic creates for its contents.
  int calls = h.fs.addCalls;
  h.feed({{h.fs.wdOf("a"), IN_CREATE | IN_ISDIR, 0, "b"}});
  CHECK(show(h.take()) == "Create a/b; ");
  CHECK(h.fs.addCalls == calls + 1);
}

static void testMovePairingAcrossBuffers() {
  Harness h;
  h.fs.mkdir("d"); h.fs.mkdir("d/sub"); h.fs.mkfile("d/sub/f");
  h.start();
  int rootWd = h.fs.wdOf(""), subWd = h.fs.wdOf("d/sub");
  h.fs.rename("d", "e");
  h.feed({{rootWd, IN_MOVED_FROM | IN_ISDIR, 42, "d"}});
  h.drainEnd(1);  // the halves straddle a read boundary: still parked, not a Delete
  CHECK(h.take().empty());
  h.feed({{rootWd, IN_MOVED_TO | IN_ISDIR, 42, "e"}});
  auto rs = h.take();
  CHECK(show(rs) == "MoveFrom d; MoveTo e; ");
  CHECK(rs[0].cookie == 42 && rs[1].cookie == 42);
  // Descendant watches survive with correct paths: an event in the old d/sub is now e/sub.
  h.feed({{subWd, IN_CLOSE_WRITE, 0, "f"}});
  CHECK(show(h.take()) == "Modify e/sub/f; ");
  CHECK(h.fs.rmCalls.empty());
}

static void testRenameParentThenChildSameBatch() {
  Harness h;
  h.fs.mkdir("p"); h.fs.mkdir("p/c"); h.fs.mkdir("p/c/g");
  h.start();
  int rootWd = h.fs.wdOf(""), pWd = h.fs.wdOf("p"), gWd = h.fs.wdOf("p/c/g");
  h.fs.rename("p", "P"); h.fs.rename("P/c", "P/C");
  h.feed({{rootWd, IN_MOVED_FROM | IN_ISDIR, 1, "p"}, {rootWd, IN_MOVED_TO | IN_ISDIR, 1, "P"},
          {pWd, IN_MOVED_FROM | IN_ISDIR, 2, "c"}, {pWd, IN_MOVED_TO | IN_ISDIR, 2, "C"},
          {gWd, IN_CREATE, 0, "new"}});
  CHECK(show(h.take()) == "MoveFrom p; MoveTo P; MoveFrom P/c; MoveTo P/C; Create P/C/g/new; ");
}

static void testUnpairedMovesOutAndIn() {
  Harness h;
  h.fs.mkdir("out"); h.fs.mkdir("out/deep"); h.fs.mkfile("file");
  h.start();
  int rootWd = h.fs.wdOf("");
  size_t before = h.p.state().table.size();
  h.fs.remove("out");
  h.feed({{rootWd, IN_MOVED_FROM | IN_ISDIR, 5, "out"}, {rootWd, IN_MOVED_FROM, 6, "file"}});
  h.drainEnd(1);  // one drain but grace not yet passed
  CHECK(h.take().empty());
  h.drainEnd(50);
  auto rs = h.take();
  CHECK(show(rs) == "Delete out; Delete file; ");
  CHECK((rs[0].flags & kUnpaired) && (rs[0].flags & kIsDir));
  CHECK(h.p.state().table.size() == before - 2);  // out and out/deep unwatched
  CHECK(h.fs.rmCalls.size() == 2);
  // Moved back in: an unpaired MOVED_TO directory is a new directory, walked and reported.
  h.fs.mkdir("back"); h.fs.mkdir("back/x"); h.fs.mkfile("back/x/y");
  h.feed({{rootWd, IN_MOVED_TO | IN_ISDIR, 9, "back"}});
  rs = h.take();
  CHECK(show(rs) == "Create back; Create back/x; Create back/x/y; ");
  CHECK(rs[0].flags & kUnpaired);
  CHECK(h.fs.wdOf("back/x") > 0);
}

// mkdir x; mv d x/n — the MOVED_TO happened in x before x was watched, so only the MOVED_FROM is
// ever queued. The walk of x meets d's inode at x/n (same wd) and relinks it; when the parked
// MOVED_FROM then expires as a Delete, d's watches must stay (removing them
// would leave x/n's subtree blind). To the consumer x/n is new, so the walk reports everything
// below it, also inside subdirectories that are already watched (d/sub/f, d/sub/deep/g): they
// arrived with d, and no kernel event will ever name them.
static void testMoveIntoDirectoryNotWatchedYet() {
  Harness h;
  h.fs.mkdir("d"); h.fs.mkdir("d/sub"); h.fs.mkfile("d/sub/f"); h.fs.mkdir("d/sub/deep");
  h.fs.mkfile("d/sub/deep/g");
  h.start();
  int rootWd = h.fs.wdOf(""), subWd = h.fs.wdOf("d/sub");
  h.fs.mkdir("x");
  h.fs.rename("d", "x/n");
  h.feed({{rootWd, IN_CREATE | IN_ISDIR, 0, "x"}, {rootWd, IN_MOVED_FROM | IN_ISDIR, 3, "d"}});
  h.drainEnd(1);
  h.drainEnd(50);
  auto rs = h.take();
  CHECK(show(rs) == "Create x; Create x/n; Create x/n/sub; Create x/n/sub/deep; Create x/n/sub/f; "
                    "Create x/n/sub/deep/g; Delete d; ");
  CHECK(h.fs.rmCalls.empty());
  CHECK(h.p.state().table.size() == 5);  // r, x, x/n, x/n/sub, x/n/sub/deep
  h.feed({{subWd, IN_CLOSE_WRITE, 0, "f"}});
  CHECK(show(h.take()) == "Modify x/n/sub/f; ");
}

// mkdir x; mv a/b x/b; mv a x/b/a — b left a for a directory not watched yet (only its
// MOVED_FROM is queued), then a moved into b, whose watch still runs: that MOVED_TO pairs with
// a's MOVED_FROM while the table still has b below a. Relinking a under b would make a its own
// ancestor (every later path or subtree walk through it would never end). a is gone from where
// it was (one Delete); the walk of x finds b and a at their real places as new.
static void testMoveIntoOwnStaleDescendant() {
  Harness h;
  h.fs.mkdir("a"); h.fs.mkdir("a/b"); h.fs.mkdir("a/b/c"); h.fs.mkfile("a/b/c/f");
  h.fs.mkfile("a/g");
  h.start();
  int rootWd = h.fs.wdOf(""), aWd = h.fs.wdOf("a"), bWd = h.fs.wdOf("a/b");
  h.fs.mkdir("x");
  h.fs.rename("a/b", "x/b");
  h.fs.rename("a", "x/b/a");
  h.fs.mkfile("x/b/a/new");
  h.feed({{rootWd, IN_CREATE | IN_ISDIR, 0, "x"},
          {aWd, IN_MOVED_FROM | IN_ISDIR, 5, "b"},
          {rootWd, IN_MOVED_FROM | IN_ISDIR, 6, "a"},
          {bWd, IN_MOVED_TO | IN_ISDIR, 6, "a"},
          {aWd, IN_CREATE, 0, "new"}});
  h.drainEnd(1);
  h.drainEnd(50);
  auto rs = h.take();
  CHECK(show(rs) == "Create x; Delete a; Create x/b; Create x/b/a; Create x/b/c; Create x/b/c/f; "
                    "Create x/b/a/g; Create x/b/a/new; Delete a/b; ");
  CHECK(h.p.state().table.size() == 5);  // r, x, x/b, x/b/a, x/b/c
  h.p.state().table.forEachLive([&](uint32_t id, const DirNode&) {
    CHECK(h.p.state().table.absPath(id).rfind("/r", 0) == 0);
  });
  h.feed({{h.fs.wdOf("x/b/a"), IN_CLOSE_WRITE, 0, "g"}});
  CHECK(show(h.take()) == "Modify x/b/a/g; ");
}

// The walker's form of the same lag: x (watched, with x/p) arrives unpaired in p while the table
// still has p below x — p's path through a new directory also named x checks out by inode.
// Relinking x under p would make it its own ancestor; the walk defers it instead.
static void testWalkMeetsOwnStaleDescendant() {
  Harness h;
  h.fs.mkdir("x"); h.fs.mkdir("x/p");
  h.start();
  int pWd = h.fs.wdOf("x/p");
  h.fs.rename("x", "y");
  h.fs.mkdir("x");
  h.fs.rename("y/p", "x/p");
  h.fs.rename("y", "x/p/x");
  h.feed({{pWd, IN_MOVED_TO | IN_ISDIR, 9, "x"}});
  h.drainEnd(1);
  CHECK(show(h.take()) == "Create x/p/x; ");
  CHECK(!h.p.walking());
  h.p.state().table.forEachLive([&](uint32_t id, const DirNode&) {
    CHECK(h.p.state().table.absPath(id).rfind("/r", 0) == 0);
  });
}

// The walker works from the table's paths, which lag renames still in the kernel queue. A new
// directory whose parent was renamed before the walker reached it is retried after the rename
// has been read — not dropped (it would stay unwatched for good).
static void testWalkRetriedAfterParentRename() {
  Harness h;
  h.fs.mkdir("p");
  h.start();
  int rootWd = h.fs.wdOf(""), pWd = h.fs.wdOf("p");
  h.fs.mkdir("p/c"); h.fs.mkfile("p/c/f");
  h.fs.rename("p", "q");
  h.feed({{pWd, IN_CREATE | IN_ISDIR, 0, "c"}});  // the walker runs before the rename is read
  CHECK(h.fs.wdOf("q/c") < 0);
  CHECK(h.p.walking());  // deferred, still outstanding
  h.feed({{rootWd, IN_MOVED_FROM | IN_ISDIR, 4, "p"}, {rootWd, IN_MOVED_TO | IN_ISDIR, 4, "q"}});
  h.drainEnd(1);
  while (h.p.walkStep(256)) {}
  CHECK(h.fs.wdOf("q/c") > 0);
  CHECK(!h.p.walking());
  CHECK(show(h.take()) == "Create p/c; MoveFrom p; MoveTo q; Create q/c/f; ");
  // A directory that is really gone is dropped after one drain with no renames.
  h.fs.mkdir("q/gone");
  h.fs.remove("q/gone");
  h.feed({{pWd, IN_CREATE | IN_ISDIR, 0, "gone"}});
  CHECK(h.p.walking());
  h.drainEnd(1);
  CHECK(!h.p.walking());
}

// A stale parent path can also name another directory: "a" renamed away and "b" renamed to "a"
// before the walker reaches a new directory inside the old "a". The parent inode check defers
// it instead of watching b's child under the wrong path (or relinking b's watched child).
static void testWalkStalePathNamingAnotherDirectory() {
  Harness h;
  h.fs.mkdir("a"); h.fs.mkdir("b"); h.fs.mkdir("b/x");
  h.start();
  int rootWd = h.fs.wdOf(""), aWd = h.fs.wdOf("a"), bxWd = h.fs.wdOf("b/x");
  h.fs.mkdir("a/x");
  h.fs.rename("a", "t");
  h.fs.rename("b", "a");
  h.feed({{aWd, IN_CREATE | IN_ISDIR, 0, "x"}});
  CHECK(h.p.walking());
  h.feed({{rootWd, IN_MOVED_FROM | IN_ISDIR, 5, "a"}, {rootWd, IN_MOVED_TO | IN_ISDIR, 5, "t"},
          {rootWd, IN_MOVED_FROM | IN_ISDIR, 6, "b"}, {rootWd, IN_MOVED_TO | IN_ISDIR, 6, "a"}});
  h.drainEnd(1);
  while (h.p.walkStep(256)) {}
  CHECK(!h.p.walking());
  int txWd = h.fs.wdOf("t/x");
  CHECK(txWd > 0 && txWd != bxWd);
  h.take();
  h.feed({{txWd, IN_CLOSE_WRITE, 0, "f"}, {bxWd, IN_CLOSE_WRITE, 0, "g"}});
  CHECK(show(h.take()) == "Modify t/x/f; Modify a/x/g; ");
}

static void testIgnoredAfterParentDelete() {
  Harness h;
  h.fs.mkdir("a"); h.fs.mkdir("a/b");
  h.start();
  int rootWd = h.fs.wdOf(""), aWd = h.fs.wdOf("a"), bWd = h.fs.wdOf("a/b");
  // rm -r a: the child's events may arrive after the parent's IN_DELETE; they still resolve.
  h.feed({{rootWd, IN_DELETE | IN_ISDIR, 0, "a"}, {aWd, IN_DELETE | IN_ISDIR, 0, "b"},
          {bWd, IN_DELETE_SELF, 0, ""}, {bWd, IN_IGNORED, 0, ""},
          {aWd, IN_DELETE_SELF, 0, ""}, {aWd, IN_IGNORED, 0, ""}});
  CHECK(show(h.take()) == "Delete a; Delete a/b; ");
  CHECK(h.p.state().table.size() == 1);
  CHECK(h.p.state().counters.unknownWdEvents == 0);
}

static void testOverflowRewalkAndSweep() {
  WatcherOptions o;
  Harness h(o);
  h.fs.mkdir("a"); h.fs.mkdir("gone");
  h.start();
  h.feed({{h.fs.wdOf(""), IN_CREATE, 0, "f1"}});
  // While blind: "gone" deleted, "n" and "n/m" created; the kernel reports only the overflow.
  h.fs.remove("gone"); h.fs.mkdir("n"); h.fs.mkdir("n/m");
  h.feed({{-1, IN_Q_OVERFLOW, 0, ""}});
  auto rs = h.take();
  CHECK(show(rs) == "Overflow ; ");  // the pending Create f1 was superseded
  CHECK(h.p.state().counters.overflows == 1);
  CHECK(h.fs.wdOf("n/m") > 0);  // rewalk watched what appeared
  CHECK(h.p.state().table.size() == 4);  // r, a, n, n/m — "gone" swept
  const WatchTable& t = h.p.state().table;
  for (const char* rel : {"", "a", "n", "n/m"}) CHECK(t.byWd(h.fs.wdOf(rel)) != kNone);
}

static void testRootGone() {
  Harness h;
  h.fs.mkdir("a");
  h.start();
  int rootWd = h.fs.wdOf("");
  h.feed({{rootWd, IN_CREATE, 0, "x"}, {rootWd, IN_DELETE_SELF, 0, ""}, {rootWd, IN_IGNORED, 0, ""}});
  auto rs = h.take();
  CHECK(show(rs) == "RootGone ; ");
  CHECK(h.p.state().table.size() == 0);
  CHECK(h.p.state().counters.unknownWdEvents == 0);
}

static void testCoalescing() {
  Harness h;
  h.start();
  int w = h.fs.wdOf("");
  h.feed({{w, IN_CREATE, 0, "f"}, {w, IN_CLOSE_WRITE, 0, "f"}, {w, IN_ATTRIB, 0, "f"},
          {w, IN_CLOSE_WRITE, 0, "g"}, {w, IN_CLOSE_WRITE, 0, "g"}, {w, IN_ATTRIB, 0, "g"},
          {w, IN_ATTRIB, 0, "g"}, {w, IN_DELETE, 0, "f"}, {w, IN_CREATE, 0, "f"},
          {w, IN_CLOSE_WRITE, 0, "f"}});
  CHECK(show(h.take()) == "Create f; Modify g; Attrib g; Delete f; Create f; ");
}

static void testCloseWriteAfterModify() {
  WatcherOptions o;
  o.mode = InotifyMode::CloseWriteAfterModify;
  Harness h(o);
  h.start();
  int w = h.fs.wdOf("");
  // opened for writing and closed without a write: nothing; written then closed: one Modify.
  h.feed({{w, IN_CLOSE_WRITE, 0, "ro"}, {w, IN_MODIFY, 0, "rw"}, {w, IN_MODIFY, 0, "rw"}});
  CHECK(h.take().empty());
  h.feed({{w, IN_CLOSE_WRITE, 0, "rw"}});
  CHECK(show(h.take()) == "Modify rw; ");
  // written, renamed while open, then closed: the dirty mark follows the rename.
  h.feed({{w, IN_MODIFY, 0, "t"}, {w, IN_MOVED_FROM, 3, "t"}, {w, IN_MOVED_TO, 3, "u"},
          {w, IN_CLOSE_WRITE, 0, "u"}});
  CHECK(show(h.take()) == "MoveFrom t; MoveTo u; Modify u; ");
}

// A new file's batch waits for its IN_CLOSE_WRITE (create_hold.h), at most createGraceMs; a
// directory, a delete or a rename ends the wait too; inotifyMode Modify never waits.
static void testCreateHold() {
  Harness h;
  h.start();
  int w = h.fs.wdOf("");
  h.feed({{w, IN_CREATE, 0, "f"}});
  CHECK(h.p.holdingCreates(h.now));
  h.feed({{w, IN_CLOSE_WRITE, 0, "f"}});
  CHECK(!h.p.holdingCreates(h.now));
  CHECK(show(h.take()) == "Create f; ");  // one coalesced record, the file complete
  h.feed({{w, IN_CREATE | IN_ISDIR, 0, "d"}});
  CHECK(!h.p.holdingCreates(h.now));
  h.feed({{w, IN_CREATE, 0, "link"}, {w, IN_CREATE, 0, "gone"}, {w, IN_DELETE, 0, "gone"}});
  CHECK(h.p.holdingCreates(h.now));      // "link" is never closed...
  CHECK(h.p.createHoldDeadline() == h.now + 1);
  CHECK(!h.p.holdingCreates(h.now + 1));  // ...so the hold ends after the grace
  h.p.releaseCreateHold();
  CHECK(h.p.createHoldDeadline() == UINT64_MAX);
  h.feed({{w, IN_CREATE, 0, "m"}, {w, IN_MOVED_FROM, 9, "m"}, {w, IN_MOVED_TO, 9, "n"}});
  CHECK(!h.p.holdingCreates(h.now));
  // A stream of new files does not restart the window: one batch waits at most the grace.
  h.p.releaseCreateHold();
  const uint64_t first = h.now;
  h.feed({{w, IN_CREATE, 0, "s1"}, {w, IN_CLOSE_WRITE, 0, "s1"}});
  h.now += 1;  // s1 is settled; s2 arrives one grace later, before any batch has left
  h.feed({{w, IN_CREATE, 0, "s2"}});
  CHECK(h.p.createHoldDeadline() == first + 1);
  CHECK(!h.p.holdingCreates(h.now));
  h.p.releaseCreateHold();  // a batch left: the next new file starts a new window
  h.feed({{w, IN_CREATE, 0, "s3"}});
  CHECK(h.p.holdingCreates(h.now));
  WatcherOptions o;
  o.mode = InotifyMode::Modify;
  Harness hm(o);
  hm.start();
  hm.feed({{hm.fs.wdOf(""), IN_CREATE, 0, "f"}});
  CHECK(!hm.p.holdingCreates(hm.now));
}

static void testPendingLimit() {
  WatcherOptions o;
  o.maxPending = 3;
  Harness h(o);
  h.start();
  int w = h.fs.wdOf("");
  h.feed({{w, IN_CREATE, 0, "1"}, {w, IN_CREATE, 0, "2"}, {w, IN_CREATE, 0, "3"}, {w, IN_CREATE, 0, "4"}});
  h.p.checkPendingLimit();
  CHECK(show(h.take()) == "Overflow ; ");
  CHECK(h.p.state().counters.overflows == 1);
}

static void testAddWatchErrors() {
  Harness h;
  h.start();
  h.fs.mkdir("a");
  h.fs.failWith = ENOSPC;
  h.feed({{h.fs.wdOf(""), IN_CREATE | IN_ISDIR, 0, "a"}});
  auto b = h.p.out().take();
  CHECK(b.size() == 2 && b.kind[1] == static_cast<uint8_t>(Kind::Error) && b.err[1] == ENOSPC);
  // A failing root fails its add() instead.
  FakeFs fs2("/missing");
  EventProcessor p2(fs2, {});
  fs2.failWith = ENOENT;
  p2.addRoot(0, "/missing", {}, 3);
  while (p2.walkStep(10)) {}
  auto done = p2.takeFinishedWalks();
  CHECK(done.size() == 1 && done[0].rootErr == ENOENT);
}

static void testRewatchAfterAddWatchError() {
  // a/b could not be watched (out of watches); rewatch() watches it and its subtree later,
  // answers its request, and emits no creates (the caller resyncs the subtree itself).
  Harness h;
  h.fs.mkdir("a");
  h.start();
  h.fs.mkdir("a/b"); h.fs.mkdir("a/b/c"); h.fs.mkfile("a/b/c/f");
  h.fs.failWith = ENOSPC;
  h.feed({{h.fs.wdOf("a"), IN_CREATE | IN_ISDIR, 0, "b"}});
  CHECK(show(h.take()) == "Create a/b; Error a/b; ");
  h.fs.failWith = 0;
  h.p.rewatch(0, "a/b", 9);
  while (h.p.walkStep(256)) {}
  auto done = h.p.takeFinishedWalks();
  CHECK(done.size() == 1 && done[0].reqId == 9 && done[0].rootErr == 0 && done[0].dirs == 2);
  CHECK(h.fs.wdOf("a/b/c") > 0);
  CHECK(h.take().empty());
  h.feed({{h.fs.wdOf("a/b/c"), IN_CLOSE_WRITE, 0, "f"}});
  CHECK(show(h.take()) == "Modify a/b/c/f; ");
  // A directory whose parent is not watched cannot be rewatched: ENOENT at once.
  h.p.rewatch(0, "x/y", 10);
  done = h.p.takeFinishedWalks();
  CHECK(done.size() == 1 && done[0].reqId == 10 && done[0].rootErr == ENOENT);
}

static void testNonUtf8Flag() {
  Harness h;
  h.start();
  h.feed({{h.fs.wdOf(""), IN_CREATE, 0, std::string("bad\xff\xfe", 5)}, {h.fs.wdOf(""), IN_CREATE, 0, "ok\xc3\xa9"}});
  auto rs = h.take();
  CHECK(rs.size() == 2 && (rs[0].flags & kNonUtf8) && !(rs[1].flags & kNonUtf8));
  CHECK(rs[0].path == std::string("bad\xff\xfe", 5));
}

int main(int argc, char** argv) {
  const char* tsv = argc > 1 ? argv[1] : "test/fixtures/rule-cases.tsv";
  run("rule table shared with TypeScript", [&] { testRuleTable(tsv); });
  run("watch table relink and subtree removal", testWatchTableRelink);
  run("initial walk honours excludes and emits nothing", testInitialWalkAndExcludes);
  run("new directory: watch, then scan, recursively", testNewDirectoryWatchedThenScanned);
  run("move pairing across read boundaries keeps descendant watches", testMovePairingAcrossBuffers);
  run("rename parent then child in one batch", testRenameParentThenChildSameBatch);
  run("unpaired moves out of and into the tree", testUnpairedMovesOutAndIn);
  run("move into a directory not watched yet keeps the moved subtree watched",
      testMoveIntoDirectoryNotWatchedYet);
  run("move into its own descendant whose move is not known yet", testMoveIntoOwnStaleDescendant);
  run("walk meeting a directory below its own stale descendant defers it",
      testWalkMeetsOwnStaleDescendant);
  run("walk of a directory whose parent was renamed meanwhile is retried",
      testWalkRetriedAfterParentRename);
  run("walk through a stale path naming another directory is deferred",
      testWalkStalePathNamingAnotherDirectory);
  run("IN_IGNORED after the parent's delete", testIgnoredAfterParentDelete);
  run("overflow: one record, rewalk, stale watches swept", testOverflowRewalkAndSweep);
  run("root deleted: RootGone and no watches left", testRootGone);
  run("coalescing keeps order and drops only duplicates", testCoalescing);
  run("CloseWrite after Modify", testCloseWriteAfterModify);
  run("a new file's batch waits briefly for its close", testCreateHold);
  run("user-space pending limit forces an Overflow", testPendingLimit);
  run("inotify_add_watch errors become records or add() failures", testAddWatchErrors);
  run("rewatch() watches a directory that failed before", testRewatchAfterAddWatchError);
  run("non-UTF-8 names are flagged and kept byte-exact", testNonUtf8Flag);
  std::printf("%d passed, %d failed\n", g_passed, g_failed);
  return g_failed ? 1 : 0;
}
