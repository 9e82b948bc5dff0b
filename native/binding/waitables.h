// Builds the Waitable for an operation named by JavaScript, after checking that the segment and
// offset really hold an object of the kind the operation needs. Shared by the blocking (...Sync)
// and the asynchronous entry points so both accept exactly the same arguments.
#pragma once

#include <napi.h>

#include <memory>

#include "../core/waitable.h"

namespace mp::binding {

enum class WaitOp : uint32_t {
  kLock = 0,       // args: thread tag (0 for a plain Lock)
  kRLock = 1,      // args: thread tag
  kSemaphore = 2,
  kBoundedSemaphore = 3,
  kEvent = 4,
  kCondition = 5,  // args: ticket
  kBarrier = 6,    // args: generation
};

// Arguments (op, segment, offset, arg) from index `i`; nullptr with an exception thrown.
std::unique_ptr<Waitable> MakeWaitable(const Napi::CallbackInfo& info, size_t i,
                                       std::shared_ptr<void>* keepalive);

}  // namespace mp::binding
