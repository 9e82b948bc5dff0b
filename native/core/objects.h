// Sizes and initial states of the objects multiproc keeps in shared memory, shared by the
// anonymous allocator and by named single-object segments.
#pragma once

#include <cstddef>
#include <cstdint>

#include "layout.h"

namespace mp {

struct ObjectParams {
  uint32_t a = 0;  // Semaphore: value; Barrier: parties; Data: typecode
  uint32_t b = 0;  // Semaphore: max; Data: element count
  uint32_t element_size = 0;                 // Data only
  const uint8_t* initial = nullptr;          // Data only: bytes to start with (or zeros)
  size_t initial_bytes = 0;
};

// Bytes the object takes, header included, rounded to 8; 0 for an unknown kind or a size that
// does not fit in 32 bits.
size_t ObjectBytes(ObjectKind kind, const ObjectParams& p);
void InitObject(void* object, ObjectKind kind, const ObjectParams& p);
// The RLock that guards a Value, Array or named Condition sits right before it in its block.
constexpr size_t kEmbeddedLockBytes = kObjectHeaderSize + sizeof(LockState);

}  // namespace mp
