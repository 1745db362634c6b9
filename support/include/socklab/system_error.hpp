#pragma once
/// \file
/// Turning a failed system call into an exception that names the call.

#include <string>
#include <system_error>

namespace socklab {

/// Throws `std::system_error` for the current `errno`, its message naming \p call.
/// The exception's `code()` is `{errno, std::system_category()}`, so a caller can
/// test `e.code() == std::errc::connection_refused`; `what()` reads like
/// "connect: Connection refused".
[[noreturn]] void throw_errno(const std::string& call);

/// Returns \p result, or throws like throw_errno(\p call) when it is -1.
/// For the many calls that return -1 and set `errno` on failure.
template <typename T>
T check(const std::string& call, T result) {
  if (result == T(-1)) {
    throw_errno(call);
  }
  return result;
}

}  // namespace socklab
