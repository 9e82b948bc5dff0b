// Lock and RLock: a robust, process-shared mutex on one word of shared memory.
//
// Invariants: `owner` is 0 when free, else the holder's lease id in the lock's segment (see
// lease.h), with kLockWaiters set whenever a sleeper may exist (it is only cleared by a release,
// which then wakes one sleeper). A holder that dies is detected by its lease having ended; the
// next acquirer takes the lock over and is told (kOwnerDead). RLock keeps `thread` and `count`
// valid only while `owner` is set; they are written by the holder alone.
#pragma once

#include <cstdint>

#include "layout.h"
#include "lease.h"
#include "waitable.h"

namespace mp::lock {

enum Result : int32_t { kAcquired = 0, kOwnerDead = 2 };

void Init(LockState* s);
// `thread` is 0 for a Lock; an RLock's holder records it with a count of 1.
bool TryAcquire(LockState* s, uint32_t owner, uint32_t thread, bool keep_waiters);
// Frees the lock and wakes one sleeper if any. Returns false when it was not held.
bool Release(LockState* s);

// Acquires `s` for the holder of `lease`, which must outlive the wait (the lease of the
// segment `s` lives in, as the acquiring thread mapped it).
class AcquireWait : public Waitable {
 public:
  AcquireWait(LockState* s, const Lease* lease, uint32_t thread)
      : s_(s), lease_(lease), thread_(thread) {}
  bool TryComplete(bool check_owner) override;
  bool Arm(platform::WaitTarget* target) override;
  bool PollsOwner() const override { return true; }
  void Undo() override;

 private:
  LockState* s_;
  const Lease* lease_;
  uint32_t thread_;
  bool slept_ = false;
};

// Blocking acquire for short internal critical sections (allocator, barrier state).
int32_t AcquireInternal(LockState* s, const Lease& lease);

}  // namespace mp::lock
