// Argument checks for every binding entry point: the TypeScript layer validates first, and these
// make sure nothing a caller hands the native layer directly can crash the process.
#pragma once

#include <napi.h>

#include <cstdint>
#include <string>

namespace mp::binding {

bool ArgUint32(const Napi::CallbackInfo& info, size_t i, const char* name, uint32_t* out);
bool ArgInt32(const Napi::CallbackInfo& info, size_t i, const char* name, int32_t* out);
bool ArgBool(const Napi::CallbackInfo& info, size_t i, const char* name, bool* out);
// Milliseconds (finite, >= 0) or a negative number for "forever"; returned in nanoseconds.
bool ArgTimeout(const Napi::CallbackInfo& info, size_t i, int64_t* out_ns);
bool ArgSize(const Napi::CallbackInfo& info, size_t i, const char* name, size_t max, size_t* out);
// A shared-memory name: non-empty, no '/', no NUL, not too long.
bool ArgName(const Napi::CallbackInfo& info, size_t i, std::string* out);

}  // namespace mp::binding
