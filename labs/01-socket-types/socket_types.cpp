// Lab 01 — socket types.  Your code goes here; the task is in socket_types.hpp.
//
// Every function below is a starter stub: it compiles, and it does not do the
// work, so its tests fail.  Replace each body.  `./socklab` shows your points.

#include "socket_types.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "socklab/system_error.hpp"

namespace socklab::socket_types {

Socket::Socket(int family, int type, int protocol) {
  // TODO: open the socket with socket(2), remembering SOCK_CLOEXEC, and
  // throw (see socklab::check) when it fails.
  (void)family;
  (void)type;
  (void)protocol;
}

Socket::~Socket() {
  // TODO: close the descriptor if this Socket owns one.  Never throw here.
}

Socket::Socket(Socket&& other) noexcept {
  // TODO: take other's descriptor and leave other empty.
  (void)other;
}

Socket& Socket::operator=(Socket&& other) noexcept {
  // TODO: close what this Socket owns, then take other's descriptor.
  (void)other;
  return *this;
}

int Socket::fileno() const noexcept { return -1; }  // TODO

int Socket::detach() noexcept { return -1; }  // TODO

void Socket::close() {
  // TODO: close now; report a failing close(2) as std::system_error.
}

int Socket::family() const { return 0; }  // TODO: getsockopt(SO_DOMAIN)

int Socket::type() const { return 0; }  // TODO: getsockopt(SO_TYPE)

int Socket::protocol() const { return 0; }  // TODO: getsockopt(SO_PROTOCOL)

ProbeResult probe(const SocketKind& kind) {
  // TODO: try to open a Socket of this kind; turn a failure into its errno.
  return ProbeResult{kind, 0};
}

std::string_view family_name(int family) {
  (void)family;
  return "";  // TODO
}

std::string_view type_name(int type) {
  (void)type;
  return "";  // TODO
}

}  // namespace socklab::socket_types
