// Asynchronous waits: registered with the environment's WaitService and delivered back to
// JavaScript in batches through one thread-safe function. The event loop is kept alive only
// while some wait is pending, like a timer.
#include <napi.h>

#include <vector>

#include "../core/wait_service.h"
#include "addon_data.h"
#include "args.h"
#include "errors.h"
#include "waitables.h"

namespace mp::binding {
namespace {

void DeliverBatch(Napi::Env env, Napi::Function callback, AddonData* data) {
  if (env == nullptr || data->service == nullptr) return;
  std::vector<Completion> done;
  data->service->TakeResults(&done);
  if (done.empty()) return;
  Napi::Array batch = Napi::Array::New(env, done.size() * 3);
  uint32_t k = 0;
  for (const Completion& c : done) {
    batch.Set(k++, Napi::Number::New(env, static_cast<double>(c.id)));
    batch.Set(k++, Napi::Number::New(env, c.outcome == WaitOutcome::kDone ? 0 : 1));
    batch.Set(k++, Napi::Number::New(env, c.result));
  }
  data->pending -= done.size();
  if (data->pending == 0) data->deliver.Unref(env);
  callback.Call({batch});
}

void Cleanup(void* arg) {
  auto* data = static_cast<AddonData*>(arg);
  // Stop the service threads before the thread-safe function they call is torn down.
  data->service.reset();
  data->deliver.Release();
}

// init(onResults): must be called once before waitAsync.
Napi::Value InitWaits(const Napi::CallbackInfo& info) {
  AddonData* data = Data(info.Env());
  if (data->service != nullptr) return info.Env().Undefined();
  if (info.Length() < 1 || !info[0].IsFunction()) {
    ThrowType(info.Env(), "The \"onResults\" argument must be a function");
    return info.Env().Undefined();
  }
  data->deliver = Napi::ThreadSafeFunction::New(info.Env(), info[0].As<Napi::Function>(),
                                                "multiproc-wait", 0, 1);
  data->deliver.Unref(info.Env());
  Napi::ThreadSafeFunction deliver = data->deliver;
  data->service = std::make_unique<WaitService>([deliver, data]() mutable {
    deliver.NonBlockingCall(
        [data](Napi::Env env, Napi::Function callback) { DeliverBatch(env, callback, data); });
  });
  // Registered after the thread-safe function's own hook, so it runs before it.
  napi_add_env_cleanup_hook(info.Env(), Cleanup, data);
  return info.Env().Undefined();
}

// waitAsync(id, op, segment, offset, arg, timeoutMs)
Napi::Value WaitAsync(const Napi::CallbackInfo& info) {
  AddonData* data = Data(info.Env());
  if (data->service == nullptr) {
    ThrowType(info.Env(), "init() must be called before waitAsync()");
    return info.Env().Undefined();
  }
  uint32_t id;
  if (!ArgUint32(info, 0, "id", &id)) return info.Env().Undefined();
  std::shared_ptr<void> keepalive;
  std::unique_ptr<Waitable> w = MakeWaitable(info, 1, &keepalive);
  int64_t timeout_ns;
  if (w == nullptr || !ArgTimeout(info, 5, &timeout_ns)) return info.Env().Undefined();
  int64_t deadline = timeout_ns < 0 ? -1 : platform::MonotonicNs() + timeout_ns;
  if (data->pending++ == 0) data->deliver.Ref(info.Env());
  data->service->Add(id, std::move(w), deadline, std::move(keepalive));
  return info.Env().Undefined();
}

}  // namespace

void InitAsyncOps(Napi::Env env, Napi::Object exports) {
  exports.Set("init", Napi::Function::New<InitWaits>(env, "init"));
  exports.Set("waitAsync", Napi::Function::New<WaitAsync>(env, "waitAsync"));
}

}  // namespace mp::binding
