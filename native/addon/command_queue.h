// CommandQueue: how JS reaches the reader thread. A mutex-protected deque plus an eventfd the
// reader thread polls next to the inotify fd: push() from the JS thread rings the eventfd, the
// reader wakes, takes every queued command and runs them itself — so only the reader thread
// ever touches the watch table (docs/watcher-design.md#threads-and-commands).
#pragma once
#include <errno.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "addon/unique_fd.h"
#include "core/rule_matcher.h"

namespace lts {

struct Command {
  enum Type { AddRoot, RemoveRoot, Rewatch, Flush, Ack, Pause, Resume, FailAddWatchAfter, DumpWatches, Close };
  explicit Command(Type t) : type(t) {}
  Type type;
  uint32_t reqId = 0;
  uint16_t root = 0;
  std::string path;
  std::vector<Rule> rules;
  int64_t count = 0;
  int err = 0;
};

class CommandQueue {
 public:
  CommandQueue() : efd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}
  bool valid() const { return efd_.valid(); }
  int fd() const { return efd_.get(); }

  void push(Command c) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      q_.push_back(std::move(c));
    }
    uint64_t one = 1;
    ssize_t r;
    do {
      r = write(efd_.get(), &one, sizeof one);
    } while (r < 0 && errno == EINTR);
  }

  // Reader thread: clears the eventfd and returns every queued command, oldest first.
  std::deque<Command> takeAll() {
    uint64_t v;
    ssize_t r;
    do {
      r = read(efd_.get(), &v, sizeof v);
    } while (r < 0 && errno == EINTR);
    std::lock_guard<std::mutex> lock(mu_);
    std::deque<Command> out;
    out.swap(q_);
    return out;
  }

 private:
  UniqueFd efd_;
  std::mutex mu_;
  std::deque<Command> q_;
};

}  // namespace lts
