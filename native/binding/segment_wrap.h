// JavaScript's handle on a multiproc segment (an arena of small objects, or a named or large
// object's own segment). The mapping lives as long as this wrap, its ArrayBuffer or any pending
// asynchronous wait still refers to it.
#pragma once

#include <napi.h>

#include <memory>

#include "../core/segment.h"

namespace mp::binding {

class SegmentWrap : public Napi::ObjectWrap<SegmentWrap> {
 public:
  static constexpr napi_type_tag kTypeTag = {0x6d756c746970726fULL, 0x632d7365676d656eULL};
  static constexpr const char* kWrongReceiver = "The receiver must be a multiproc segment";

  static Napi::Function Define(Napi::Env env);
  static Napi::Object Wrap(Napi::Env env, std::shared_ptr<Segment> segment);
  // The wrap behind argument `i`, or nullptr with a TypeError thrown.
  static SegmentWrap* From(const Napi::CallbackInfo& info, size_t i);

  explicit SegmentWrap(const Napi::CallbackInfo& info);

  const std::shared_ptr<Segment>& segment() const { return segment_; }
  // The object of `kind` at the offset in argument `i`, or nullptr with a RangeError thrown.
  void* ObjectArg(const Napi::CallbackInfo& info, size_t i, ObjectKind kind);

 private:
  Napi::Value Buffer(const Napi::CallbackInfo& info);
  Napi::Value Fd(const Napi::CallbackInfo& info);
  Napi::Value Id(const Napi::CallbackInfo& info);
  Napi::Value Size(const Napi::CallbackInfo& info);
  Napi::Value Allocate(const Napi::CallbackInfo& info);
  Napi::Value Retain(const Napi::CallbackInfo& info);
  Napi::Value Release(const Napi::CallbackInfo& info);
  Napi::Value DataInfo(const Napi::CallbackInfo& info);
  Napi::Value Holds(const Napi::CallbackInfo& info);
  Napi::Value WasmMemory(const Napi::CallbackInfo& info);
  Napi::Value LeaseId(const Napi::CallbackInfo& info);
  Napi::Value LeaseAlive(const Napi::CallbackInfo& info);
  Napi::Value TakeSpareLease(const Napi::CallbackInfo& info);
  Napi::Value DropSpareLease(const Napi::CallbackInfo& info);
  Napi::Value IsNamed(const Napi::CallbackInfo& info);

  std::shared_ptr<Segment> segment_;
  Napi::Reference<Napi::ArrayBuffer> buffer_;
};

}  // namespace mp::binding
