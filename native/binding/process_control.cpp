// CPU affinity and scheduling priority of any process.
#include <napi.h>

#include <vector>

#include "../core/platform.h"
#include "addon_data.h"
#include "args.h"
#include "errors.h"

namespace mp::binding {
namespace {

// A process id, 0 meaning this process.
bool ArgPid(const Napi::CallbackInfo& info, int32_t* pid) {
  return ArgInt32In(info, 0, "pid", 0, INT32_MAX, pid);
}

Napi::Value SetAffinity(const Napi::CallbackInfo& info) {
  int32_t pid;
  if (!ArgPid(info, &pid)) return info.Env().Undefined();
  if (info.Length() < 2 || !info[1].IsArray()) {
    ThrowType(info.Env(), "The \"cpus\" argument must be an array of CPU numbers");
    return info.Env().Undefined();
  }
  Napi::Array list = info[1].As<Napi::Array>();
  std::vector<int> cpus;
  for (uint32_t i = 0; i < list.Length(); i++) {
    Napi::Value v = list.Get(i);
    double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : -1;
    if (!(d >= 0 && d < platform::MaxCpus() && static_cast<int>(d) == d)) {
      ThrowRange(info.Env(), "The \"cpus\" argument must hold integers from 0 to 1023");
      return info.Env().Undefined();
    }
    cpus.push_back(static_cast<int>(d));
  }
  if (cpus.empty()) {
    ThrowRange(info.Env(), "The \"cpus\" argument must name at least one CPU");
    return info.Env().Undefined();
  }
  Status s = platform::SetAffinity(pid, cpus);
  if (!s.ok()) ThrowStatus(info.Env(), s);
  return info.Env().Undefined();
}

Napi::Value GetAffinity(const Napi::CallbackInfo& info) {
  int32_t pid;
  if (!ArgPid(info, &pid)) return info.Env().Undefined();
  std::vector<int> cpus;
  Status s = platform::GetAffinity(pid, &cpus);
  if (!s.ok()) {
    ThrowStatus(info.Env(), s);
    return info.Env().Undefined();
  }
  Napi::Array out = Napi::Array::New(info.Env(), cpus.size());
  for (size_t i = 0; i < cpus.size(); i++) {
    out.Set(static_cast<uint32_t>(i), Napi::Number::New(info.Env(), cpus[i]));
  }
  return out;
}

Napi::Value SetPriority(const Napi::CallbackInfo& info) {
  int32_t pid, nice;
  if (!ArgPid(info, &pid) || !ArgInt32In(info, 1, "nice", -20, 19, &nice)) {
    return info.Env().Undefined();
  }
  Status s = platform::SetPriority(pid, nice);
  if (!s.ok()) ThrowStatus(info.Env(), s);
  return info.Env().Undefined();
}

Napi::Value GetPriority(const Napi::CallbackInfo& info) {
  int32_t pid;
  if (!ArgPid(info, &pid)) return info.Env().Undefined();
  int nice = 0;
  Status s = platform::GetPriority(pid, &nice);
  if (!s.ok()) {
    ThrowStatus(info.Env(), s);
    return info.Env().Undefined();
  }
  return Napi::Number::New(info.Env(), nice);
}

// currentThreadId(): the kernel id of the calling thread (RLock records its holder by it).
Napi::Value CurrentThreadId(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), platform::CurrentThreadId());
}

}  // namespace

void InitProcessControl(Napi::Env env, Napi::Object exports) {
  exports.Set("setAffinity", Napi::Function::New<SetAffinity>(env, "setAffinity"));
  exports.Set("getAffinity", Napi::Function::New<GetAffinity>(env, "getAffinity"));
  exports.Set("setPriority", Napi::Function::New<SetPriority>(env, "setPriority"));
  exports.Set("getPriority", Napi::Function::New<GetPriority>(env, "getPriority"));
  exports.Set("currentThreadId", Napi::Function::New<CurrentThreadId>(env, "currentThreadId"));
}

}  // namespace mp::binding
