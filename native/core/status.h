// A result that carries an errno-style code instead of throwing: the core never throws, so the
// binding can turn every failure into one JS error shape in one place.
#pragma once

#include <cerrno>

namespace mp {

struct Status {
  int code = 0;                // 0 on success, otherwise an errno value
  const char* syscall = "";    // the call that failed, for the JS error message

  static Status Ok() { return {}; }
  static Status Err(int code, const char* syscall) { return {code, syscall}; }
  static Status FromErrno(const char* syscall) { return {errno, syscall}; }
  bool ok() const { return code == 0; }
};

}  // namespace mp
