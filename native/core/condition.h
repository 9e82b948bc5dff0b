// Condition: ticketed waiters so notify(n) wakes exactly the n longest waiting (never a waiter
// that arrived after the notify), and a waiter that times out gives its place back.
//
// Every call except the sleep itself must be made while holding the condition's lock: that lock
// is what serialises `head`, `tail` and the cancelled bits.
#pragma once

#include <cstdint>

#include "layout.h"
#include "waitable.h"

namespace mp::condition {

void Init(ConditionState* s);
// Takes a ticket; false when kConditionWindow waiters are already waiting.
bool Enqueue(ConditionState* s, uint32_t* ticket);
// Wakes up to `n` waiters; returns how many were woken.
uint32_t Notify(ConditionState* s, uint32_t n);
// After a timeout: true if the ticket was signalled anyway (the notify is consumed), else the
// ticket is withdrawn.
bool Withdraw(ConditionState* s, uint32_t ticket);

class SignalWait : public Waitable {
 public:
  SignalWait(ConditionState* s, uint32_t ticket) : s_(s), ticket_(ticket) {}
  bool TryComplete(bool check_owner) override;
  bool Arm(platform::WaitTarget* target) override;
  void Disarm() override;

 private:
  ConditionState* s_;
  uint32_t ticket_;
};

}  // namespace mp::condition
