// The shape every blocking operation takes, so one loop can run it on the calling thread
// (the ...Sync methods) and the wait service can run hundreds of them on one native thread.
//
// Protocol, per round: TryComplete; Arm (announce the waiter, read the word to sleep on);
// TryComplete again; sleep while the word still holds the value Arm read; Disarm. A change made
// after Arm's read changes the word, so no wake-up can be lost between the check and the sleep.
#pragma once

#include <cstdint>

#include "platform.h"

namespace mp {

class Waitable {
 public:
  virtual ~Waitable() = default;
  // Completes the operation if it can without blocking and sets `result`. `check_owner` asks
  // for the slower check that a lock's holder is still alive.
  virtual bool TryComplete(bool check_owner) = 0;
  // Announces a sleeper and fills `target`; false means "retry now, do not sleep".
  virtual bool Arm(platform::WaitTarget* target) = 0;
  virtual void Disarm() {}
  // Whether waiting must wake up now and then to check a holder's liveness.
  virtual bool PollsOwner() const { return false; }
  // Gives back what a completed operation took, when its result can no longer be delivered.
  virtual void Undo() {}

  int32_t result = 0;
};

// How often a waiter on a held lock checks that the holder is still alive.
constexpr int64_t kOwnerPollNs = 50 * 1000 * 1000;

enum class WaitOutcome { kDone, kTimedOut };

// Runs `w` to completion on the calling thread. `timeout_ns` < 0 waits forever. Before the
// first sleep it spins for up to `spin_ns`, because a futex wake-up across CPUs costs 10-50 us;
// the spin yields now and then so a partner on the same CPU is not starved (at once, when the
// last wait showed that the waker shares our CPU).
WaitOutcome WaitSync(Waitable& w, int64_t timeout_ns, int64_t spin_ns);
constexpr int64_t kDefaultSpinNs = 50 * 1000;

}  // namespace mp
