// Event: a flag word; waiters sleep while it is 0, set() wakes them all.
#pragma once

#include "layout.h"
#include "waitable.h"

namespace mp::event {

void Init(EventState* s);
void Set(EventState* s);
void Clear(EventState* s);

class Wait : public Waitable {
 public:
  explicit Wait(EventState* s) : s_(s) {}
  bool TryComplete(bool check_owner) override;
  bool Arm(platform::WaitTarget* target) override;
  void Disarm() override;

 private:
  EventState* s_;
};

}  // namespace mp::event
