// The child side of the channel a parent hands its child on an inherited descriptor: the parent
// writes one length-prefixed job frame, the child may write one report frame back, and the
// parent never writes again. So end-of-file on it means the parent is gone, however it died
// (even SIGKILL), which is what the lifeline watches for.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "status.h"

namespace mp::channel {

// Reads one frame (4-byte little-endian length, then the bytes), blocking the calling thread.
// `*eof` is set when the parent closed the channel before a whole frame arrived.
Status ReadFrame(int fd, size_t max_bytes, std::vector<uint8_t>* out, bool* eof);
// Writes a whole frame, blocking until the kernel took it.
Status WriteFrame(int fd, const uint8_t* data, size_t n);
// Starts a thread that sends this process SIGTERM once the channel reaches end-of-file, then
// SIGKILL if it still runs `grace_ms` later. Also marks `fd` close-on-exec so that programs
// this process runs do not hold the parent's channel open.
Status StartLifeline(int fd, int grace_ms);

}  // namespace mp::channel
