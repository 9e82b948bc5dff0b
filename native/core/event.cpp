#include "event.h"

#include <climits>

namespace mp::event {

void Init(EventState* s) {
  s->flag.store(0);
  s->waiters.store(0);
}

void Set(EventState* s) {
  s->flag.store(1);
  if (s->waiters.load() > 0) {
    platform::FutexWake(reinterpret_cast<volatile uint32_t*>(&s->flag), INT_MAX);
  }
}

void Clear(EventState* s) { s->flag.store(0); }

bool Wait::TryComplete(bool) {
  if (s_->flag.load() == 0) return false;
  result = 1;
  return true;
}

bool Wait::Arm(platform::WaitTarget* target) {
  s_->waiters.fetch_add(1);
  target->word = reinterpret_cast<volatile uint32_t*>(&s_->flag);
  target->expected = 0;
  return true;
}

void Wait::Disarm() { s_->waiters.fetch_sub(1); }

}  // namespace mp::event
