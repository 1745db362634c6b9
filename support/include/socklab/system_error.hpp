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
/// \param call  the name of the system call that failed, as in "connect".
/// \throws std::system_error always.
[[noreturn]] void throw_errno(const std::string& call);

/// Returns \p result, or throws like throw_errno(\p call) when it is -1.
/// For the many calls that return -1 and set `errno` on failure.
/// \tparam T  the call's result type (`int`, `ssize_t`, …).
/// \param call  the name of the system call, for the exception's message.
/// \param result  what the call returned.
/// \return \p result, unchanged, when it is not -1.
/// \throws std::system_error for the current `errno` when \p result is -1.
template <typename T>
T check(const std::string& call, T result) {
  if (result == T(-1)) {
    throw_errno(call);
  }
  return result;
}

}  // namespace socklab
