#include "waitable.h"

#include <algorithm>
#include <cerrno>

namespace mp {

namespace {

// A sched_yield that returns later than this let another thread run on our CPU.
constexpr int64_t kSwitchedNs = 1500;

// Learned per thread: whether the last wait ended just after a yield that let another thread
// run. Its waker then shares our CPU and runs only when we yield, so spinning first would only
// burn the time it needs.
thread_local bool t_waker_shares_cpu = false;

}  // namespace

WaitOutcome WaitSync(Waitable& w, int64_t timeout_ns, int64_t spin_ns) {
  const int64_t start = platform::MonotonicNs();
  const int64_t deadline = timeout_ns < 0 ? -1 : start + timeout_ns;
  int64_t spin_until = start + spin_ns;
  if (deadline >= 0) spin_until = std::min(spin_until, deadline);
  bool switched = false;
  for (int i = 1; spin_ns > 0; i++) {
    if (w.TryComplete(false)) {
      t_waker_shares_cpu = switched;
      return WaitOutcome::kDone;
    }
    if (t_waker_shares_cpu || (i & 31) == 0) {
      const int64_t before = platform::MonotonicNs();
      if (before >= spin_until) break;
      platform::Yield();
      switched = platform::MonotonicNs() - before > kSwitchedNs;
    } else {
      platform::CpuRelax();
      switched = false;
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
