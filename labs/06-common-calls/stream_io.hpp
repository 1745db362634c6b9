#pragma once
/// \file
/// Lab 06, part 1 — moving bytes over a connection (article section 二.4.3:
/// `s.send`, `s.sendall`, `s.recv`, `s.shutdown`).
///
/// `send(2)` hands bytes to the kernel's send buffer and returns how many it
/// took: it may take fewer than it was given, and the rest is the caller's
/// business.  `recv(2)` returns what has arrived, at most what was asked for,
/// and 0 when the peer has finished sending.  Python's `sendall` is the loop
/// that keeps calling `send` until everything is gone; here you write it, and
/// its partner for reading, receive_exact().
///
/// Sockets here are plain descriptors, owned by a `socklab::FileDescriptor`
/// somewhere else.  Do not change the declarations; write the code in
/// `stream_io.cpp`.

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace socklab::calls {

/// One `send(2)` of \p data on \p fd, with \p flags and `MSG_NOSIGNAL` (so a
/// peer that has gone away gives `EPIPE`, not a process-killing `SIGPIPE`).
/// Retries the call when it fails with `EINTR` (a signal arrived before
/// anything was sent).  Python: `s.send(data, flags)`.
/// \param fd  a connected stream socket; it stays the caller's.
/// \param data  the bytes to send.
/// \param flags  `MSG_*` flags for `send`, such as `MSG_DONTWAIT`; 0 for none.
/// \return how many bytes the kernel took: between 1 and `data.size()` (0
///   only when \p data is empty), and on a non-blocking socket with a nearly
///   full send buffer often fewer than all.
/// \throws std::system_error naming "send": `EAGAIN` when a non-blocking
///   socket's buffer is full (Python's `BlockingIOError`), `EPIPE`, …
[[nodiscard]] std::size_t send_some(int fd, std::string_view data, int flags = 0);

/// Sends all of \p data: calls `send(2)` (with \p flags and `MSG_NOSIGNAL`)
/// again and again, each time with what is left, until nothing is.
///
/// The edge cases are the lesson:
/// - a call may send part of what it was given: go on from there;
/// - `EINTR` (a signal interrupted a call before it sent anything): call again;
/// - `EAGAIN` / `EWOULDBLOCK` (the socket is non-blocking and its buffer is
///   full): wait with `poll(2)` for `POLLOUT`, with no time-out, then go on
///   (`poll` itself may fail with `EINTR`: poll again);
/// - anything else: throw.  Bytes already sent stay sent.
/// An empty \p data sends nothing and makes no call.  Python: `s.sendall(data)`.
/// \param fd  a connected stream socket, blocking or not; it stays the caller's.
/// \param data  the bytes to send; may be empty.
/// \param flags  `MSG_*` flags for each `send`; 0 for none.
/// \throws std::system_error naming "send" (or "poll").
void send_all(int fd, std::string_view data, int flags = 0);

/// One `recv(2)` of at most \p max_size bytes from \p fd, with \p flags.
/// Retries on `EINTR`.  Python: `s.recv(max_size, flags)`.
/// \param fd  a connected stream socket; it stays the caller's.
/// \param max_size  the most bytes to take.
/// \param flags  `MSG_*` flags for `recv`, such as `MSG_PEEK` or
///   `MSG_DONTWAIT`; 0 for none.
/// \return what arrived, 1 to \p max_size bytes; an empty string means end of
///   stream (the peer shut down its sending side or closed), unless
///   \p max_size was 0.
/// \throws std::system_error naming "recv": `EAGAIN` on a non-blocking socket
///   with nothing to read (or after `SO_RCVTIMEO` ran out), `ECONNRESET`, …
[[nodiscard]] std::string receive(int fd, std::size_t max_size, int flags = 0);

/// What receive_exact() throws when the stream ends too soon.
class EndOfStream : public std::runtime_error {
 public:
  /// \p wanted bytes were asked for and only \p received arrived before the end.
  /// what() reads like "end of stream after 3 of 8 bytes".
  /// \param wanted  how many bytes were asked for.
  /// \param received  how many arrived, fewer than \p wanted.
  EndOfStream(std::size_t wanted, std::size_t received)
      : std::runtime_error("end of stream after " + std::to_string(received) + " of " + std::to_string(wanted) +
                           " bytes"),
        wanted_(wanted),
        received_(received) {}
  /// How many bytes were asked for.
  /// \return the constructor's `wanted`.
  [[nodiscard]] std::size_t wanted() const noexcept { return wanted_; }
  /// How many arrived before the end of the stream.
  /// \return the constructor's `received`; less than wanted().
  [[nodiscard]] std::size_t received() const noexcept { return received_; }

 private:
  std::size_t wanted_;
  std::size_t received_;
};

/// Exactly \p size bytes from \p fd: calls `recv(2)` until that many have
/// arrived (each call may return fewer; `EINTR` is retried).  Python has no
/// such call: the usual hand-written loop around `s.recv`.
/// \param fd  a connected stream socket; it stays the caller's.
/// \param size  how many bytes to read.
/// \return exactly \p size bytes, in the order they arrived.
/// \throws EndOfStream when the stream ends first (a `recv` returned 0).
/// \throws std::system_error naming "recv" for a failed call.
[[nodiscard]] std::string receive_exact(int fd, std::size_t size);

/// `shutdown(2)`: ends one or both directions of the connection on \p fd,
/// \p how being `SHUT_RD`, `SHUT_WR` or `SHUT_RDWR`.  After `SHUT_WR` the peer
/// reads end of stream, but it can still send, and this end still receive.
/// Unlike `close`, it acts on the connection, not on one descriptor: every
/// descriptor that shares the socket sees it.  Python: `s.shutdown(how)`.
/// (Named so that it does not clash with the C function `shutdown`.)
/// \param fd  a connected socket; it stays open, and the caller's.
/// \param how  `SHUT_RD`, `SHUT_WR` or `SHUT_RDWR`.
/// \throws std::system_error naming "shutdown" (`ENOTCONN`, `EBADF`, …).
void shut_down(int fd, int how);

}  // namespace socklab::calls
