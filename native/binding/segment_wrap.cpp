#include "segment_wrap.h"

#include <string>

#include "../core/objects.h"
#include "addon_data.h"
#include "args.h"
#include "errors.h"

namespace mp::binding {
namespace {

constexpr size_t kArenaBytes = size_t{4} << 20;
constexpr size_t kWasmPageBytes = size_t{64} << 10;
constexpr size_t kMaxWasmPages = size_t{1} << 16;

bool ArgKind(const Napi::CallbackInfo& info, size_t i, ObjectKind* out) {
  uint32_t kind;
  if (!ArgUint32(info, i, "kind", &kind)) return false;
  if (kind < static_cast<uint32_t>(ObjectKind::kLock) ||
      kind > static_cast<uint32_t>(ObjectKind::kData)) {
    ThrowRange(info.Env(), "The \"kind\" argument is not an object kind");
    return false;
  }
  *out = static_cast<ObjectKind>(kind);
  return true;
}

// Parameters the primitives' code relies on: a semaphore never above its maximum nor above what
// a signed 32-bit word holds (JavaScript reads it as one), a barrier of at least one party.
bool CheckParams(Napi::Env env, ObjectKind kind, const ObjectParams& p) {
  switch (kind) {
    case ObjectKind::kSemaphore:
    case ObjectKind::kBoundedSemaphore:
      if (p.b > kSemaphoreMax || p.a > p.b) {
        ThrowRange(env, "The semaphore's value (\"a\") and maximum (\"b\") must satisfy "
                        "0 <= a <= b <= 2147483647");
        return false;
      }
      return true;
    case ObjectKind::kBarrier:
      if (p.a < 1 || p.a > 0x7fffffffu) {
        ThrowRange(env, "The barrier's parties (\"a\") must be an integer from 1 to 2147483647");
        return false;
      }
      return true;
    default:
      return true;
  }
}

// Arguments (kind, a, b, elementSize, withLock, initial?) starting at `i`.
bool ArgObjectSpec(const Napi::CallbackInfo& info, size_t i, ObjectKind* kind, ObjectParams* p,
                   bool* with_lock) {
  if (!ArgKind(info, i, kind) || !ArgUint32(info, i + 1, "a", &p->a) ||
      !ArgUint32(info, i + 2, "b", &p->b) ||
      !ArgUint32(info, i + 3, "elementSize", &p->element_size) ||
      !ArgBool(info, i + 4, "withLock", with_lock)) {
    return false;
  }
  if (!info[i + 5].IsUndefined()) {
    if (!info[i + 5].IsTypedArray() ||
        info[i + 5].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
      ThrowType(info.Env(), "The \"initial\" argument must be a Uint8Array");
      return false;
    }
    // The view's own data pointer: its buffer may be a SharedArrayBuffer, which has no
    // ArrayBuffer data to offset from.
    Napi::Uint8Array t = info[i + 5].As<Napi::Uint8Array>();
    p->initial = t.Data();
    p->initial_bytes = t.ByteLength();
  }
  if (!CheckParams(info.Env(), *kind, *p)) return false;
  if (ObjectBytes(*kind, *p) == 0) {
    ThrowRange(info.Env(), "The object is too large");
    return false;
  }
  return true;
}

size_t BlockBytes(ObjectKind kind, const ObjectParams& p, bool with_lock) {
  return ObjectBytes(kind, p) + (with_lock ? kEmbeddedLockBytes : 0);
}

// Lays out [RLock]? [object] from `first`; returns the object's offset.
uint32_t Lay(Segment* seg, uint32_t first, ObjectKind kind, const ObjectParams& p,
             bool with_lock) {
  uint32_t at = first;
  if (with_lock) {
    InitObject(seg->base() + at, ObjectKind::kRLock, ObjectParams{});
    at += static_cast<uint32_t>(kEmbeddedLockBytes);
  }
  InitObject(seg->base() + at, kind, p);
  return at;
}

Napi::Value Placed(Napi::Env env, Napi::Value segment, uint32_t first, uint32_t object,
                   bool with_lock, bool created) {
  Napi::Object result = Napi::Object::New(env);
  result.Set("segment", segment);
  result.Set("offset", Napi::Number::New(env, object));
  result.Set("lockOffset", with_lock ? Napi::Number::New(env, first) : env.Null());
  result.Set("created", Napi::Boolean::New(env, created));
  return result;
}

// Whether JavaScript can be given the whole segment as one ArrayBuffer (a file that someone
// else made may be of any size); throws EFBIG if not.
bool Mappable(Napi::Env env, const Segment& seg) {
  if (seg.size() <= kMaxBufferBytes) return true;
  ThrowStatus(env, Status::Err(EFBIG, "mmap"));
  return false;
}

Napi::Value CreateArena(const Napi::CallbackInfo& info) {
  size_t bytes = kArenaBytes;
  if (info.Length() > 0 && !info[0].IsUndefined() &&
      !ArgSize(info, 0, "bytes", size_t{0xffff0000u} - kSegmentHeaderSize, &bytes)) {
    return info.Env().Undefined();
  }
  Segment* seg = nullptr;
  Status s = Segment::CreateAnonymous(bytes < kArenaBytes ? kArenaBytes : bytes, &seg);
  if (!s.ok()) {
    ThrowStatus(info.Env(), s);
    return info.Env().Undefined();
  }
  return SegmentWrap::Wrap(info.Env(), std::shared_ptr<Segment>(seg));
}

Napi::Value ReopenArena(const Napi::CallbackInfo& info) {
  int32_t pid, fd;
  if (!ArgInt32(info, 0, "pid", &pid) || !ArgInt32(info, 1, "fd", &fd)) {
    return info.Env().Undefined();
  }
  if (info.Length() < 3 || !info[2].IsBuffer() || info[2].As<Napi::Buffer<uint8_t>>().Length() != 16) {
    ThrowType(info.Env(), "The \"id\" argument must be a 16-byte Buffer");
    return info.Env().Undefined();
  }
  if (pid <= 0 || fd < 0) {
    ThrowRange(info.Env(), "The \"pid\" and \"fd\" arguments must be positive");
    return info.Env().Undefined();
  }
  Segment* seg = nullptr;
  Status s = Segment::Reopen(pid, fd, info[2].As<Napi::Buffer<uint8_t>>().Data(), &seg);
  if (!s.ok()) {
    ThrowStatus(info.Env(), s);
    return info.Env().Undefined();
  }
  std::shared_ptr<Segment> owned(seg);
  if (!Mappable(info.Env(), *owned)) return info.Env().Undefined();
  return SegmentWrap::Wrap(info.Env(), owned);
}

struct NamedInit {
  ObjectKind kind;
  ObjectParams params;
  bool with_lock;
};

// openNamed(name, kind, a, b, elementSize, withLock, initial?)
Napi::Value OpenNamed(const Napi::CallbackInfo& info) {
  std::string name;
  NamedInit init;
  if (!ArgName(info, 0, &name) || !ArgObjectSpec(info, 1, &init.kind, &init.params, &init.with_lock)) {
    return info.Env().Undefined();
  }
  Segment* seg = nullptr;
  bool created = false;
  auto run_init = [](void* first, const void* arg) {
    const auto* n = static_cast<const NamedInit*>(arg);
    uint8_t* at = static_cast<uint8_t*>(first);
    if (n->with_lock) {
      InitObject(at, ObjectKind::kRLock, ObjectParams{});
      at += kEmbeddedLockBytes;
    }
    InitObject(at, n->kind, n->params);
  };
  Status s = Segment::OpenOrCreateNamed(name.c_str(), BlockBytes(init.kind, init.params, init.with_lock),
                                        run_init, &init, &created, &seg);
  if (!s.ok()) {
    ThrowStatus(info.Env(), s);
    return info.Env().Undefined();
  }
  std::shared_ptr<Segment> owned(seg);
  if (!Mappable(info.Env(), *owned)) return info.Env().Undefined();
  uint32_t first = Segment::kFirstObject;
  uint32_t object = first + (init.with_lock ? static_cast<uint32_t>(kEmbeddedLockBytes) : 0);
  if (seg->Object(object, init.kind) == nullptr ||
      (init.with_lock && seg->Object(first, ObjectKind::kRLock) == nullptr)) {
    ThrowStatus(info.Env(), Status::Err(EILSEQ, "open"));
    return info.Env().Undefined();
  }
  Napi::Object wrap = SegmentWrap::Wrap(info.Env(), owned);
  return Placed(info.Env(), wrap, first, object, init.with_lock, created);
}

Napi::Value UnlinkNamed(const Napi::CallbackInfo& info) {
  std::string name;
  if (!ArgName(info, 0, &name)) return info.Env().Undefined();
  Status s = platform::UnlinkNamed(name.c_str());
  if (!s.ok()) ThrowStatus(info.Env(), s);
  return info.Env().Undefined();
}

}  // namespace

Napi::Function SegmentWrap::Define(Napi::Env env) {
  Napi::Function ctor = DefineClass(env, "Segment",
                                    {
                                        InstanceMethod<&SegmentWrap::Allocate>("allocate"),
                                        InstanceMethod<&SegmentWrap::Retain>("retain"),
                                        InstanceMethod<&SegmentWrap::Release>("release"),
                                        InstanceMethod<&SegmentWrap::DataInfo>("dataInfo"),
                                        InstanceMethod<&SegmentWrap::Holds>("holds"),
                                        InstanceMethod<&SegmentWrap::WasmMemory>("wasmMemory"),
                                        InstanceMethod<&SegmentWrap::LeaseAlive>("leaseAlive"),
                                        InstanceMethod<&SegmentWrap::TakeSpareLease>("takeSpareLease"),
                                        InstanceMethod<&SegmentWrap::DropSpareLease>("dropSpareLease"),
                                        InstanceMethod<&SegmentWrap::IsNamed>("isNamed"),
                                    });
  using P = Napi::PropertyDescriptor;
  ctor.Get("prototype").As<Napi::Object>().DefineProperties({
      P::Accessor<CheckedGetter<SegmentWrap, &SegmentWrap::Buffer>>("buffer"),
      P::Accessor<CheckedGetter<SegmentWrap, &SegmentWrap::Fd>>("fd"),
      P::Accessor<CheckedGetter<SegmentWrap, &SegmentWrap::Id>>("id"),
      P::Accessor<CheckedGetter<SegmentWrap, &SegmentWrap::Size>>("size"),
      P::Accessor<CheckedGetter<SegmentWrap, &SegmentWrap::LeaseId>>("lease"),
  });
  return ctor;
}

Napi::Object SegmentWrap::Wrap(Napi::Env env, std::shared_ptr<Segment> segment) {
  auto* holder = new std::shared_ptr<Segment>(std::move(segment));
  return Data(env)->segment_ctor.New({Napi::External<std::shared_ptr<Segment>>::New(
      env, holder, [](Napi::Env, std::shared_ptr<Segment>* h) { delete h; })});
}

SegmentWrap::SegmentWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<SegmentWrap>(info) {
  if (info.Length() != 1 || !info[0].IsExternal()) {
    ThrowType(info.Env(), "Segment objects are made by the multiproc binding only");
    return;
  }
  segment_ = *info[0].As<Napi::External<std::shared_ptr<Segment>>>().Data();
  info.This().As<Napi::Object>().TypeTag(&kTypeTag);
  // The ArrayBuffer holds its own reference: JavaScript may keep a view after the wrap is gone.
  auto* hold = new std::shared_ptr<Segment>(segment_);
  Napi::ArrayBuffer ab = Napi::ArrayBuffer::New(
      info.Env(), segment_->base(), segment_->size(),
      [](Napi::Env, void*, std::shared_ptr<Segment>* h) { delete h; }, hold);
  buffer_ = Napi::Persistent(ab);
}

SegmentWrap* SegmentWrap::From(const Napi::CallbackInfo& info, size_t i) {
  return ArgWrap<SegmentWrap>(info.Env(), info[i],
                              "The \"segment\" argument must be a multiproc segment");
}

void* SegmentWrap::ObjectArg(const Napi::CallbackInfo& info, size_t i, ObjectKind kind) {
  uint32_t offset;
  if (!ArgUint32(info, i, "offset", &offset)) return nullptr;
  void* state = segment_->Object(offset, kind);
  if (state == nullptr) {
    ThrowRange(info.Env(), "The \"offset\" argument does not point at an object of that kind");
  }
  return state;
}

Napi::Value SegmentWrap::Buffer(const Napi::CallbackInfo&) { return buffer_.Value(); }
Napi::Value SegmentWrap::Fd(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), segment_->fd());
}
Napi::Value SegmentWrap::Id(const Napi::CallbackInfo& info) {
  return Napi::Buffer<uint8_t>::Copy(info.Env(), segment_->id(), 16);
}
Napi::Value SegmentWrap::Size(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(segment_->size()));
}

