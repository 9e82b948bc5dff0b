// Per-environment state of the addon (the main thread and each worker thread get their own),
// released by an environment cleanup hook.
#pragma once

#include <napi.h>

#include <memory>

#include "../core/wait_service.h"

namespace mp::binding {

struct AddonData {
  Napi::FunctionReference segment_ctor;
  Napi::FunctionReference shared_memory_ctor;
  // WebAssembly.Memory and Uint8Array as they were when the addon loaded: segment.wasmMemory()
  // maps over what these made, never over memory that a later patch of the globals hands it.
  // Empty when WebAssembly is disabled (--jitless).
  Napi::FunctionReference wasm_memory_ctor;
  Napi::FunctionReference uint8_array_ctor;
  // Set by init(): delivers completed asynchronous waits to JavaScript.
  Napi::ThreadSafeFunction deliver;
  std::unique_ptr<WaitService> service;
  size_t pending = 0;  // asynchronous waits not yet delivered; the loop stays alive while > 0
};

AddonData* Data(Napi::Env env);

void InitSegment(Napi::Env env, Napi::Object exports, AddonData* data);
void InitSharedMemory(Napi::Env env, Napi::Object exports, AddonData* data);
void InitSyncOps(Napi::Env env, Napi::Object exports);
void InitAsyncOps(Napi::Env env, Napi::Object exports);
void InitProcessControl(Napi::Env env, Napi::Object exports);
void InitParentChannel(Napi::Env env, Napi::Object exports);

}  // namespace mp::binding
