#include "waitables.h"

#include "../core/barrier.h"
#include "../core/condition.h"
#include "../core/event.h"
#include "../core/lock.h"
#include "../core/semaphore.h"
#include "args.h"
#include "errors.h"
#include "segment_wrap.h"

namespace mp::binding {

std::unique_ptr<Waitable> MakeWaitable(const Napi::CallbackInfo& info, size_t i,
                                       std::shared_ptr<void>* keepalive) {
  uint32_t op, arg;
  if (!ArgUint32(info, i, "op", &op)) return nullptr;
  SegmentWrap* seg = SegmentWrap::From(info, i + 1);
  if (seg == nullptr || !ArgUint32(info, i + 3, "arg", &arg)) return nullptr;
  *keepalive = seg->segment();
  switch (static_cast<WaitOp>(op)) {
    case WaitOp::kLock:
    case WaitOp::kRLock: {
      ObjectKind kind = op == 0 ? ObjectKind::kLock : ObjectKind::kRLock;
      auto* s = static_cast<LockState*>(seg->ObjectArg(info, i + 2, kind));
      if (s == nullptr) return nullptr;
      return std::make_unique<lock::AcquireWait>(s, &seg->segment()->lease(), arg);
    }
    case WaitOp::kSemaphore:
    case WaitOp::kBoundedSemaphore: {
      ObjectKind kind = op == 2 ? ObjectKind::kSemaphore : ObjectKind::kBoundedSemaphore;
      auto* s = static_cast<SemaphoreState*>(seg->ObjectArg(info, i + 2, kind));
      if (s == nullptr) return nullptr;
      return std::make_unique<semaphore::AcquireWait>(s);
    }
    case WaitOp::kEvent: {
      auto* s = static_cast<EventState*>(seg->ObjectArg(info, i + 2, ObjectKind::kEvent));
      if (s == nullptr) return nullptr;
      return std::make_unique<event::Wait>(s);
    }
    case WaitOp::kCondition: {
      auto* s = static_cast<ConditionState*>(seg->ObjectArg(info, i + 2, ObjectKind::kCondition));
      if (s == nullptr) return nullptr;
      return std::make_unique<condition::SignalWait>(s, arg);
    }
    case WaitOp::kBarrier: {
      auto* s = static_cast<BarrierState*>(seg->ObjectArg(info, i + 2, ObjectKind::kBarrier));
      if (s == nullptr) return nullptr;
      return std::make_unique<barrier::GenerationWait>(s, arg);
    }
  }
  ThrowRange(info.Env(), "The \"op\" argument is not a wait operation");
  return nullptr;
}

}  // namespace mp::binding
