#include "condition.h"

#include <climits>

namespace mp::condition {
namespace {

bool Signalled(const ConditionState* s, uint32_t ticket) {
  return static_cast<int32_t>(s->head.load() - ticket) > 0;
}

std::atomic<uint32_t>& CancelWord(ConditionState* s, uint32_t ticket) {
  return s->cancelled[(ticket % kConditionWindow) / 32];
}

uint32_t CancelBit(uint32_t ticket) { return 1u << (ticket % 32); }

// Consumes the withdrawn mark of `ticket` if it has one.
bool TakeWithdrawn(ConditionState* s, uint32_t ticket) {
  auto& word = CancelWord(s, ticket);
  if (!(word.load() & CancelBit(ticket))) return false;
  word.fetch_and(~CancelBit(ticket));
  return true;
}

// Moves `head` past withdrawn tickets so they do not hold places in the window.
uint32_t SkipWithdrawn(ConditionState* s, uint32_t head, uint32_t tail) {
  while (head != tail && TakeWithdrawn(s, head)) head++;
  return head;
}

}  // namespace

void Init(ConditionState* s) {
  s->seq.store(0);
  s->head.store(0);
  s->tail.store(0);
  s->waiters.store(0);
  for (auto& w : s->cancelled) w.store(0);
}

bool Enqueue(ConditionState* s, uint32_t* ticket) {
  uint32_t tail = s->tail.load();
  if (tail - s->head.load() >= kConditionWindow) return false;
  *ticket = tail;
  s->tail.store(tail + 1);
  return true;
}

uint32_t Notify(ConditionState* s, uint32_t n) {
  uint32_t head = s->head.load();
  const uint32_t tail = s->tail.load();
  uint32_t woken = 0;
  while (woken < n && head != tail) {
    if (!TakeWithdrawn(s, head++)) woken++;
  }
  s->head.store(SkipWithdrawn(s, head, tail));
  if (woken > 0) {
    s->seq.fetch_add(1);
    if (s->waiters.load() > 0) {
      platform::FutexWake(reinterpret_cast<volatile uint32_t*>(&s->seq), INT_MAX);
    }
  }
  return woken;
}

bool Withdraw(ConditionState* s, uint32_t ticket) {
  if (Signalled(s, ticket)) return true;
  if (ticket == s->head.load()) {
    s->head.store(SkipWithdrawn(s, ticket + 1, s->tail.load()));
    return false;
  }
  CancelWord(s, ticket).fetch_or(CancelBit(ticket));
  return false;
}

bool SignalWait::TryComplete(bool) {
  if (!Signalled(s_, ticket_)) return false;
  result = 1;
  return true;
}

bool SignalWait::Arm(platform::WaitTarget* target) {
  s_->waiters.fetch_add(1);
  target->word = reinterpret_cast<volatile uint32_t*>(&s_->seq);
  target->expected = s_->seq.load();
  return true;
}

void SignalWait::Disarm() { s_->waiters.fetch_sub(1); }

}  // namespace mp::condition
