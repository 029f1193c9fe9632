#include "addon/reader_thread.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <climits>

namespace lts {
namespace {

uint64_t nowMs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000u + static_cast<uint64_t>(ts.tv_nsec) / 1000000u;
}

}  // namespace

ReaderThread::ReaderThread(UniqueFd inotifyFd, WatcherOptions wopt, DeliveryOptions dopt,
                           Deliver deliver)
    : ifd_(std::move(inotifyFd)),
      fs_(ifd_.get()),
      proc_(fs_, wopt),
      dopt_(dopt),
      deliver_(std::move(deliver)),
      buf_(new char[kBufSize]) {}

ReaderThread::~ReaderThread() { stopAndJoin(); }

bool ReaderThread::start() {
  if (!commands_.valid()) return false;
  // Create the thread with every signal blocked so signals stay with Node's main thread.
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  thread_ = std::thread([this] { run(); });
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return true;
}

void ReaderThread::stopAndJoin() {
  if (!thread_.joinable()) return;
  stop_.store(true);
  commands_.push(Command{Command::Close});
  thread_.join();
}

void ReaderThread::send(std::unique_ptr<Message> m) { outbox_.push_back(std::move(m)); }

void ReaderThread::sendOutbox() {
  for (auto& m : outbox_) {
    Message* raw = m.release();
    if (!deliver_(raw)) delete raw;
  }
  outbox_.clear();
}

void ReaderThread::reply(uint32_t reqId, int err, uint64_t dirs, std::vector<WalkError> errors) {
  auto m = std::make_unique<Message>();
  m->type = Message::Reply;
  m->reqId = reqId;
  m->err = err;
  m->dirs = dirs;
  m->errors = std::move(errors);
  send(std::move(m));
}

void ReaderThread::replyDump(uint32_t reqId) {
  auto m = std::make_unique<Message>();
  m->type = Message::Reply;
  m->reqId = reqId;
  m->isDump = true;
  m->inotifyFd = ifd_.get();
  const WatchTable& t = proc_.state().table;
  t.forEachLive([&](uint32_t id, const DirNode& n) { m->watches.emplace_back(n.wd, t.absPath(id)); });
  send(std::move(m));
}

void ReaderThread::apply(Command& c) {
  switch (c.type) {
    case Command::AddRoot:
      proc_.addRoot(c.root, c.path, std::move(c.rules), c.reqId);
      break;
    case Command::Rewatch:
      proc_.rewatch(c.root, c.path, c.reqId);
      break;
    case Command::RemoveRoot:
      proc_.removeRoot(c.root);
      reply(c.reqId, 0);
      break;
    case Command::Flush:
      flushWanted_ = true;
      flushIds_.push_back(c.reqId);
      break;
    case Command::Ack:
      inFlight_ = false;
      break;
    case Command::Pause:
      paused_ = true;
      break;
    case Command::Resume:
      paused_ = false;
      break;
    case Command::FailAddWatchAfter:
      fs_.failAddWatchAfter(c.count, c.err);
      break;
    case Command::DumpWatches:
      replyDump(c.reqId);
      break;
    case Command::Close:
      stop_.store(true);
      break;
  }
}

bool ReaderThread::drain() {
  // A bounded number of reads per round keeps walks and commands moving during a storm.
  for (int reads = 0; reads < 64; ++reads) {
    ssize_t n = read(ifd_.get(), buf_.get(), kBufSize);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno == EAGAIN || errno == EWOULDBLOCK;
    }
    if (n == 0) return true;
    proc_.processBuffer(buf_.get(), static_cast<size_t>(n), nowMs());
  }
  return false;
}

int ReaderThread::pollTimeout(uint64_t now) const {
  // Deferred walk items wait for the next complete drain, which a round without pause runs.
  if (proc_.walkRunnable() || (proc_.walking() && !paused_) ||
      (flushWanted_ && !inFlight_ && !paused_))
    return 0;
  uint64_t deadline = proc_.nextMoveDeadline();
  if (lastSize_ > 0 && !inFlight_) {
    uint64_t settleAt = lastEventAt_ + dopt_.settleMs;
    if (proc_.holdingCreates(now)) settleAt = std::max(settleAt, proc_.createHoldDeadline());
    deadline = std::min(deadline, settleAt);
    deadline = std::min(deadline, firstPendingAt_ + dopt_.maxLatencyMs);
  }
  if (deadline == UINT64_MAX) return -1;
  if (deadline <= now) return 0;
  return static_cast<int>(std::min<uint64_t>(deadline - now, INT_MAX));
}

