// Lab 05 — the client calls.  Your code goes here; the task is in client.hpp.
//
// Every function below is a starter stub: it compiles, and it does not do the
// work, so its tests fail.  Replace each body.  `./socklab` shows your points.

#include "client.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <system_error>

#include "socklab/system_error.hpp"

namespace socklab::client {

SocketAddress socket_address(const Endpoint& endpoint) {
  (void)endpoint;
  return {};  // TODO: inet_pton as IPv4, else as IPv6, into a zeroed sockaddr_in / sockaddr_in6
}

FileDescriptor open_stream(const Endpoint& endpoint) {
  (void)endpoint;
  return {};  // TODO: a close-on-exec stream socket of the address's family
}

void connect(int fd, const Endpoint& endpoint) {
  (void)fd;
  (void)endpoint;
  // TODO: ::connect, waiting out EINTR; throw what fails, naming "connect"
}

int connect_ex(int fd, const Endpoint& endpoint) {
  (void)fd;
  (void)endpoint;
  return {};  // TODO: like connect, but return the error number
}

FileDescriptor connect_with_timeout(const Endpoint& endpoint, std::chrono::milliseconds timeout) {
  (void)endpoint;
  (void)timeout;
  return {};  // TODO: non-blocking connect, poll for POLLOUT, SO_ERROR, blocking again
}

std::string receive_some(int fd, std::size_t max) {
  (void)fd;
  (void)max;
  return {};  // TODO: one recv of at most max bytes
}

RelayTotals relay(int input, int socket, int output) {
  (void)input;
  (void)socket;
  (void)output;
  return {};  // TODO: poll both; copy each way; shutdown(SHUT_WR) at the end of input
}

}  // namespace socklab::client
