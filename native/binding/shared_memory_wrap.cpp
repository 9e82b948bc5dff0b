// SharedMemory: a plain named segment in the namespace Python's multiprocessing.shared_memory
// uses, with no multiproc header, so either language can create it and the other attach.
// close() detaches the ArrayBuffer before unmapping, so a stale view reads nothing instead of
// faulting.
#include <napi.h>

#include <memory>
#include <string>

#include "../core/platform.h"
#include "addon_data.h"
#include "args.h"
#include "errors.h"

namespace mp::binding {
namespace {

struct Mapped {
  platform::Mapping map;
  ~Mapped() { platform::Unmap(&map); }
};

class SharedMemoryWrap : public Napi::ObjectWrap<SharedMemoryWrap> {
 public:
  static constexpr napi_type_tag kTypeTag = {0x6d756c746970726fULL, 0x632d73686d6d6170ULL};
  static constexpr const char* kWrongReceiver =
      "The receiver must be a multiproc SharedMemory mapping";

  static Napi::Function Define(Napi::Env env) {
    Napi::Function ctor = DefineClass(env, "SharedMemoryMapping",
                                      {InstanceMethod<&SharedMemoryWrap::Close>("close")});
    using P = Napi::PropertyDescriptor;
    ctor.Get("prototype").As<Napi::Object>().DefineProperties({
        P::Accessor<CheckedGetter<SharedMemoryWrap, &SharedMemoryWrap::Buffer>>("buffer"),
        P::Accessor<CheckedGetter<SharedMemoryWrap, &SharedMemoryWrap::Size>>("size"),
    });
    return ctor;
  }

  explicit SharedMemoryWrap(const Napi::CallbackInfo& info)
      : Napi::ObjectWrap<SharedMemoryWrap>(info) {
    if (info.Length() != 1 || !info[0].IsExternal()) {
      ThrowType(info.Env(), "SharedMemory mappings are made by the multiproc binding only");
      return;
    }
    mapped_ = *info[0].As<Napi::External<std::shared_ptr<Mapped>>>().Data();
    size_ = mapped_->map.size;
    info.This().As<Napi::Object>().TypeTag(&kTypeTag);
    auto* hold = new std::shared_ptr<Mapped>(mapped_);
    Napi::ArrayBuffer ab = Napi::ArrayBuffer::New(
        info.Env(), mapped_->map.addr, mapped_->map.size,
        [](Napi::Env, void*, std::shared_ptr<Mapped>* h) { delete h; }, hold);
    buffer_ = Napi::Persistent(ab);
  }

 private:
  Napi::Value Buffer(const Napi::CallbackInfo& info) {
    if (buffer_.IsEmpty()) return info.Env().Null();
    return buffer_.Value();
  }
  Napi::Value Size(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(size_));
  }
  Napi::Value Close(const Napi::CallbackInfo& info) {
    if (!buffer_.IsEmpty()) {
      Napi::ArrayBuffer ab = buffer_.Value();
      if (!ab.IsDetached()) ab.Detach();
      buffer_.Reset();
    }
    mapped_.reset();
    return info.Env().Undefined();
  }

  std::shared_ptr<Mapped> mapped_;
  size_t size_ = 0;
  Napi::Reference<Napi::ArrayBuffer> buffer_;
};

Napi::Value WrapMapping(Napi::Env env, const platform::Mapping& m) {
  auto mapped = std::make_shared<Mapped>();
  mapped->map = m;
  // Python, or anyone, may have made it larger than an ArrayBuffer can be.
  if (m.size > kMaxBufferBytes) {
    ThrowStatus(env, Status::Err(EFBIG, "mmap"));
    return env.Undefined();
  }
  auto* holder = new std::shared_ptr<Mapped>(mapped);
  return Data(env)->shared_memory_ctor.New({Napi::External<std::shared_ptr<Mapped>>::New(
      env, holder, [](Napi::Env, std::shared_ptr<Mapped>* h) { delete h; })});
}

// createSharedMemory(name, size) -> mapping; EEXIST when the name is taken
Napi::Value CreateSharedMemory(const Napi::CallbackInfo& info) {
  std::string name;
  size_t size;
  if (!ArgName(info, 0, &name) || !ArgSize(info, 1, "size", kMaxBufferBytes, &size)) {
    return info.Env().Undefined();
  }
  platform::Mapping m;
  Status s = platform::CreateNamed(name.c_str(), size, true, &m);
  if (!s.ok()) {
    ThrowStatus(info.Env(), s);
    return info.Env().Undefined();
  }
  return WrapMapping(info.Env(), m);
}

// openSharedMemory(name) -> mapping of the whole segment
Napi::Value OpenSharedMemory(const Napi::CallbackInfo& info) {
  std::string name;
  if (!ArgName(info, 0, &name)) return info.Env().Undefined();
  platform::Mapping m;
  Status s = platform::OpenNamed(name.c_str(), &m);
  if (!s.ok()) {
    ThrowStatus(info.Env(), s);
    return info.Env().Undefined();
  }
  return WrapMapping(info.Env(), m);
}

}  // namespace

void InitSharedMemory(Napi::Env env, Napi::Object exports, AddonData* data) {
  data->shared_memory_ctor = Napi::Persistent(SharedMemoryWrap::Define(env));
  exports.Set("createSharedMemory", Napi::Function::New<CreateSharedMemory>(env));
  exports.Set("openSharedMemory", Napi::Function::New<OpenSharedMemory>(env));
}

}  // namespace mp::binding
