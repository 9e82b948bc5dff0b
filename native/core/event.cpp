#include "event.h"

#include <climits>

namespace mp::event {

void Init(EventState* s) {
  s->flag.store(0);
  s->waiters.store(0);
}

void Set(EventState* s) {
  uint32_t v = s->flag.load();
  do {
    if (v & kEventSet) return;
  } while (!s->flag.compare_exchange_weak(v, (v + 2) | kEventSet));
  if (s->waiters.load() > 0) {
    platform::FutexWake(reinterpret_cast<volatile uint32_t*>(&s->flag), INT_MAX);
  }
}

void Clear(EventState* s) { s->flag.fetch_and(~kEventSet); }

Wait::Wait(EventState* s) : s_(s), start_(s->flag.load()) {}

bool Wait::TryComplete(bool) {
  const uint32_t v = s_->flag.load();
  if (!(v & kEventSet) && v == start_) return false;
  result = 1;
  return true;
}

bool Wait::Arm(platform::WaitTarget* target) {
  s_->waiters.fetch_add(1);
  target->word = reinterpret_cast<volatile uint32_t*>(&s_->flag);
  target->expected = start_;
  return true;
}

void Wait::Disarm() { s_->waiters.fetch_sub(1); }

}  // namespace mp::event
