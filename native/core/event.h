// Event: a flag word; waiters sleep while it stays as it was when they began (clear, and no
// set() since), so a set() followed at once by clear() still ends every wait begun before it.
#pragma once

#include "layout.h"
#include "waitable.h"

namespace mp::event {

void Init(EventState* s);
void Set(EventState* s);
void Clear(EventState* s);

class Wait : public Waitable {
 public:
  explicit Wait(EventState* s);
  bool TryComplete(bool check_owner) override;
  bool Arm(platform::WaitTarget* target) override;
  void Disarm() override;

 private:
  EventState* s_;
  uint32_t start_;  // the flag word when the wait began
};

}  // namespace mp::event
