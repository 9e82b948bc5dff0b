// Entry points that act on a primitive at once, or block the calling thread (the ...Sync API).
#include <napi.h>

#include "../core/barrier.h"
#include "../core/condition.h"
#include "../core/event.h"
#include "../core/lock.h"
#include "../core/semaphore.h"
#include "addon_data.h"
#include "args.h"
#include "errors.h"
#include "segment_wrap.h"
#include "waitables.h"

namespace mp::binding {
namespace {

template <typename State>
State* StateArg(const Napi::CallbackInfo& info, ObjectKind kind, const Lease** lease = nullptr) {
  SegmentWrap* seg = SegmentWrap::From(info, 0);
  if (seg == nullptr) return nullptr;
  if (lease != nullptr) *lease = &seg->segment()->lease();
  return static_cast<State*>(seg->ObjectArg(info, 1, kind));
}

// waitSync(op, segment, offset, arg, timeoutMs) -> result, or -1 when the timeout passed
Napi::Value WaitSyncOp(const Napi::CallbackInfo& info) {
  std::shared_ptr<void> keepalive;
  std::unique_ptr<Waitable> w = MakeWaitable(info, 0, &keepalive);
  int64_t timeout_ns;
  if (w == nullptr || !ArgTimeout(info, 4, &timeout_ns)) return info.Env().Undefined();
  WaitOutcome outcome = WaitSync(*w, timeout_ns, kDefaultSpinNs);
  return Napi::Number::New(info.Env(), outcome == WaitOutcome::kDone ? w->result : -1);
}

// lockRelease(segment, offset, recursive) -> false when the lock was not held
Napi::Value LockRelease(const Napi::CallbackInfo& info) {
  bool recursive;
  if (!ArgBool(info, 2, "recursive", &recursive)) return info.Env().Undefined();
  auto* s = StateArg<LockState>(info, recursive ? ObjectKind::kRLock : ObjectKind::kLock);
  if (s == nullptr) return info.Env().Undefined();
  return Napi::Boolean::New(info.Env(), lock::Release(s));
}

// semaphoreRelease(segment, offset, bounded) -> false when a bounded one is already full
Napi::Value SemaphoreRelease(const Napi::CallbackInfo& info) {
  bool bounded;
  if (!ArgBool(info, 2, "bounded", &bounded)) return info.Env().Undefined();
  auto* s = StateArg<SemaphoreState>(
      info, bounded ? ObjectKind::kBoundedSemaphore : ObjectKind::kSemaphore);
  if (s == nullptr) return info.Env().Undefined();
  return Napi::Boolean::New(info.Env(), semaphore::Release(s));
}

Napi::Value EventSet(const Napi::CallbackInfo& info) {
  if (auto* s = StateArg<EventState>(info, ObjectKind::kEvent)) event::Set(s);
  return info.Env().Undefined();
}

Napi::Value EventClear(const Napi::CallbackInfo& info) {
  if (auto* s = StateArg<EventState>(info, ObjectKind::kEvent)) event::Clear(s);
  return info.Env().Undefined();
}

// conditionEnqueue(segment, offset) -> ticket, or -1 when the waiter window is full
Napi::Value ConditionEnqueue(const Napi::CallbackInfo& info) {
  auto* s = StateArg<ConditionState>(info, ObjectKind::kCondition);
  if (s == nullptr) return info.Env().Undefined();
  uint32_t ticket;
  if (!condition::Enqueue(s, &ticket)) return Napi::Number::New(info.Env(), -1);
  return Napi::Number::New(info.Env(), ticket);
}

Napi::Value ConditionNotify(const Napi::CallbackInfo& info) {
  uint32_t n;
  auto* s = StateArg<ConditionState>(info, ObjectKind::kCondition);
  if (s == nullptr || !ArgUint32(info, 2, "n", &n)) return info.Env().Undefined();
  return Napi::Number::New(info.Env(), condition::Notify(s, n));
}

Napi::Value ConditionWithdraw(const Napi::CallbackInfo& info) {
  uint32_t ticket;
  auto* s = StateArg<ConditionState>(info, ObjectKind::kCondition);
  if (s == nullptr || !ArgUint32(info, 2, "ticket", &ticket)) return info.Env().Undefined();
  return Napi::Boolean::New(info.Env(), condition::Withdraw(s, ticket));
}

// barrierArrive(segment, offset, hasAction) -> [result, index, generation]
Napi::Value BarrierArrive(const Napi::CallbackInfo& info) {
  bool has_action;
  const Lease* lease;
  auto* s = StateArg<BarrierState>(info, ObjectKind::kBarrier, &lease);
  if (s == nullptr || !ArgBool(info, 2, "hasAction", &has_action)) return info.Env().Undefined();
  uint32_t index = 0, gen = 0;
  barrier::ArriveResult r = barrier::Arrive(s, *lease, has_action, &index, &gen);
  Napi::Array out = Napi::Array::New(info.Env(), 3);
  out.Set(0u, Napi::Number::New(info.Env(), r));
  out.Set(1u, Napi::Number::New(info.Env(), index));
  out.Set(2u, Napi::Number::New(info.Env(), gen));
  return out;
}

Napi::Value BarrierRelease(const Napi::CallbackInfo& info) {
  uint32_t gen;
  const Lease* lease;
  auto* s = StateArg<BarrierState>(info, ObjectKind::kBarrier, &lease);
  if (s != nullptr && ArgUint32(info, 2, "generation", &gen)) barrier::Release(s, *lease, gen);
  return info.Env().Undefined();
}

Napi::Value BarrierAbort(const Napi::CallbackInfo& info) {
  const Lease* lease;
  if (auto* s = StateArg<BarrierState>(info, ObjectKind::kBarrier, &lease)) barrier::Abort(s, *lease);
  return info.Env().Undefined();
}

Napi::Value BarrierReset(const Napi::CallbackInfo& info) {
  const Lease* lease;
  if (auto* s = StateArg<BarrierState>(info, ObjectKind::kBarrier, &lease)) barrier::Reset(s, *lease);
  return info.Env().Undefined();
}

// barrierState(segment, offset) -> [parties, waiting, broken]
Napi::Value BarrierStateOp(const Napi::CallbackInfo& info) {
  auto* s = StateArg<BarrierState>(info, ObjectKind::kBarrier);
  if (s == nullptr) return info.Env().Undefined();
  Napi::Array out = Napi::Array::New(info.Env(), 3);
  out.Set(0u, Napi::Number::New(info.Env(), s->parties));
  out.Set(1u, Napi::Number::New(info.Env(), barrier::Waiting(s)));
  out.Set(2u, Napi::Boolean::New(info.Env(), s->broken.load() != 0));
  return out;
}

}  // namespace

void InitSyncOps(Napi::Env env, Napi::Object exports) {
  exports.Set("waitSync", Napi::Function::New<WaitSyncOp>(env, "waitSync"));
  exports.Set("lockRelease", Napi::Function::New<LockRelease>(env, "lockRelease"));
  exports.Set("semaphoreRelease", Napi::Function::New<SemaphoreRelease>(env, "semaphoreRelease"));
  exports.Set("eventSet", Napi::Function::New<EventSet>(env, "eventSet"));
  exports.Set("eventClear", Napi::Function::New<EventClear>(env, "eventClear"));
  exports.Set("conditionEnqueue", Napi::Function::New<ConditionEnqueue>(env, "conditionEnqueue"));
  exports.Set("conditionNotify", Napi::Function::New<ConditionNotify>(env, "conditionNotify"));
  exports.Set("conditionWithdraw", Napi::Function::New<ConditionWithdraw>(env, "conditionWithdraw"));
  exports.Set("barrierArrive", Napi::Function::New<BarrierArrive>(env, "barrierArrive"));
  exports.Set("barrierRelease", Napi::Function::New<BarrierRelease>(env, "barrierRelease"));
  exports.Set("barrierAbort", Napi::Function::New<BarrierAbort>(env, "barrierAbort"));
  exports.Set("barrierReset", Napi::Function::New<BarrierReset>(env, "barrierReset"));
  exports.Set("barrierState", Napi::Function::New<BarrierStateOp>(env, "barrierState"));
}

}  // namespace mp::binding
