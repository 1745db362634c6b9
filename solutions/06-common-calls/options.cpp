// Lab 06, part 3 — socket options: the reference solution.

#include "options.hpp"

#include <stdexcept>

#include "socklab/system_error.hpp"

namespace socklab::calls {
namespace {

int get_int(int fd, int level, int name) {
  int value = 0;
  socklen_t length = sizeof value;
  check("getsockopt", ::getsockopt(fd, level, name, &value, &length));
  if (length != sizeof value) {
    throw std::length_error("getsockopt: the option is " + std::to_string(length) + " bytes, not an int");
  }
  return value;
}

void set_int(int fd, int level, int name, int value) {
  check("setsockopt", ::setsockopt(fd, level, name, &value, sizeof value));
}

}  // namespace

void set_option(int fd, FlagOption option, bool on) { set_int(fd, option.level, option.name, on ? 1 : 0); }

bool get_option(int fd, FlagOption option) { return get_int(fd, option.level, option.name) != 0; }

void set_option(int fd, SizeOption option, int value) {
  if (value < 0) {
    throw std::invalid_argument("set_option: a size cannot be negative");
  }
  set_int(fd, option.level, option.name, value);
}

int get_option(int fd, SizeOption option) { return get_int(fd, option.level, option.name); }

std::vector<std::uint8_t> get_option_bytes(int fd, int level, int name, std::size_t buffer_length) {
  std::vector<std::uint8_t> bytes(buffer_length);
  auto length = static_cast<socklen_t>(buffer_length);
  check("getsockopt", ::getsockopt(fd, level, name, bytes.data(), &length));
  bytes.resize(length);
  return bytes;
}

}  // namespace socklab::calls
