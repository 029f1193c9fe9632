// ReaderThread: the one thread per watcher that owns the inotify fd and all watcher state.
//
// Loop: poll({eventfd, inotify fd}) with a timeout = the nearest of (settle deadline, latency
// deadline, parked-move expiry), 0 while a walk is in progress. Each round: run commands, drain
// the kernel queue until EAGAIN (EINTR retried, @parcel/watcher issue #205), advance walks by a bounded step,
// then maybe deliver a batch. The kernel queue is drained whether or not JS is busy: at most one
// batch is in flight (the TSFN is a doorbell, not a queue) and while JS holds it, new records
// keep coalescing in user space — a blocked JS thread costs memory bounded by distinct paths,
// not a kernel overflow (docs/watcher-design.md#delivery-model, model 2).
//
// Delivery: a batch leaves when none is in flight and (settleMs of quiet — extended while a new
// file waits for its close, at most createGraceMs (core/create_hold.h) —, or maxLatencyMs since
// its first record, or maxBatch records, or a flush() was requested). maxBatch is a trigger, not
// a cap. flush(): drain everything the kernel holds, finish all walks, expire parked moves (the
// renames that produced them have returned, so their other half would already be queued), then
// deliver; the flush ids ride on the batch and resolve after JS acks it.
//
// stats() are published before the round's replies and batch are sent, so a caller woken by
// add()/flush() reads stats that already include what it was told.
//
// Threading: start()/post()/stopAndJoin()/stats() from the JS thread; everything else runs on
// the reader thread. All signals are blocked in the reader thread. No exception escapes.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "addon/command_queue.h"
#include "addon/unique_fd.h"
#include "core/event_processor.h"
#include "core/linux_fs_ops.h"

namespace lts {

// Set from the JS options, which are all required (src/watcher/watcher.ts owns the defaults).
struct DeliveryOptions {
  uint64_t settleMs = 0;
  uint64_t maxLatencyMs = 0;
  size_t maxBatch = 0;
};

// What the reader thread sends to JS. Exactly one of the two shapes is filled.
struct Message {
  enum Type { BatchMsg, Reply } type = BatchMsg;
  Batch batch;                     // BatchMsg
  std::vector<uint32_t> flushIds;  // BatchMsg: flush() calls this batch completes
  uint32_t reqId = 0;              // Reply: the add/remove/flush request answered
  int err = 0;                     // Reply: errno for the request (0 = fine)
  uint64_t dirs = 0;               // Reply to add: directories watched
  std::vector<WalkError> errors;   // Reply to add: per-directory problems
  bool isDump = false;             // Reply to dumpWatches (test hook): the fields below
  int inotifyFd = -1;
  std::vector<std::pair<int32_t, std::string>> watches;  // (wd, absolute path) per table node
};

struct ReaderStats {
  std::atomic<uint64_t> watches{0}, pending{0}, overflows{0}, highWater{0}, parkedMoves{0},
      walkQueue{0}, unknownWdEvents{0}, rawEvents{0}, errors{0};
};

class ReaderThread {
 public:
  // deliver() hands a message to JS; it returns false if JS can no longer receive (the message
  // is then freed here).
  using Deliver = std::function<bool(Message*)>;

  ReaderThread(UniqueFd inotifyFd, WatcherOptions wopt, DeliveryOptions dopt, Deliver deliver);
  ~ReaderThread();
  ReaderThread(const ReaderThread&) = delete;
  ReaderThread& operator=(const ReaderThread&) = delete;

  bool start();  // false when the eventfd could not be created
  void post(Command c) { commands_.push(std::move(c)); }
  void stopAndJoin();
  const ReaderStats& stats() const { return stats_; }
  // Watches per root id, as of the last published round (copied under a lock).
  std::vector<uint32_t> rootWatches() const {
    std::lock_guard<std::mutex> lock(rootWatchesMutex_);
    return rootWatches_;
  }

 private:
  void run();
  void apply(Command& c);
  bool drain();  // true when the kernel queue was read to EAGAIN
  void reply(uint32_t reqId, int err, uint64_t dirs = 0, std::vector<WalkError> errors = {});
  void replyDump(uint32_t reqId);
  void maybeDeliver(uint64_t now);
  int pollTimeout(uint64_t now) const;
  mutable std::mutex rootWatchesMutex_;
  std::vector<uint32_t> rootWatches_;
  void publishStats();
  void send(std::unique_ptr<Message> m);
  void sendOutbox();

  UniqueFd ifd_;
  LinuxFsOps fs_;
  EventProcessor proc_;
  DeliveryOptions dopt_;
  Deliver deliver_;
  CommandQueue commands_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  ReaderStats stats_;

  // Reader-thread state.
  bool paused_ = false;
  bool inFlight_ = false;
  bool flushWanted_ = false;
  std::vector<uint32_t> flushIds_;
  // Messages of this round, sent only after publishStats(): whoever a reply or batch wakes up
  // must already see stats that include what it reports.
  std::vector<std::unique_ptr<Message>> outbox_;
  uint64_t firstPendingAt_ = 0, lastEventAt_ = 0;
  size_t lastSize_ = 0;
  std::unique_ptr<char[]> buf_;
  static constexpr size_t kBufSize = 64 * 1024;
};

}  // namespace lts
