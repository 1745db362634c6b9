// Lab 06, part 5 — a socket as a stream: the reference solution.

#include "socket_stream.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>

#include "socklab/system_error.hpp"

namespace socklab::calls {
namespace {

std::size_t checked_size(std::size_t buffer_size) {
  if (buffer_size == 0) {
    throw std::invalid_argument("SocketStreamBuf: the buffer size must be at least 1");
  }
  return buffer_size;
}

}  // namespace

SocketStreamBuf::SocketStreamBuf(int fd, std::size_t buffer_size)
    : fd_(fd), input_(checked_size(buffer_size)), output_(buffer_size) {
  setg(input_.data(), input_.data(), input_.data());
  setp(output_.data(), output_.data() + output_.size());
}

SocketStreamBuf::~SocketStreamBuf() {
  try {
    (void)SocketStreamBuf::sync();  // this class's own: no dynamic dispatch in a destructor
  } catch (...) {  // a destructor reports nothing and throws nothing
  }
}

SocketStreamBuf::int_type SocketStreamBuf::underflow() {
  if (gptr() < egptr()) {
    return traits_type::to_int_type(*gptr());
  }
  if (sync() == -1) {
    return traits_type::eof();
  }
  ssize_t got;
  do {
    got = ::recv(fd_, input_.data(), input_.size(), 0);
  } while (got == -1 && errno == EINTR);
  check("recv", got);
  if (got == 0) {
    return traits_type::eof();
  }
  setg(input_.data(), input_.data(), input_.data() + got);
  return traits_type::to_int_type(*gptr());
}

SocketStreamBuf::int_type SocketStreamBuf::overflow(int_type ch) {
  if (sync() == -1) {
    return traits_type::eof();
  }
  if (traits_type::eq_int_type(ch, traits_type::eof())) {
    return traits_type::not_eof(ch);
  }
  *pptr() = traits_type::to_char_type(ch);
  pbump(1);
  return ch;
}

int SocketStreamBuf::sync() {
  const char* next = pbase();
  while (next < pptr()) {
    const ssize_t sent = ::send(fd_, next, static_cast<std::size_t>(pptr() - next), MSG_NOSIGNAL);
    if (sent == -1) {
      if (errno == EINTR) {
        continue;
      }
      // Keep what was not sent at the front of the buffer; report the failure.
      const auto left = pptr() - next;
      std::copy(next, static_cast<const char*>(pptr()), output_.data());
      setp(output_.data(), output_.data() + output_.size());
      pbump(static_cast<int>(left));
      return -1;
    }
    next += sent;
  }
  setp(output_.data(), output_.data() + output_.size());
  return 0;
}

}  // namespace socklab::calls
