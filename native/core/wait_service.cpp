#include "wait_service.h"

#include <algorithm>
#include <cerrno>

namespace mp {

WaitService::WaitService(std::function<void()> deliver) : deliver_(std::move(deliver)) {}

WaitService::~WaitService() {
  stopping_.store(true);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& shard : shards_) Wake(shard.get());
  }
  for (auto& shard : shards_) {
    if (shard->thread.joinable()) shard->thread.join();
  }
  for (auto& c : done_) {
    if (c.outcome == WaitOutcome::kDone) c.waitable->Undo();
  }
}

void WaitService::Wake(Shard* shard) {
  shard->control.fetch_add(1);
  platform::FutexWake(reinterpret_cast<volatile uint32_t*>(&shard->control), 1);
}

void WaitService::Add(uint64_t id, std::unique_ptr<Waitable> w, int64_t deadline_ns,
                      std::shared_ptr<void> keepalive) {
  std::lock_guard<std::mutex> lock(mutex_);
  Shard* target = nullptr;
  for (auto& shard : shards_) {
    if (shard->load < kShardCapacity) {
      target = shard.get();
      break;
    }
  }
  if (target == nullptr) {
    shards_.push_back(std::make_unique<Shard>());
    target = shards_.back().get();
    target->thread = std::thread(&WaitService::Run, this, target);
  }
  target->load++;
  target->incoming.push_back(
      Pending{id, std::move(w), deadline_ns, platform::MonotonicNs() + kOwnerPollNs,
              std::move(keepalive)});
  Wake(target);
}

void WaitService::TakeResults(std::vector<Completion>* out) {
  std::lock_guard<std::mutex> lock(mutex_);
  out->swap(done_);
  done_.clear();
  delivery_pending_ = false;
}

void WaitService::Complete(Shard* shard, Pending&& p, WaitOutcome outcome) {
  bool call = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    shard->load--;
    int32_t result = p.waitable->result;
    done_.push_back(
        Completion{p.id, outcome, result, std::move(p.waitable), std::move(p.keepalive)});
    if (!delivery_pending_) {
      delivery_pending_ = true;
      call = true;
    }
  }
  if (call) deliver_();
}

void WaitService::Run(Shard* shard) {
  std::vector<Pending> active;
  std::vector<platform::WaitTarget> targets;
  std::vector<bool> armed;
  while (!stopping_.load()) {
    const uint32_t control = shard->control.load();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (auto& p : shard->incoming) active.push_back(std::move(p));
      shard->incoming.clear();
    }

    // Complete what can be completed, and find the next moment something is due.
    int64_t now = platform::MonotonicNs();
    int64_t wake_at = -1;
    auto due = [&wake_at](int64_t t) {
      if (t >= 0 && (wake_at < 0 || t < wake_at)) wake_at = t;
    };
    for (size_t i = 0; i < active.size();) {
      Pending& p = active[i];
      bool check_owner = p.waitable->PollsOwner() && now >= p.next_owner_check_ns;
      if (check_owner) p.next_owner_check_ns = now + kOwnerPollNs;
      if (p.waitable->TryComplete(check_owner)) {
        Complete(shard, std::move(p), WaitOutcome::kDone);
      } else if (p.deadline_ns >= 0 && now >= p.deadline_ns) {
        Complete(shard, std::move(p), WaitOutcome::kTimedOut);
      } else {
        due(p.deadline_ns);
        if (p.waitable->PollsOwner()) due(p.next_owner_check_ns);
        i++;
        continue;
      }
      active[i] = std::move(active.back());
      active.pop_back();
    }

    // Arm every wait, then check once more: a change after the arm alters the word we sleep on.
    targets.clear();
    armed.assign(active.size(), false);
    bool retry_now = false;
    for (size_t i = 0; i < active.size(); i++) {
      platform::WaitTarget t{};
      if (!active[i].waitable->Arm(&t)) {
        retry_now = true;
        continue;
      }
      armed[i] = true;
      auto same = std::find_if(targets.begin(), targets.end(),
                               [&t](const platform::WaitTarget& o) { return o.word == t.word; });
      if (same == targets.end()) {
        targets.push_back(t);
      } else {
        same->expected = t.expected;
      }
    }
    // A wait that completes now has taken what it waited for: it must be delivered, not retried.
    size_t completed = active.size();
    for (size_t i = 0; i < active.size() && !retry_now; i++) {
      if (active[i].waitable->TryComplete(false)) {
        completed = i;
        retry_now = true;
      }
    }
    if (!retry_now) {
      // A shared futex like every other wait, so FutexWake finds it under the same key.
      targets.push_back({reinterpret_cast<volatile uint32_t*>(&shard->control), control});
      if (platform::HasWaitMany()) {
        platform::FutexWaitMany(targets.data(), static_cast<int>(targets.size()), wake_at);
      } else {
        // Old kernels: sleep on the control word in short slices and re-check everything.
        int64_t slice = 1000 * 1000;
        if (wake_at >= 0) slice = std::min(slice, std::max<int64_t>(wake_at - now, 0));
        if (active.empty() && wake_at < 0) slice = -1;
        platform::FutexWait(targets.back().word, control, slice);
      }
    }
    for (size_t i = 0; i < active.size(); i++) {
      if (armed[i]) active[i].waitable->Disarm();
    }
    if (completed < active.size()) {
      Complete(shard, std::move(active[completed]), WaitOutcome::kDone);
      active[completed] = std::move(active.back());
      active.pop_back();
    }
  }
  // Waits still pending when the environment goes away are dropped: nothing was taken for them.
}

}  // namespace mp
