#include "lock.h"

namespace mp::lock {
namespace {

void TakeOwnership(LockState* s, uint32_t thread) {
  if (thread != 0) {
    s->thread.store(thread, std::memory_order_relaxed);
    s->count.store(1, std::memory_order_relaxed);
  }
}

}  // namespace

void Init(LockState* s) {
  s->owner.store(0);
  s->thread.store(0);
  s->count.store(0);
  s->reserved = 0;
}

bool TryAcquire(LockState* s, uint32_t pid, uint32_t thread, bool keep_waiters) {
  uint32_t expected = 0;
  uint32_t desired = pid | (keep_waiters ? kLockWaiters : 0);
  if (!s->owner.compare_exchange_strong(expected, desired)) return false;
  TakeOwnership(s, thread);
  return true;
}

bool Release(LockState* s) {
  s->thread.store(0, std::memory_order_relaxed);
  s->count.store(0, std::memory_order_relaxed);
  uint32_t old = s->owner.exchange(0);
  if (old == 0) return false;
  if (old & kLockWaiters) {
    platform::FutexWake(reinterpret_cast<volatile uint32_t*>(&s->owner), 1);
  }
  return true;
}

bool AcquireWait::TryComplete(bool check_owner) {
  if (TryAcquire(s_, pid_, thread_, slept_)) {
    result = kAcquired;
    return true;
  }
  if (!check_owner) return false;
  uint32_t v = s_->owner.load();
  uint32_t holder = v & kLockPidMask;
  if (holder == 0 || platform::ProcessAlive(static_cast<int>(holder))) return false;
  // The holder is gone: take the lock over, keeping the waiters bit so others still get woken.
  if (!s_->owner.compare_exchange_strong(v, pid_ | kLockWaiters)) return false;
  TakeOwnership(s_, thread_);
  result = kOwnerDead;
  return true;
}

bool AcquireWait::Arm(platform::WaitTarget* target) {
  uint32_t v = s_->owner.load();
  for (;;) {
    if (v == 0) return false;
    if (v & kLockWaiters) break;
    if (s_->owner.compare_exchange_weak(v, v | kLockWaiters)) {
      v |= kLockWaiters;
      break;
    }
  }
  slept_ = true;
  target->word = reinterpret_cast<volatile uint32_t*>(&s_->owner);
  target->expected = v;
  return true;
}

void AcquireWait::Undo() { Release(s_); }

int32_t AcquireInternal(LockState* s) {
  uint32_t pid = static_cast<uint32_t>(platform::CurrentPid());
  if (TryAcquire(s, pid, 0, false)) return kAcquired;
  AcquireWait w(s, pid, 0);
  WaitSync(w, -1, kDefaultSpinNs);
  return w.result;
}

}  // namespace mp::lock
