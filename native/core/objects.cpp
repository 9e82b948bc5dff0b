#include "objects.h"

#include <cstring>

#include "barrier.h"
#include "condition.h"
#include "event.h"
#include "lock.h"
#include "segment.h"
#include "semaphore.h"

namespace mp {

size_t ObjectBytes(ObjectKind kind, const ObjectParams& p) {
  size_t state = 0;
  switch (kind) {
    case ObjectKind::kLock:
    case ObjectKind::kRLock: state = sizeof(LockState); break;
    case ObjectKind::kSemaphore:
    case ObjectKind::kBoundedSemaphore: state = sizeof(SemaphoreState); break;
    case ObjectKind::kEvent: state = sizeof(EventState); break;
    case ObjectKind::kCondition: state = sizeof(ConditionState); break;
    case ObjectKind::kBarrier: state = sizeof(BarrierState); break;
    case ObjectKind::kData: {
      const uint64_t data = uint64_t{p.element_size} * p.b;
      if (data > 0xffff0000u) return 0;
      state = sizeof(DataState) + static_cast<size_t>(data);
      break;
    }
    default: return 0;
  }
  return (kObjectHeaderSize + state + 7) & ~size_t{7};
}

void InitObject(void* object, ObjectKind kind, const ObjectParams& p) {
  void* state = InitObjectHeader(object, kind, ObjectBytes(kind, p));
  switch (kind) {
    case ObjectKind::kLock:
    case ObjectKind::kRLock: lock::Init(static_cast<LockState*>(state)); break;
    case ObjectKind::kSemaphore:
    case ObjectKind::kBoundedSemaphore:
      semaphore::Init(static_cast<SemaphoreState*>(state), p.a, p.b);
      break;
    case ObjectKind::kEvent: event::Init(static_cast<EventState*>(state)); break;
    case ObjectKind::kCondition: condition::Init(static_cast<ConditionState*>(state)); break;
    case ObjectKind::kBarrier: barrier::Init(static_cast<BarrierState*>(state), p.a); break;
    case ObjectKind::kData: {
      auto* d = static_cast<DataState*>(state);
      d->typecode = p.a;
      d->length = p.b;
      const size_t bytes = size_t{p.element_size} * p.b;
      uint8_t* data = reinterpret_cast<uint8_t*>(d + 1);
      if (p.initial != nullptr) memcpy(data, p.initial, p.initial_bytes < bytes ? p.initial_bytes : bytes);
      break;
    }
  }
}

}  // namespace mp
