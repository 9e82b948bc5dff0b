// Barrier: `parties` arrivals release a generation. Arrival, release, reset and abort run under
// an internal robust mutex, and each of the last three ends the current generation: waiters
// sleep on `gen`, so none can miss the end of its generation between looking and sleeping, and
// `broken_bits` tells them how it ended even if they wake late.
#pragma once

#include <cstdint>

#include "layout.h"
#include "lease.h"
#include "waitable.h"

namespace mp::barrier {

void Init(BarrierState* s, uint32_t parties);

// Arrive, Release, Abort and Reset take the barrier's internal mutex as the holder of `lease`,
// the caller's lease of the barrier's segment.

enum ArriveResult : int32_t {
  kWait = 0,         // not last: wait for `gen` to move past *gen
  kLastPending = 1,  // last, and the caller runs its action before calling Release
  kReleased = 2,     // last, and the generation was released here
  kBroken = 3,
  kDraining = 4,     // the previous generation is being released: wait for it, then retry
};
ArriveResult Arrive(BarrierState* s, const Lease& lease, bool has_action, uint32_t* index,
                    uint32_t* gen);
// Releases generation `gen` (after the last arrival ran its action).
void Release(BarrierState* s, const Lease& lease, uint32_t gen);
void Abort(BarrierState* s, const Lease& lease);
void Reset(BarrierState* s, const Lease& lease);
uint32_t Waiting(BarrierState* s);

enum WaitResult : int32_t { kPassed = 0, kBrokenWhileWaiting = 1 };

class GenerationWait : public Waitable {
 public:
  GenerationWait(BarrierState* s, uint32_t gen) : s_(s), gen_(gen) {}
  bool TryComplete(bool check_owner) override;
  bool Arm(platform::WaitTarget* target) override;
  void Disarm() override;

 private:
  BarrierState* s_;
  uint32_t gen_;
};

}  // namespace mp::barrier
