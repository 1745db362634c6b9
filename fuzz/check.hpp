#pragma once
// What every fuzz target uses to report a broken promise: it prints the
// check, where it is and the input (escaped), then traps, so libFuzzer counts
// a crash and saves the input as crash-<sha1>.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string_view>

namespace socklab::fuzz {

/// The bytes of a libFuzzer input as a string_view.
inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

/// Prints \p what (at \p file:\p line) and \p input, then traps.
[[noreturn]] inline void fail(const char* what, const char* file, int line, std::string_view input) {
  std::fprintf(stderr, "\n==fuzz== check failed at %s:%d: %s\n==fuzz== input (%zu bytes): \"", file, line, what,
               input.size());
  for (const char c : input.substr(0, 600)) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte < 0x7F && byte != '"' && byte != '\\') {
      std::fputc(byte, stderr);
    } else {
      std::fprintf(stderr, "\\x%02x", byte);
    }
  }
  std::fprintf(stderr, "\"%s\n", input.size() > 600 ? " ..." : "");
  __builtin_trap();
}

}  // namespace socklab::fuzz

/// Traps, showing \p input, unless \p condition holds.
#define FUZZ_CHECK(condition, input)                                            \
  do {                                                                          \
    if (!(condition)) {                                                         \
      ::socklab::fuzz::fail(#condition, __FILE__, __LINE__, (input));           \
    }                                                                           \
  } while (false)
