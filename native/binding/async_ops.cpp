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

// Gives back what completed waits took: their results will never reach JavaScript.
void UndoAll(std::vector<Completion>* done) {
  for (Completion& c : *done) {
    if (c.outcome == WaitOutcome::kDone) c.waitable->Undo();
  }
}

// [id, timedOut, result, ...]; false when this environment can no longer run JavaScript.
bool MakeBatch(napi_env env, const std::vector<Completion>& done, napi_value* batch) {
  if (napi_create_array_with_length(env, done.size() * 3, batch) != napi_ok) return false;
  uint32_t k = 0;
  for (const Completion& c : done) {
    const double fields[3] = {static_cast<double>(c.id),
                              c.outcome == WaitOutcome::kDone ? 0.0 : 1.0,
                              static_cast<double>(c.result)};
    for (double f : fields) {
      napi_value v;
      if (napi_create_double(env, f, &v) != napi_ok ||
          napi_set_element(env, *batch, k++, v) != napi_ok) {
        return false;
      }
    }
  }
  return true;
}

// Plain Node-API calls: this still runs in an environment that is going away (a worker being
// terminated, process exit), where calls fail; node-addon-api would make that a fatal error, and
// the locks and permits the completed waits took must be given back instead.
void DeliverBatch(Napi::Env env, Napi::Function callback, AddonData* data) {
  if (env == nullptr || data->service == nullptr) return;
  std::vector<Completion> done;
  data->service->TakeResults(&done);
  if (done.empty()) return;
  data->pending -= done.size();
  if (data->pending == 0) napi_unref_threadsafe_function(env, data->deliver);
  napi_value batch, recv, ignored;
  if (MakeBatch(env, done, &batch) && napi_get_undefined(env, &recv) == napi_ok) {
    if (napi_call_function(env, recv, callback, 1, &batch, &ignored) == napi_ok) return;
    // The callback ran and threw: the results were delivered.
    bool thrown = false;
    if (napi_is_exception_pending(env, &thrown) == napi_ok && thrown) return;
  }
  UndoAll(&done);
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
  // Fails only in an environment that is going away: there would be nothing to deliver to.
  if (static_cast<napi_threadsafe_function>(data->deliver) == nullptr) {
    return info.Env().Undefined();
  }
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
