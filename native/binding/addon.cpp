// Module entry: one AddonData per environment, released when the environment goes away.
#include <napi.h>

#include "addon_data.h"

namespace mp::binding {

AddonData* Data(Napi::Env env) { return env.GetInstanceData<AddonData>(); }

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  auto* data = new AddonData();
  env.SetInstanceData<AddonData>(data);
  InitSegment(env, exports, data);
  InitSharedMemory(env, exports, data);
  InitSyncOps(env, exports);
  InitAsyncOps(env, exports);
  InitProcessControl(env, exports);
  InitParentChannel(env, exports);
  return exports;
}

}  // namespace mp::binding

static Napi::Object InitMultiproc(Napi::Env env, Napi::Object exports) {
  return mp::binding::Init(env, exports);
}

NODE_API_MODULE(multiproc, InitMultiproc)
