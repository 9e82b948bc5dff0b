#include "barrier.h"

#include <climits>

#include "lock.h"

namespace mp::barrier {
namespace {

class Guard {
 public:
  Guard(BarrierState* s, const Lease& lease) : s_(s) { lock::AcquireInternal(&s_->mutex, lease); }
  ~Guard() { lock::Release(&s_->mutex); }
  Guard(const Guard&) = delete;
  Guard& operator=(const Guard&) = delete;

 private:
  BarrierState* s_;
};

// Callers change `gen` or `broken` first; a waiter counts itself before checking them.
void WakeAll(BarrierState* s) {
  if (s->waiters.load() > 0) {
    platform::FutexWake(reinterpret_cast<volatile uint32_t*>(&s->gen), INT_MAX);
  }
}

// Ends the current generation, released or broken; caller holds the mutex. Its fate is written
// before `gen` moves, so a waiter that sees the new `gen` sees it too.
void Advance(BarrierState* s, bool broken) {
  const uint32_t gen = s->gen.load();
  const uint32_t bit = 1u << (gen % 32);
  const uint32_t bits = s->broken_bits.load();
  s->broken_bits.store(broken ? bits | bit : bits & ~bit);
  s->count.store(0);
  s->gen.store(gen + 1);
}

}  // namespace

void Init(BarrierState* s, uint32_t parties) {
  s->gen.store(0);
  s->count.store(0);
  s->parties = parties;
  s->broken.store(0);
  s->broken_bits.store(0);
  s->waiters.store(0);
  s->reserved[0] = s->reserved[1] = 0;
  lock::Init(&s->mutex);
}

ArriveResult Arrive(BarrierState* s, const Lease& lease, bool has_action, uint32_t* index,
                    uint32_t* gen) {
  Guard g(s, lease);
  *gen = s->gen.load();
  if (s->broken.load()) return kBroken;
  uint32_t count = s->count.load();
  if (count >= s->parties) return kDraining;
  *index = count;
  s->count.store(count + 1);
  if (count + 1 < s->parties) return kWait;
  if (has_action) return kLastPending;
  Advance(s, false);
  WakeAll(s);
  return kReleased;
}

void Release(BarrierState* s, const Lease& lease, uint32_t gen) {
  {
    Guard g(s, lease);
    if (s->gen.load() != gen || s->broken.load()) return;
    Advance(s, false);
  }
  WakeAll(s);
}

void Abort(BarrierState* s, const Lease& lease) {
  {
    Guard g(s, lease);
    s->broken.store(1);
    Advance(s, true);
  }
  WakeAll(s);
}

void Reset(BarrierState* s, const Lease& lease) {
  {
    Guard g(s, lease);
    s->broken.store(0);
    Advance(s, s->count.load() > 0);
  }
  WakeAll(s);
}

uint32_t Waiting(BarrierState* s) {
  if (s->broken.load()) return 0;
  uint32_t count = s->count.load();
  return count >= s->parties ? 0 : count;
}

bool GenerationWait::TryComplete(bool) {
  if (s_->gen.load() != gen_) {
    const bool broken = (s_->broken_bits.load() >> (gen_ % 32)) & 1;
    // Read after the bits: had 32 more generations ended, the bit would be another's.
    const bool known = s_->gen.load() - gen_ <= 32;
    result = broken || !known ? kBrokenWhileWaiting : kPassed;
    return true;
  }
  if (s_->broken.load()) {
    result = kBrokenWhileWaiting;
    return true;
  }
  return false;
}

bool GenerationWait::Arm(platform::WaitTarget* target) {
  s_->waiters.fetch_add(1);
  target->word = reinterpret_cast<volatile uint32_t*>(&s_->gen);
  target->expected = gen_;
  return true;
}

void GenerationWait::Disarm() { s_->waiters.fetch_sub(1); }

}  // namespace mp::barrier
