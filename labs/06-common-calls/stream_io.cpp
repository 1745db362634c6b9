// Lab 06, part 1 — moving bytes over a connection.  Your code goes here; the
// task is in stream_io.hpp.  Each function is a starter stub: it compiles, and
// its tests fail until you replace its body.

#include "stream_io.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>

#include "socklab/system_error.hpp"

namespace socklab::calls {

std::size_t send_some(int fd, std::string_view data, int flags) {
  (void)fd;
  (void)data;
  (void)flags;
  return 0;  // TODO: one ::send
}

void send_all(int fd, std::string_view data, int flags) {
  (void)fd;
  (void)data;
  (void)flags;
  // TODO: ::send until nothing is left
}

std::string receive(int fd, std::size_t max_size, int flags) {
  (void)fd;
  (void)max_size;
  (void)flags;
  return {};  // TODO: one ::recv
}

std::string receive_exact(int fd, std::size_t size) {
  (void)fd;
  (void)size;
  return {};  // TODO: ::recv until size bytes, or EndOfStream
}

void shut_down(int fd, int how) {
  (void)fd;
  (void)how;
  // TODO: ::shutdown
}

}  // namespace socklab::calls
