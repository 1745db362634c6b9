#pragma once
/// \file
/// Lab 06, part 5 — a socket as a stream (article section 二.4.3: `s.makefile()`).
///
/// Python's `s.makefile('rw')` wraps a socket in a buffered file object, so
/// `readline` and `write` work on a connection.  The C++ way is a
/// `std::streambuf` that reads from and writes to the socket, under a
/// `std::iostream`: then `std::getline(stream, line)` and `stream << 42` work.
///
/// A `std::streambuf` keeps two buffers, with pointers into each:
/// - input: `eback() <= gptr() <= egptr()`.  When `gptr() == egptr()` the
///   stream calls underflow(), which must refill the buffer (`setg`) and
///   return the next character, or `traits_type::eof()` at end of stream;
/// - output: `pbase() <= pptr() <= epptr()`.  When `pptr() == epptr()` the
///   stream calls overflow(c), which must empty the buffer to the socket and
///   store `c`; sync() (from `std::flush`, `std::endl`) sends what is buffered.
///
/// Do not change the declarations; write the code in `socket_stream.cpp`.

#include <cstddef>
#include <istream>
#include <streambuf>
#include <vector>

namespace socklab::calls {

/// A stream buffer over a connected socket, with an input and an output buffer.
/// It does not own the descriptor: close it yourself, after the stream.
class SocketStreamBuf : public std::streambuf {
 public:
  /// Buffers of \p buffer_size bytes each for \p fd.  Set the get area
  /// empty (so the first read calls underflow) and the put area to the whole
  /// output buffer.
  /// \param fd  a connected stream socket; it stays the caller's.
  /// \param buffer_size  the size in bytes of each of the two buffers, at least 1.
  /// \throws std::invalid_argument when \p buffer_size is 0: an empty put
  ///         area would make every `<<` call overflow() with nowhere to keep
  ///         the byte (Python's makefile(buffering=0) means "unbuffered", a
  ///         different object; here it is simply refused).
  explicit SocketStreamBuf(int fd, std::size_t buffer_size = 4096);
  /// Sends what is still buffered (like sync()), never throws.
  ~SocketStreamBuf() override;

  SocketStreamBuf(const SocketStreamBuf&) = delete;
  SocketStreamBuf& operator=(const SocketStreamBuf&) = delete;

 protected:
  /// Refills the input buffer: first sends any buffered output (so a request
  /// written and not yet flushed cannot leave both ends waiting for each
  /// other); then one `recv(2)` of up to the buffer's size (`EINTR` retried).
  /// \return the first byte received, as `traits_type::to_int_type(c)` (never
  ///   equal to eof); `traits_type::eof()` at end of stream or when flushing
  ///   failed.
  /// \throws std::system_error naming "recv" when it fails (the stream
  ///   catches it and sets `badbit`).
  int_type underflow() override;

  /// Sends the output buffer, then, unless \p ch is eof, stores \p ch in the
  /// empty buffer.
  /// \param ch  the character that did not fit, as an `int_type`; or
  ///   `traits_type::eof()` to only send the buffer.
  /// \return a value other than `traits_type::eof()` on success (such as
  ///   \p ch itself); `traits_type::eof()` when a send failed.
  int_type overflow(int_type ch) override;

  /// Sends everything in the output buffer (`send` with `MSG_NOSIGNAL`, in a
  /// loop: one call may send part of it).
  /// \return 0 when everything was sent; -1 when a send failed.
  int sync() override;

 private:
  int fd_;
  std::vector<char> input_;
  std::vector<char> output_;
  // Your extra members, if you need any, go here.
};

/// A `std::iostream` over a connected socket: Python's `s.makefile('rw')`.
/// Given: it only holds a SocketStreamBuf and hands it to `std::iostream`.
class SocketStream : public std::iostream {
 public:
  /// A stream reading and writing \p fd, with buffers of \p buffer_size bytes.
  /// \param fd  a connected stream socket; it stays the caller's, to close
  ///   after the stream is destroyed.
  /// \param buffer_size  the size in bytes of each buffer, at least 1.
  explicit SocketStream(int fd, std::size_t buffer_size = 4096)
      : std::iostream(nullptr), buffer_(fd, buffer_size) {
    rdbuf(&buffer_);
  }

 private:
  SocketStreamBuf buffer_;
};

}  // namespace socklab::calls
