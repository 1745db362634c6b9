#pragma once
/// \file
/// Lab 06, part 4 — Python's time-outs (article section 二.4.3:
/// `s.settimeout`, `s.gettimeout`, `s.setblocking`, `s.fileno`, `s.close`).
///
/// A Python socket is in one of three modes, chosen by `settimeout`:
/// - `None`: blocking.  Calls wait as long as it takes;
/// - `0` (the same as `setblocking(False)`): non-blocking.  A call that would
///   wait fails at once with `EAGAIN` (`BlockingIOError`); that is not a
///   failure of the socket, only "not now";
/// - `t` seconds: timed.  A call waits at most `t`, then fails with a time-out.
/// Python implements the third mode the way you will: the descriptor is
/// *non-blocking* whenever a time-out is set, and each call that finds
/// nothing to do waits for readiness with `poll(2)`, until its deadline.
///
/// In C++ the time-out is a `std::optional<std::chrono::milliseconds>`:
/// `std::nullopt` is Python's `None`.  A time-out that runs out throws
/// `std::system_error` with `ETIMEDOUT` (`std::errc::timed_out`) naming the call.
///
/// Do not change the declarations; write the code in `timed_socket.cpp`.
/// You may add private members at the marked place.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "endpoints.hpp"
#include "socklab/file_descriptor.hpp"

namespace socklab::calls {

/// A socket descriptor and its Python-style time-out.
class TimedSocket {
 public:
  /// A time-out: `std::nullopt` blocks, zero never waits, else the longest wait.
  using Timeout = std::optional<std::chrono::milliseconds>;

  /// Takes ownership of \p fd and puts it in blocking mode (clears
  /// `O_NONBLOCK` with `fcntl(2)`): the time-out is `std::nullopt`, as for a
  /// new Python socket.
  /// \param fd  an open socket, now this object's to close.
  /// \throws std::system_error naming "fcntl".
  explicit TimedSocket(FileDescriptor fd);

  /// The descriptor (-1 after close()).  Python: `s.fileno()`.
  /// \return the descriptor, still owned by this object; -1 after close().
  [[nodiscard]] int fileno() const noexcept;

  /// Chooses the mode, at any time (not only after creation): sets or clears
  /// `O_NONBLOCK` (set for any time-out that is not `std::nullopt`, as Python
  /// does) and remembers \p timeout.  Python: `s.settimeout(t)`.
  /// \param timeout  `std::nullopt` for blocking, 0 ms for non-blocking, else
  ///   the longest a call may wait (0 ms or more).
  /// \throws std::invalid_argument for a negative time-out (nothing changes);
  ///   std::system_error naming "fcntl".
  void settimeout(Timeout timeout);

  /// The time-out last set: `std::nullopt` for blocking.  Python: `s.gettimeout()`.
  /// \return the time-out settimeout() or setblocking() last set;
  ///   `std::nullopt` when neither was called.
  [[nodiscard]] Timeout gettimeout() const noexcept;

  /// `setblocking(true)` is `settimeout(std::nullopt)`; `setblocking(false)` is
  /// `settimeout(0ms)`.  Python: `s.setblocking(flag)`.
  /// \param blocking  true for blocking mode, false for non-blocking.
  /// \throws what settimeout() throws.
  void setblocking(bool blocking);

  /// One `send(2)` (with `MSG_NOSIGNAL`) under the time-out; returns the bytes
  /// sent, maybe fewer than `data.size()`.  The rule for every call below: try
  /// the call; on `EINTR` try again; on `EAGAIN` / `EWOULDBLOCK`:
  /// - no time-out (blocking): cannot happen, except after `SO_SNDTIMEO` /
  ///   `SO_RCVTIMEO` ran out: throw it;
  /// - time-out zero: throw it (`EAGAIN`);
  /// - time-out t: `poll(2)` the descriptor (`POLLOUT` to write, `POLLIN` to
  ///   read or accept) for what is left of t, counted from the start of this
  ///   call, then try again; when poll says nothing happened in time, throw
  ///   `ETIMEDOUT`.
  /// \param data  the bytes to send.
  /// \return how many bytes the kernel took: at least 1 when \p data is not
  ///   empty, at most `data.size()`.
  /// \throws std::system_error naming "send" (or "poll").
  [[nodiscard]] std::size_t send(std::string_view data);

  /// Sends all of \p data, as send_all() does, with one deadline for all of
  /// it (Python 3.5 and later: the time-out bounds the whole `sendall`).
  /// \param data  the bytes to send; may be empty.
  /// \throws std::system_error naming "send": `ETIMEDOUT` when the time ran
  ///   out with data left (what was sent stays sent).
  void sendall(std::string_view data);

  /// One `recv(2)` of at most \p max_size bytes under the time-out; "" at end
  /// of stream.
  /// \param max_size  the most bytes to take.
  /// \return what arrived, 1 to \p max_size bytes; "" at end of stream.
  /// \throws std::system_error naming "recv" (`ETIMEDOUT`, `EAGAIN`, …).
  [[nodiscard]] std::string recv(std::size_t max_size);

  /// Accepts a connection on this listening socket, under the time-out
  /// (`accept4(2)` with `SOCK_CLOEXEC`).  The new socket is blocking, with no
  /// time-out, whatever this socket's mode: Python gives it the default time-out.
  /// \return the new connection, owning its descriptor, with time-out
  ///   `std::nullopt`.
  /// \throws std::system_error naming "accept" (`ETIMEDOUT`, `EAGAIN`, …).
  [[nodiscard]] TimedSocket accept();

  /// Connects to \p address under the time-out.  `connect(2)` on a socket that
  /// is non-blocking returns `EINPROGRESS`: with time-out zero, throw that;
  /// with time-out t, `poll` for `POLLOUT` for at most t (`ETIMEDOUT` if it
  /// does not come), then `getsockopt(SO_ERROR)` says whether it worked (throw
  /// that error if not).  Blocking: `connect` waits by itself.
  /// Python: `s.connect(address)`.
  /// \param address  where to connect, of this socket's family; such as
  ///   socket_address() makes.
  /// \throws std::system_error naming "connect".
  void connect(const SocketAddress& address);

  /// Closes the descriptor now.  Python: `s.close()`.
  /// \throws std::system_error naming "close".
  void close();

 private:
  FileDescriptor fd_;
  Timeout timeout_;
  // Your extra members, if you need any, go here.
};

}  // namespace socklab::calls
