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

bool TryAcquire(LockState* s, uint32_t owner, uint32_t thread, bool keep_waiters) {
  uint32_t expected = 0;
  uint32_t desired = owner | (keep_waiters ? kLockWaiters : 0);
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
  const uint32_t me = lease_->id();
  if (TryAcquire(s_, me, thread_, slept_)) {
    result = kAcquired;
    return true;
  }
  if (!check_owner) return false;
  uint32_t v = s_->owner.load();
  uint32_t holder = v & kLockOwnerMask;
  if (holder == 0 || lease_->Alive(holder)) return false;
  // The holder is gone: take the lock over, keeping the waiters bit so others still get woken.
  if (!s_->owner.compare_exchange_strong(v, me | kLockWaiters)) return false;
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

int32_t AcquireInternal(LockState* s, const Lease& lease) {
  if (TryAcquire(s, lease.id(), 0, false)) return kAcquired;
  AcquireWait w(s, &lease, 0);
  WaitSync(w, -1, kDefaultSpinNs);
  return w.result;
}

}  // namespace mp::lock
