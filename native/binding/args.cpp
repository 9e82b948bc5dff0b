#include "args.h"

#include <cmath>
#include <string>

#include "../core/platform.h"
#include "errors.h"

namespace mp::binding {
namespace {

bool ArgNumber(const Napi::CallbackInfo& info, size_t i, const char* name, double* out) {
  if (i >= info.Length() || !info[i].IsNumber()) {
    ThrowType(info.Env(), (std::string("The \"") + name + "\" argument must be a number").c_str());
    return false;
  }
  *out = info[i].As<Napi::Number>().DoubleValue();
  return true;
}

bool InRange(const Napi::CallbackInfo& info, const char* name, double v, double lo, double hi) {
  if (std::isfinite(v) && std::floor(v) == v && v >= lo && v <= hi) return true;
  ThrowRange(info.Env(), (std::string("The \"") + name + "\" argument must be an integer from " +
                          std::to_string(static_cast<long long>(lo)) + " to " +
                          std::to_string(static_cast<long long>(hi)))
                             .c_str());
  return false;
}

}  // namespace

bool ArgUint32(const Napi::CallbackInfo& info, size_t i, const char* name, uint32_t* out) {
  double v;
  if (!ArgNumber(info, i, name, &v) || !InRange(info, name, v, 0, 4294967295.0)) return false;
  *out = static_cast<uint32_t>(v);
  return true;
}

bool ArgInt32(const Napi::CallbackInfo& info, size_t i, const char* name, int32_t* out) {
  return ArgInt32In(info, i, name, INT32_MIN, INT32_MAX, out);
}

bool ArgInt32In(const Napi::CallbackInfo& info, size_t i, const char* name, int32_t lo,
                int32_t hi, int32_t* out) {
  double v;
  if (!ArgNumber(info, i, name, &v) || !InRange(info, name, v, lo, hi)) return false;
  *out = static_cast<int32_t>(v);
  return true;
}

bool ArgBool(const Napi::CallbackInfo& info, size_t i, const char* name, bool* out) {
  if (i >= info.Length() || !info[i].IsBoolean()) {
    ThrowType(info.Env(), (std::string("The \"") + name + "\" argument must be a boolean").c_str());
    return false;
  }
  *out = info[i].As<Napi::Boolean>().Value();
  return true;
}

bool ArgTimeout(const Napi::CallbackInfo& info, size_t i, int64_t* out_ns) {
  double ms;
  if (!ArgNumber(info, i, "timeout", &ms)) return false;
  if (std::isnan(ms)) {
    ThrowRange(info.Env(), "The \"timeout\" argument must be a number of milliseconds >= 0");
    return false;
  }
  if (ms < 0 || ms > 9.0e12) {
    *out_ns = -1;  // forever (over 280 years is forever too)
  } else {
    *out_ns = static_cast<int64_t>(ms * 1e6);
  }
  return true;
}

bool ArgSize(const Napi::CallbackInfo& info, size_t i, const char* name, size_t max, size_t* out) {
  double v;
  if (!ArgNumber(info, i, name, &v) || !InRange(info, name, v, 1, static_cast<double>(max))) {
    return false;
  }
  *out = static_cast<size_t>(v);
  return true;
}

bool ArgName(const Napi::CallbackInfo& info, size_t i, std::string* out) {
  if (i >= info.Length() || !info[i].IsString()) {
    ThrowType(info.Env(), "The \"name\" argument must be a string");
    return false;
  }
  std::string name = info[i].As<Napi::String>().Utf8Value();
  if (name.empty() || name.size() > platform::MaxNameLength() ||
      name.find('/') != std::string::npos || name.find('\0') != std::string::npos) {
    ThrowRange(info.Env(),
               "The \"name\" argument must be 1 to 254 bytes with no '/' or NUL characters");
    return false;
  }
  *out = std::move(name);
  return true;
}

}  // namespace mp::binding
