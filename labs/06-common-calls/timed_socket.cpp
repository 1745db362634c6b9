// Lab 06, part 4 — Python's time-outs.  Your code goes here; the task is in
// timed_socket.hpp.  Each function is a starter stub: it compiles, and its
// tests fail until you replace its body.

#include "timed_socket.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <stdexcept>
#include <system_error>

#include "socklab/system_error.hpp"

namespace socklab::calls {

TimedSocket::TimedSocket(FileDescriptor fd) {
  (void)fd;  // TODO: keep it, and make it blocking
}

int TimedSocket::fileno() const noexcept { return -1; }  // TODO

void TimedSocket::settimeout(Timeout timeout) {
  (void)timeout;  // TODO: O_NONBLOCK on or off, and remember it
}

TimedSocket::Timeout TimedSocket::gettimeout() const noexcept { return {}; }  // TODO

void TimedSocket::setblocking(bool blocking) {
  (void)blocking;  // TODO
}

std::size_t TimedSocket::send(std::string_view data) {
  (void)data;
  return 0;  // TODO: ::send, and poll while it says EAGAIN
}

void TimedSocket::sendall(std::string_view data) {
  (void)data;  // TODO
}

std::string TimedSocket::recv(std::size_t max_size) {
  (void)max_size;
  return {};  // TODO
}

TimedSocket TimedSocket::accept() {
  return TimedSocket(FileDescriptor());  // TODO: ::accept4
}

void TimedSocket::connect(const SocketAddress& address) {
  (void)address;  // TODO
}

void TimedSocket::close() {}  // TODO

}  // namespace socklab::calls
