#pragma once
/// \file
/// Lab 07, part 4 — the client's full-duplex loop (article 二.5).
///
/// The article calls its chat "full duplex", but its client is not: it waits
/// in `input()` until you type, then in `recv()` until the server answers.
/// While you think, nothing the others say can reach you; if the server has
/// nothing to say, you wait forever.  A full-duplex client waits on the
/// keyboard *and* the socket at once, with `poll(2)`, and serves whichever is
/// ready: messages appear while you type.
///
/// run_duplex() is that loop.  The program around it (the `chat connect`
/// command) decides what a typed line means and how a received line is shown,
/// through DuplexHooks; the loop moves the bytes.
///
/// Do not change the declarations; write the code in `duplex.cpp`.

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace socklab::chat {

/// What run_duplex() asks of the program around it.
struct DuplexHooks {
  /// Called with each complete line read from the input (without its ending).
  /// Returns the bytes to send to the server for it ("" for none).
  std::function<std::string(std::string_view line)> typed;
  /// Called with each complete line received from the server (without its
  /// ending).  Returns the text to write to the output ("" for none).
  std::function<std::string(std::string_view line)> received;
  /// Optional.  Called when nothing waits to be sent: returns more bytes to
  /// send (say, the next part of a file being uploaded), or "" for none.
  std::function<std::string()> refill;
  /// Optional.  Checked after each call of `typed`: true when the user has
  /// asked to leave, which ends the input as if it had reached its end.
  std::function<bool()> quitting;
};

/// How run_duplex() ended.
enum class DuplexEnd {
  input_ended,    ///< the input ended (or `quitting`), all was sent, then the server closed
  server_closed,  ///< the server closed the connection while the input was still open
};

/// The message written to the output for a typed line that was too long.
/// (A function, so that tests and the program share the one wording.)
/// Given: already written in `duplex.cpp`.
/// \param max_line  the limit the line broke, as passed to run_duplex().
/// \return one line ending in `"\n"` that names \p max_line: "! that line is
///   longer than 65536 bytes: it was not sent".
[[nodiscard]] std::string too_long_typed_message(std::size_t max_line);

/// Moves lines both ways between a user and a server, at the same time, until
/// the conversation is over.
///
/// \p input_fd is where the user types (a terminal or a pipe), \p output_fd
/// where received text is shown, \p socket_fd the connection to the server.
/// The descriptors may be blocking; the loop must never block on one of them
/// while another could be served:
/// - Wait with one `poll(2)` on the input (`POLLIN`) and the socket (`POLLIN`,
///   and `POLLOUT` only while bytes wait to be sent).  `EINTR`: poll again.
/// - Input: when readable, one `read(2)` of up to 64 KiB, fed to a
///   LineFramer(\p max_line); each complete line goes to `hooks.typed`, whose
///   result waits to be sent.  A line that is too long is not sent: write
///   too_long_typed_message(\p max_line) to the output.  Stop polling the
///   input while more than 256 KiB wait to be sent, so a fast pipe cannot fill
///   memory faster than the server takes it.
/// - Socket, readable: one `recv(2)` of up to 64 KiB, framed the same way; each
///   complete line goes to `hooks.received`, and what it returns is written
///   whole to \p output_fd (a `write(2)` loop).  Lines from the server that
///   are too long are skipped.
/// - Socket, writable: `send(2)` with `MSG_NOSIGNAL | MSG_DONTWAIT` as much as
///   it takes of what waits.  When nothing waits, call `hooks.refill` (if set)
///   for more.  `EPIPE` or `ECONNRESET` from `send` mean the server has gone:
///   drop what waits, send no more, and go on reading to the end of stream.
/// - The input ends when `read` returns 0 (a last line without `"\n"` still
///   counts as a line) or when `hooks.quitting` returns true.  Then stop
///   reading it; once everything waiting has been sent and `refill` has no
///   more, call `shutdown(socket_fd, SHUT_WR)` once, so the server sees the
///   end, and keep receiving until the server closes: return
///   DuplexEnd::input_ended.
/// - The server ends when `recv` returns 0 (a last line without `"\n"` still
///   counts): return DuplexEnd::server_closed, unless the input had ended
///   already (then DuplexEnd::input_ended).
/// - `EINTR` from any call: call again.
/// \throws std::system_error naming the failed call ("poll", "read", "recv",
///   "send", "write", "shutdown") for any other error, such as `ECONNRESET`
///   from `recv`.
/// \param input_fd  where the user types, such as `STDIN_FILENO`.
/// \param output_fd  where received text is written, such as `STDOUT_FILENO`.
/// \param socket_fd  the connected stream socket to the server.
/// \param hooks  what a typed and a received line become; `typed` and
///   `received` must be set, `refill` and `quitting` may be empty.
/// \param max_line  the longest line, in bytes without its ending, taken
///   from either side; at least 1.
/// \return how the conversation ended.  run_duplex() closes none of the
///   three descriptors: they stay the caller's.
DuplexEnd run_duplex(int input_fd, int output_fd, int socket_fd, const DuplexHooks& hooks,
                     std::size_t max_line = 64 * 1024);

}  // namespace socklab::chat
