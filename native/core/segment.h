// A mapped segment of shared memory with multiproc's header, and the allocator that carves
// blocks out of it. Arenas hold many small blocks; named and large objects get a segment of
// their own with a single block.
#pragma once

#include <cstddef>
#include <cstdint>

#include "layout.h"
#include "lease.h"
#include "platform.h"
#include "status.h"

namespace mp {

class Segment {
 public:
  Segment() = default;
  ~Segment();
  Segment(const Segment&) = delete;
  Segment& operator=(const Segment&) = delete;

  // New anonymous segment of at least `size` bytes, header initialised.
  static Status CreateAnonymous(size_t size, Segment** out);
  // Re-open an anonymous segment held by another process; fails with ESTALE when the
  // descriptor there no longer refers to the segment with `id`.
  static Status Reopen(int pid, int fd, const uint8_t id[16], Segment** out);
  // Open or create the named single-object segment `name` holding `object_bytes` of object;
  // `init` runs once, on the object, before anyone else can see the name.
  static Status OpenOrCreateNamed(const char* name, size_t object_bytes,
                                  void (*init)(void* object, const void* arg), const void* arg,
                                  bool* created, Segment** out);

  uint8_t* base() const { return static_cast<uint8_t*>(map_.addr); }
  size_t size() const { return map_.size; }
  int fd() const { return map_.fd; }
  const platform::Mapping& mapping() const { return map_; }
  const uint8_t* id() const { return header()->id; }
  SegmentHeader* header() const { return reinterpret_cast<SegmentHeader*>(map_.addr); }
  // This mapping's identity as a holder of the segment's locks.
  const Lease& lease() const { return lease_; }
  Lease& lease() { return lease_; }

  // Allocate a block with room for `bytes` of objects; returns the offset of its first object,
  // or 0 when the segment is full. The block starts with one reference.
  uint32_t Allocate(size_t bytes);
  // Add or drop a reference to the block whose first object is at `object_offset`. Returns
  // false when the offset is not the start of a live block.
  bool Retain(uint32_t object_offset);
  bool Release(uint32_t object_offset);

  // The object at `offset` if it is aligned, of `kind` and in bounds with room for its state,
  // else nullptr.
  void* Object(uint32_t offset, ObjectKind kind) const;
  // Offset of a named or single-block segment's one object.
  static constexpr uint32_t kFirstObject = kSegmentHeaderSize + kBlockHeaderSize;

 private:
  BlockHeader* BlockAt(uint32_t object_offset) const;
  // Whether a block of `bytes` can start at `offset`. The allocator's words are in memory that
  // JavaScript can write: a scribbled-on header must make the segment look full, not send the
  // allocator outside it.
  bool BlockFits(uint32_t offset, size_t bytes) const;
  void InitHeader();
  Status TakeLease();

  platform::Mapping map_;
  Lease lease_;
};

// Writes an object header; returns the state right after it.
void* InitObjectHeader(void* object, ObjectKind kind, size_t bytes);

}  // namespace mp