Napi::Value SegmentWrap::LeaseId(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), segment_->lease().id());
}

// leaseAlive(id) -> false only when no live mapping holds lease `id` of this segment
Napi::Value SegmentWrap::LeaseAlive(const Napi::CallbackInfo& info) {
  uint32_t id;
  if (!ArgUint32(info, 0, "id", &id)) return info.Env().Undefined();
  return Napi::Boolean::New(info.Env(), segment_->lease().Alive(id & kLeaseIdMask));
}

// takeSpareLease() -> a new lease id held by this process until dropSpareLease(id)
Napi::Value SegmentWrap::TakeSpareLease(const Napi::CallbackInfo& info) {
  uint32_t id = 0;
  Status s = segment_->lease().TakeSpare(&id);
  if (!s.ok()) {
    ThrowStatus(info.Env(), s);
    return info.Env().Undefined();
  }
  return Napi::Number::New(info.Env(), id);
}

// dropSpareLease(id) -> false if `id` is not a spare lease this process holds
Napi::Value SegmentWrap::DropSpareLease(const Napi::CallbackInfo& info) {
  uint32_t id;
  if (!ArgUint32(info, 0, "id", &id)) return info.Env().Undefined();
  return Napi::Boolean::New(info.Env(), segment_->lease().DropSpare(id));
}