void ReaderThread::maybeDeliver(uint64_t now) {
  BatchBuilder& out = proc_.out();
  const size_t size = out.size();
  if (size != lastSize_) {
    if (lastSize_ == 0 && size > 0) firstPendingAt_ = now;
    if (size > lastSize_) lastEventAt_ = now;
    lastSize_ = size;
  }
  if (inFlight_) return;
  const bool flushReady = flushWanted_ && !proc_.walking();
  if (size == 0) {
    if (flushReady) {
      for (uint32_t id : flushIds_) reply(id, 0);
      flushIds_.clear();
      flushWanted_ = false;
    }
    return;
  }
  // A new file's Create waits (at most createGraceMs) for the writer's close: one transfer of
  // the finished file instead of an early one of an empty file (core/create_hold.h).
  const bool settled = now >= lastEventAt_ + dopt_.settleMs && !proc_.holdingCreates(now);
  const bool due = flushReady || size >= dopt_.maxBatch || settled || now >= firstPendingAt_ + dopt_.maxLatencyMs;
  if (!due) return;
  proc_.releaseCreateHold();
  auto m = std::make_unique<Message>();
  m->type = Message::BatchMsg;
  m->batch = out.take();
  if (flushReady) {
    m->flushIds.swap(flushIds_);
    flushWanted_ = false;
  }
  lastSize_ = 0;
  inFlight_ = true;
  send(std::move(m));
}

void ReaderThread::publishStats() {
  const WatcherState& s = proc_.state();
  stats_.watches.store(s.table.size());
  uint64_t pending = proc_.out().size();
  stats_.pending.store(pending);
  if (pending > stats_.highWater.load()) stats_.highWater.store(pending);
  stats_.overflows.store(s.counters.overflows);
  stats_.parkedMoves.store(s.pairer.size());
  stats_.unknownWdEvents.store(s.counters.unknownWdEvents);
  stats_.rawEvents.store(s.counters.rawEvents);
  stats_.errors.store(s.counters.errors);
  std::lock_guard<std::mutex> lock(rootWatchesMutex_);
  rootWatches_ = s.table.perRoot();
}

void ReaderThread::run() {
  while (!stop_.load()) {
    uint64_t now = nowMs();
    struct pollfd fds[2];
    fds[0] = {commands_.fd(), POLLIN, 0};
    fds[1] = {ifd_.get(), static_cast<short>(paused_ ? 0 : POLLIN), 0};
    int rc = poll(fds, 2, pollTimeout(now));
    if (rc < 0 && errno != EINTR) break;  // unrecoverable; close() still joins cleanly
    if (rc > 0 && (fds[0].revents & POLLIN)) {
      auto cmds = commands_.takeAll();
      for (Command& c : cmds) apply(c);
      if (stop_.load()) break;
    }
    now = nowMs();
    if (!paused_) {
      // On flush, read until the kernel queue is empty and all walks are done, so the batch
      // holds every change made before flush() was called.
      do {
        bool empty = drain();
        if (empty) proc_.endOfDrain(nowMs());
        proc_.walkStep(256);
        if (!flushWanted_ || (empty && !proc_.walking())) break;
      } while (!stop_.load());
      if (flushWanted_) proc_.expireAllMoves();
    } else {
      proc_.walkStep(256);
    }
    for (WalkResult& w : proc_.takeFinishedWalks())
      if (!w.isRewalk) reply(w.reqId, w.rootErr, w.dirs, std::move(w.errors));
    proc_.checkPendingLimit();
    maybeDeliver(nowMs());
    publishStats();
    sendOutbox();
  }
  publishStats();
}

}  // namespace lts
