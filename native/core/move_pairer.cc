#include "core/move_pairer.h"

#include <utility>

namespace lts {

void MovePairer::addFrom(PendingMove m, std::vector<PendingMove>& expired) {
  for (auto it = parked_.begin(); it != parked_.end(); ++it) {
    if (it->cookie == m.cookie) {
      expired.push_back(std::move(*it));
      parked_.erase(it);
      break;
    }
  }
  parked_.push_back(std::move(m));
}

bool MovePairer::takeMatch(uint32_t cookie, PendingMove& out) {
  for (auto it = parked_.begin(); it != parked_.end(); ++it) {
    if (it->cookie == cookie) {
      out = std::move(*it);
      parked_.erase(it);
      return true;
    }
  }
  return false;
}

void MovePairer::endOfDrain() {
  for (PendingMove& m : parked_) ++m.drains;
}

void MovePairer::expire(uint64_t nowMs, std::vector<PendingMove>& out) {
  while (!parked_.empty()) {
    PendingMove& m = parked_.front();
    if (m.drains < minDrains_ || nowMs < m.bornMs + graceMs_) break;
    out.push_back(std::move(m));
    parked_.pop_front();
  }
}

void MovePairer::expireAll(std::vector<PendingMove>& out) {
  for (PendingMove& m : parked_) out.push_back(std::move(m));
  parked_.clear();
}

uint64_t MovePairer::nextDeadline() const {
  if (parked_.empty()) return UINT64_MAX;
  return parked_.front().bornMs + graceMs_;
}

}  // namespace lts