// isNamed(name) -> whether `name` still names this very segment (it may have been unlinked,
// and the name given to another)
Napi::Value SegmentWrap::IsNamed(const Napi::CallbackInfo& info) {
  std::string name;
  if (!ArgName(info, 0, &name)) return info.Env().Undefined();
  return Napi::Boolean::New(info.Env(), platform::NamedIs(segment_->mapping(), name.c_str()));
}

// allocate(kind, a, b, elementSize, withLock, initial?) -> placement, or null when full
Napi::Value SegmentWrap::Allocate(const Napi::CallbackInfo& info) {
  ObjectKind kind;
  ObjectParams p;
  bool with_lock;
  if (!ArgObjectSpec(info, 0, &kind, &p, &with_lock)) return info.Env().Undefined();
  uint32_t first = segment_->Allocate(BlockBytes(kind, p, with_lock));
  if (first == 0) return info.Env().Null();
  uint32_t object = Lay(segment_.get(), first, kind, p, with_lock);
  return Placed(info.Env(), Value(), first, object, with_lock, true);
}

Napi::Value SegmentWrap::Retain(const Napi::CallbackInfo& info) {
  uint32_t offset;
  if (!ArgUint32(info, 0, "offset", &offset)) return info.Env().Undefined();
  return Napi::Boolean::New(info.Env(), segment_->Retain(offset));
}

