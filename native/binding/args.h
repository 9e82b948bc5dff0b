// Argument checks for every binding entry point: the TypeScript layer validates first, and these
// make sure nothing a caller hands the native layer directly can crash the process.
#pragma once

#include <napi.h>

#include <cstdint>
#include <string>

#include "errors.h"

namespace mp::binding {

// The largest ArrayBuffer the addon can hand out: Node makes external ArrayBuffers as Buffers,
// and for a larger one it fails after already running the finalizer, which node-addon-api then
// runs again (a double free).
constexpr size_t kMaxBufferBytes = size_t{1} << 32;

bool ArgUint32(const Napi::CallbackInfo& info, size_t i, const char* name, uint32_t* out);
bool ArgInt32(const Napi::CallbackInfo& info, size_t i, const char* name, int32_t* out);
// An integer from `lo` to `hi`; a RangeError naming the argument otherwise.
bool ArgInt32In(const Napi::CallbackInfo& info, size_t i, const char* name, int32_t lo,
                int32_t hi, int32_t* out);
bool ArgBool(const Napi::CallbackInfo& info, size_t i, const char* name, bool* out);
// Milliseconds (finite, >= 0) or a negative number for "forever"; returned in nanoseconds.
bool ArgTimeout(const Napi::CallbackInfo& info, size_t i, int64_t* out_ns);
bool ArgSize(const Napi::CallbackInfo& info, size_t i, const char* name, size_t max, size_t* out);
// A shared-memory name: non-empty, no '/', no NUL, not too long.
bool ArgName(const Napi::CallbackInfo& info, size_t i, std::string* out);

// The wrap of class T behind `value`, recognised by T::kTypeTag: napi_unwrap alone returns the
// native object of whichever class wrapped it. nullptr with a TypeError thrown otherwise.
template <typename T>
T* ArgWrap(Napi::Env env, Napi::Value value, const char* message) {
  if (!value.IsObject() || !value.As<Napi::Object>().CheckTypeTag(&T::kTypeTag)) {
    ThrowType(env, message);
    return nullptr;
  }
  return T::Unwrap(value.As<Napi::Object>());
}

// A prototype accessor that checks its receiver before unwrapping it: V8 does that for the
// methods DefineClass makes, but not for its accessors.
template <typename T, Napi::Value (T::*Get)(const Napi::CallbackInfo&)>
Napi::Value CheckedGetter(const Napi::CallbackInfo& info) {
  T* self = ArgWrap<T>(info.Env(), info.This(), T::kWrongReceiver);
  return self == nullptr ? Napi::Value() : (self->*Get)(info);
}

}  // namespace mp::binding
