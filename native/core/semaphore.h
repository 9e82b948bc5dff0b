// Semaphore and BoundedSemaphore: a counter word that waiters sleep on while it is zero.
// `waiters` counts announced sleepers so that a release only enters the kernel when needed.
#pragma once

#include <cstdint>

#include "layout.h"
#include "waitable.h"

namespace mp::semaphore {

void Init(SemaphoreState* s, uint32_t value, uint32_t max);
bool TryAcquire(SemaphoreState* s);
// Adds one; false (and no change) when a bounded semaphore is already at its initial value.
bool Release(SemaphoreState* s);

class AcquireWait : public Waitable {
 public:
  explicit AcquireWait(SemaphoreState* s) : s_(s) {}
  bool TryComplete(bool check_owner) override;
  bool Arm(platform::WaitTarget* target) override;
  void Disarm() override;
  void Undo() override;

 private:
  SemaphoreState* s_;
};

}  // namespace mp::semaphore
