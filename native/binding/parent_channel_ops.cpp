// A child process's side of its parent channel (see core/parent_channel.h), and the check that
// a process still runs, for Process.isAlive() before the exit event has been delivered.
#include <napi.h>

#include <vector>

#include "../core/parent_channel.h"
#include "../core/platform.h"
#include "addon_data.h"
#include "args.h"
#include "errors.h"

namespace mp::binding {
namespace {

// Frames carry a job's arguments; large ones are allowed, absurd lengths are not.
constexpr size_t kMaxFrameBytes = size_t{1} << 31;

bool ArgFd(const Napi::CallbackInfo& info, int32_t* fd) {
  return ArgInt32In(info, 0, "fd", 0, INT32_MAX, fd);
}

// readParentFrame(fd): Buffer, or null when the parent closed the channel first. Blocks.
Napi::Value ReadParentFrame(const Napi::CallbackInfo& info) {
  int32_t fd;
  if (!ArgFd(info, &fd)) return info.Env().Undefined();
  std::vector<uint8_t> frame;
  bool eof = false;
  Status s = channel::ReadFrame(fd, kMaxFrameBytes, &frame, &eof);
  if (!s.ok()) {
    ThrowStatus(info.Env(), s);
    return info.Env().Undefined();
  }
  if (eof) return info.Env().Null();
  return Napi::Buffer<uint8_t>::Copy(info.Env(), frame.data(), frame.size());
}

// writeParentFrame(fd, bytes). Blocks until written.
Napi::Value WriteParentFrame(const Napi::CallbackInfo& info) {
  int32_t fd;
  if (!ArgFd(info, &fd)) return info.Env().Undefined();
  if (info.Length() < 2 || !info[1].IsTypedArray() ||
      info[1].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    ThrowType(info.Env(), "The \"bytes\" argument must be a Uint8Array");
    return info.Env().Undefined();
  }
  Napi::Uint8Array bytes = info[1].As<Napi::Uint8Array>();
  Status s = channel::WriteFrame(fd, bytes.Data(), bytes.ByteLength());
  if (!s.ok()) ThrowStatus(info.Env(), s);
  return info.Env().Undefined();
}

// startLifeline(fd, graceMs)
Napi::Value StartLifeline(const Napi::CallbackInfo& info) {
  int32_t fd, grace_ms;
  if (!ArgFd(info, &fd) || !ArgInt32In(info, 1, "graceMs", 0, INT32_MAX, &grace_ms)) {
    return info.Env().Undefined();
  }
  Status s = channel::StartLifeline(fd, grace_ms);
  if (!s.ok()) ThrowStatus(info.Env(), s);
  return info.Env().Undefined();
}

// processAlive(pid): false once `pid` has exited, even while it waits to be reaped.
Napi::Value ProcessAlive(const Napi::CallbackInfo& info) {
  int32_t pid;
  if (!ArgInt32In(info, 0, "pid", 1, INT32_MAX, &pid)) return info.Env().Undefined();
  return Napi::Boolean::New(info.Env(), platform::ProcessAlive(pid));
}

}  // namespace

void InitParentChannel(Napi::Env env, Napi::Object exports) {
  exports.Set("readParentFrame", Napi::Function::New<ReadParentFrame>(env, "readParentFrame"));
  exports.Set("writeParentFrame", Napi::Function::New<WriteParentFrame>(env, "writeParentFrame"));
  exports.Set("startLifeline", Napi::Function::New<StartLifeline>(env, "startLifeline"));
  exports.Set("processAlive", Napi::Function::New<ProcessAlive>(env, "processAlive"));
}

}  // namespace mp::binding
