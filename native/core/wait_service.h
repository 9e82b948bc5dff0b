// Runs the asynchronous waits of one JavaScript environment on native threads of its own, so a
// pending acquire() neither blocks the event loop nor parks a libuv threadpool thread.
//
// Each shard thread sleeps in one futex_waitv(2) call on the words of up to kShardCapacity
// waits plus a private control word that is bumped whenever a wait is added or the service
// stops. Completed waits are queued and `deliver` is called once per batch; the owner then
// drains them with TakeResults on its own thread. Completions never taken (the environment
// went away) are undone, so a lock acquired on behalf of a dead environment is released.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "waitable.h"

namespace mp {

struct Completion {
  uint64_t id;
  WaitOutcome outcome;
  int32_t result;
  std::unique_ptr<Waitable> waitable;
  std::shared_ptr<void> keepalive;
};

class WaitService {
 public:
  explicit WaitService(std::function<void()> deliver);
  ~WaitService();
  WaitService(const WaitService&) = delete;
  WaitService& operator=(const WaitService&) = delete;

  // `deadline_ns` is absolute on the monotonic clock, < 0 for none. `keepalive` (the shared
  // memory the waitable points into) is held until the completion is taken.
  void Add(uint64_t id, std::unique_ptr<Waitable> w, int64_t deadline_ns,
           std::shared_ptr<void> keepalive);
  void TakeResults(std::vector<Completion>* out);

  static constexpr size_t kShardCapacity = 100;

 private:
  struct Pending {
    uint64_t id;
    std::unique_ptr<Waitable> waitable;
    int64_t deadline_ns;
    int64_t next_owner_check_ns;
    std::shared_ptr<void> keepalive;
  };
  struct Shard {
    std::thread thread;
    std::vector<Pending> incoming;  // guarded by the service mutex
    size_t load = 0;                // waits assigned and not yet completed; service mutex
    std::atomic<uint32_t> control{0};
  };

  void Run(Shard* shard);
  void Complete(Shard* shard, Pending&& p, WaitOutcome outcome);
  void Wake(Shard* shard);

  std::function<void()> deliver_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::vector<Completion> done_;
  bool delivery_pending_ = false;
  std::atomic<bool> stopping_{false};
};

}  // namespace mp
