#include "semaphore.h"

namespace mp::semaphore {

void Init(SemaphoreState* s, uint32_t value, uint32_t max) {
  s->value.store(value);
  s->waiters.store(0);
  s->max = max;
  s->reserved = 0;
}

bool TryAcquire(SemaphoreState* s) {
  uint32_t v = s->value.load();
  while (v > 0) {
    if (s->value.compare_exchange_weak(v, v - 1)) return true;
  }
  return false;
}

bool Release(SemaphoreState* s) {
  uint32_t v = s->value.load();
  do {
    if (v >= s->max) return false;
  } while (!s->value.compare_exchange_weak(v, v + 1));
  if (s->waiters.load() > 0) {
    platform::FutexWake(reinterpret_cast<volatile uint32_t*>(&s->value), 1);
  }
  return true;
}

bool AcquireWait::TryComplete(bool) {
  if (!TryAcquire(s_)) return false;
  result = 0;
  return true;
}

bool AcquireWait::Arm(platform::WaitTarget* target) {
  s_->waiters.fetch_add(1);
  target->word = reinterpret_cast<volatile uint32_t*>(&s_->value);
  target->expected = 0;
  return true;
}

void AcquireWait::Disarm() { s_->waiters.fetch_sub(1); }

void AcquireWait::Undo() { Release(s_); }

}  // namespace mp::semaphore
