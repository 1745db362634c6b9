// Lab 06, part 5 — a socket as a stream.  Your code goes here; the task is in
// socket_stream.hpp.  Each function is a starter stub: it compiles, and its
// tests fail until you replace its body.

#include "socket_stream.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

#include "socklab/system_error.hpp"

namespace socklab::calls {

SocketStreamBuf::SocketStreamBuf(int fd, std::size_t buffer_size) : fd_(fd) {
  (void)buffer_size;  // TODO: size the buffers, setg and setp
}

SocketStreamBuf::~SocketStreamBuf() = default;  // TODO: send what is left

SocketStreamBuf::int_type SocketStreamBuf::underflow() {
  return traits_type::eof();  // TODO: flush, then ::recv into the input buffer
}

SocketStreamBuf::int_type SocketStreamBuf::overflow(int_type ch) {
  (void)ch;
  return traits_type::eof();  // TODO: send the output buffer, keep ch
}

int SocketStreamBuf::sync() {
  return -1;  // TODO: send the output buffer
}

}  // namespace socklab::calls
