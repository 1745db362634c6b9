// Lab 07, part 4 — the client's full-duplex loop.  Your code goes here; the
// task is in duplex.hpp.  Each function is a starter stub: it compiles, and
// its tests fail until you replace its body.

#include "duplex.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "line_framer.hpp"
#include "socklab/system_error.hpp"

namespace socklab::chat {

std::string too_long_typed_message(std::size_t max_line) {
  return "! that line is longer than " + std::to_string(max_line) + " bytes: it was not sent\n";
}

DuplexEnd run_duplex(int input_fd, int output_fd, int socket_fd, const DuplexHooks& hooks, std::size_t max_line) {
  (void)input_fd;
  (void)output_fd;
  (void)socket_fd;
  (void)hooks;
  (void)max_line;
  // TODO: one poll() on the input and the socket; serve whichever is ready
  return DuplexEnd::server_closed;
}

}  // namespace socklab::chat