Napi::Value SegmentWrap::Release(const Napi::CallbackInfo& info) {
  uint32_t offset;
  if (!ArgUint32(info, 0, "offset", &offset)) return info.Env().Undefined();
  return Napi::Boolean::New(info.Env(), segment_->Release(offset));
}

// dataInfo(offset) -> [typecode, length] of a Value's or Array's bytes
Napi::Value SegmentWrap::DataInfo(const Napi::CallbackInfo& info) {
  auto* d = static_cast<DataState*>(ObjectArg(info, 0, ObjectKind::kData));
  if (d == nullptr) return info.Env().Undefined();
  Napi::Array out = Napi::Array::New(info.Env(), 2);
  out.Set(0u, Napi::Number::New(info.Env(), d->typecode));
  out.Set(1u, Napi::Number::New(info.Env(), d->length));
  return out;
}

// holds(offset, kind) -> whether an object of `kind` is at `offset`: a handle from another
// process may name any offset.
Napi::Value SegmentWrap::Holds(const Napi::CallbackInfo& info) {
  uint32_t offset;
  ObjectKind kind;
  if (!ArgUint32(info, 0, "offset", &offset) || !ArgKind(info, 1, &kind)) {
    return info.Env().Undefined();
  }
  return Napi::Boolean::New(info.Env(), segment_->Object(offset, kind) != nullptr);
}

