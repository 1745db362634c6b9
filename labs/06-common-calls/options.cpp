// Lab 06, part 3 — socket options.  Your code goes here; the task is in
// options.hpp.  Each function is a starter stub: it compiles, and its tests
// fail until you replace its body.

#include "options.hpp"

#include <stdexcept>

#include "socklab/system_error.hpp"

namespace socklab::calls {

void set_option(int fd, FlagOption option, bool on) {
  (void)fd;
  (void)option;
  (void)on;
  // TODO: ::setsockopt with an int
}

bool get_option(int fd, FlagOption option) {
  (void)fd;
  (void)option;
  return false;  // TODO: ::getsockopt into an int
}

void set_option(int fd, SizeOption option, int value) {
  (void)fd;
  (void)option;
  (void)value;
  // TODO
}

int get_option(int fd, SizeOption option) {
  (void)fd;
  (void)option;
  return -1;  // TODO
}

std::vector<std::uint8_t> get_option_bytes(int fd, int level, int name, std::size_t buffer_length) {
  (void)fd;
  (void)level;
  (void)name;
  (void)buffer_length;
  return {};  // TODO: ::getsockopt into buffer_length bytes
}

}  // namespace socklab::calls
