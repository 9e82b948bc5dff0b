#include "lease.h"

namespace mp {
namespace {

// Ids claimed by live mappings are skipped; this many in a row means something is wrong.
constexpr int kTakeTries = 4096;

template <typename Claim>
Status ClaimFresh(std::atomic<uint32_t>* next, uint32_t* out, Claim claim) {
  for (int i = 0; i < kTakeTries; i++) {
    uint32_t id = next->fetch_add(1) & kLeaseIdMask;
    if (id == 0) continue;
    Status s = claim(id);
    if (s.ok()) {
      *out = id;
      return s;
    }
    if (s.code != EAGAIN) return s;
  }
  return Status::Err(EAGAIN, "fcntl");
}

}  // namespace

Lease::~Lease() {
  for (const auto& spare : spares_) platform::DropSpareLease(spare.second);
}

Status Lease::Take(const platform::Mapping& m, std::atomic<uint32_t>* next) {
  map_ = &m;
  next_ = next;
  return ClaimFresh(next, &id_, [&m](uint32_t id) { return platform::TakeLease(m, id); });
}

bool Lease::Alive(uint32_t holder) const {
  if (holder == 0) return false;
  if (holder == id_) return true;
  return platform::LeaseHeld(*map_, holder);
}

Status Lease::TakeSpare(uint32_t* id) {
  int handle = -1;
  Status s = ClaimFresh(next_, id, [this, &handle](uint32_t candidate) {
    return platform::TakeSpareLease(*map_, candidate, &handle);
  });
  if (!s.ok()) return s;
  spares_.emplace_back(*id, handle);
  return s;
}

bool Lease::DropSpare(uint32_t id) {
  for (auto it = spares_.begin(); it != spares_.end(); ++it) {
    if (it->first != id) continue;
    platform::DropSpareLease(it->second);
    spares_.erase(it);
    return true;
  }
  return false;
}

}  // namespace mp
