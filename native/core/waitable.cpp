#include "waitable.h"

#include <algorithm>
#include <cerrno>

namespace mp {

WaitOutcome WaitSync(Waitable& w, int64_t timeout_ns, int64_t spin_ns) {
  const int64_t start = platform::MonotonicNs();
  const int64_t deadline = timeout_ns < 0 ? -1 : start + timeout_ns;
  int64_t spin_until = start + spin_ns;
  if (deadline >= 0) spin_until = std::min(spin_until, deadline);
  for (int i = 1; spin_ns > 0; i++) {
    if (w.TryComplete(false)) return WaitOutcome::kDone;
    if ((i & 31) == 0) {
      if (platform::MonotonicNs() >= spin_until) break;
      platform::Yield();
    } else {
      platform::CpuRelax();
    }
  }
  int64_t next_owner_check = start + kOwnerPollNs;
  for (;;) {
    int64_t now = platform::MonotonicNs();
    bool check_owner = w.PollsOwner() && now >= next_owner_check;
    if (check_owner) next_owner_check = now + kOwnerPollNs;
    if (w.TryComplete(check_owner)) return WaitOutcome::kDone;
    if (deadline >= 0 && now >= deadline) return WaitOutcome::kTimedOut;
    platform::WaitTarget target{};
    if (!w.Arm(&target)) continue;
    if (w.TryComplete(false)) {
      w.Disarm();
      return WaitOutcome::kDone;
    }
    int64_t sleep = deadline < 0 ? -1 : deadline - now;
    if (w.PollsOwner()) {
      int64_t until_check = std::max<int64_t>(next_owner_check - now, 0);
      sleep = sleep < 0 ? until_check : std::min(sleep, until_check);
    }
    platform::FutexWait(target.word, target.expected, sleep);
    w.Disarm();
  }
}

}  // namespace mp
