// The one place where a failure becomes a JavaScript error: errno values become an Error with a
// string `code` ("ENOENT", "EPERM", ...), `errno` and `syscall`, like Node's own system errors.
#pragma once

#include <napi.h>

#include "../core/status.h"

namespace mp::binding {

Napi::Error SystemError(Napi::Env env, const Status& status);
void ThrowStatus(Napi::Env env, const Status& status);
void ThrowType(Napi::Env env, const char* message);
void ThrowRange(Napi::Env env, const char* message);
const char* ErrnoName(int code);

}  // namespace mp::binding