// wasmMemory() -> a new WebAssembly.Memory whose first bytes are this segment, for the locks'
// WebAssembly fast path (lib/sync/word_ops.ts). The segment's file is mapped over the start of
// a fresh shared memory that cannot grow: V8 never changes the protection of those pages, and
// when it frees the memory it unmaps its whole reservation, this mapping included. Throws when
// that cannot be done (segment size, WebAssembly disabled, no address space left).
Napi::Value SegmentWrap::WasmMemory(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  AddonData* data = Data(env);
  const size_t size = segment_->size();
  const size_t pages = (size + kWasmPageBytes - 1) / kWasmPageBytes;
  if (data->wasm_memory_ctor.IsEmpty() || size % platform::PageSize() != 0 ||
      pages > kMaxWasmPages) {
    ThrowStatus(env, Status::Err(ENOTSUP, "mmap"));
    return env.Undefined();
  }
  Napi::Object desc = Napi::Object::New(env);
  desc.Set("initial", Napi::Number::New(env, static_cast<double>(pages)));
  desc.Set("maximum", Napi::Number::New(env, static_cast<double>(pages)));
  desc.Set("shared", Napi::Boolean::New(env, true));
  Napi::Object memory = data->wasm_memory_ctor.New({desc});
  // Empty without an exception when this environment is going away.
  if (memory.IsEmpty() || env.IsExceptionPending()) return env.Undefined();
  Napi::Value view = data->uint8_array_ctor.New({memory.Get("buffer")});
  if (env.IsExceptionPending()) return env.Undefined();
  napi_typedarray_type type;
  size_t length = 0;
  void* addr = nullptr;
  napi_status st = napi_get_typedarray_info(env, view, &type, &length, &addr, nullptr, nullptr);
  // A fresh reservation starts on a page; anything else means the memory is not what it seems.
  if (st != napi_ok || type != napi_uint8_array || length != pages * kWasmPageBytes ||
      reinterpret_cast<uintptr_t>(addr) % platform::PageSize() != 0) {
    ThrowStatus(env, Status::Err(ENOTSUP, "mmap"));
    return env.Undefined();
  }
  Status s = platform::MapOver(segment_->fd(), addr, size);
  if (!s.ok()) {
    ThrowStatus(env, s);
    return env.Undefined();
  }
  return memory;
}

void InitSegment(Napi::Env env, Napi::Object exports, AddonData* data) {
  data->segment_ctor = Napi::Persistent(SegmentWrap::Define(env));
  Napi::Object global = env.Global();
  Napi::Value wasm = global.Get("WebAssembly");
  Napi::Value memory = wasm.IsObject() ? wasm.As<Napi::Object>().Get("Memory") : env.Undefined();
  if (memory.IsFunction()) {
    data->wasm_memory_ctor = Napi::Persistent(memory.As<Napi::Function>());
    data->uint8_array_ctor = Napi::Persistent(global.Get("Uint8Array").As<Napi::Function>());
  }
  exports.Set("createArena", Napi::Function::New<CreateArena>(env, "createArena"));
  exports.Set("reopenArena", Napi::Function::New<ReopenArena>(env, "reopenArena"));
  exports.Set("openNamed", Napi::Function::New<OpenNamed>(env, "openNamed"));
  exports.Set("unlinkNamed", Napi::Function::New<UnlinkNamed>(env, "unlinkNamed"));
}

}  // namespace mp::binding
