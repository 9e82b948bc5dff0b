// A mapping's lease: the id by which this mapping of a segment is recorded as the holder of
// the segment's locks (and, in JavaScript, of a queue's streams and pipe ends), and the kernel
// claim that says whether the mapping behind an id still exists.
//
// Invariants: ids are numbered per segment from a counter in its header and never given to two
// live mappings at once (taking one fails while another handle holds it). An id's claim lasts
// exactly as long as the mapping's handle: it ends when the holder unmaps it or its process
// dies, in whatever PID namespace, and a later holder never gets an id still claimed, so a live
// holder is never taken for dead and a dead one is never taken for alive (until the counter has
// gone round all 2^30 ids, which needs a billion mappings of one segment).
#pragma once

#include <atomic>
#include <cstdint>
#include <utility>
#include <vector>

#include "platform.h"
#include "status.h"

namespace mp {

// Ids fit in a lock word beside its waiters bit; 0 means "no holder".
constexpr uint32_t kLeaseIdMask = 0x3fffffffu;

class Lease {
 public:
  Lease() = default;
  ~Lease();
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;

  // Claims a fresh id of the segment mapped by `m` (which must outlive this lease), numbered
  // from `next`, the counter in the segment's header.
  Status Take(const platform::Mapping& m, std::atomic<uint32_t>* next);
  uint32_t id() const { return id_; }
  // False only when `holder` is certainly not held by any live mapping. Safe from any thread.
  bool Alive(uint32_t holder) const;

  // A spare id, claimed through a handle of its own until DropSpare: it stands for a copy of
  // an object in flight to a process that has not mapped it yet. Spares are taken and dropped
  // by the thread that owns the mapping.
  Status TakeSpare(uint32_t* id);
  // False if `id` is not a spare of this lease.
  bool DropSpare(uint32_t id);

 private:
  const platform::Mapping* map_ = nullptr;
  std::atomic<uint32_t>* next_ = nullptr;
  uint32_t id_ = 0;
  std::vector<std::pair<uint32_t, int>> spares_;  // (id, handle)
};

}  // namespace mp
