// Lab 03, part 3 — getting a connected socket.  Your code goes here; the task
// is in connection.hpp.  Each function is a starter stub: it compiles, and its
// tests fail until you replace its body.

#include "connection.hpp"

#include <fcntl.h>
#include <poll.h>

#include <cerrno>
#include <stdexcept>
#include <system_error>

#include "socklab/system_error.hpp"

namespace socklab::resolver {

std::pair<FileDescriptor, FileDescriptor> socket_pair(int family, int type, int protocol) {
  (void)family;
  (void)type;
  (void)protocol;
  return {};  // TODO: ::socketpair
}

FileDescriptor from_fd(int fd) {
  (void)fd;
  return {};  // TODO: duplicate it
}

FileDescriptor connect_first(const std::vector<AddressInfo>& candidates, std::chrono::milliseconds attempt_timeout,
                             const std::optional<Endpoint>& source) {
  (void)candidates;
  (void)attempt_timeout;
  (void)source;
  return {};  // TODO: each candidate in turn, non-blocking connect + poll
}

FileDescriptor create_connection(const std::string& host, std::uint16_t port, std::chrono::milliseconds attempt_timeout,
                                 const std::optional<Endpoint>& source) {
  (void)host;
  (void)port;
  (void)attempt_timeout;
  (void)source;
  return {};  // TODO
}

}  // namespace socklab::resolver
