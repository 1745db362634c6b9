#pragma once
/// \file
/// Lab 07, part 1 — cutting a byte stream into lines (article section 二.5).
///
/// TCP delivers a stream of bytes, not messages.  The article's chat calls
/// `recv(1024)` once and treats what comes back as one message; but a line may
/// arrive split at any byte (even inside a multi-byte UTF-8 character), and
/// one `recv` may hold many lines.  The chat protocol ends every line with
/// `"\n"`, so the receiver must keep what it has, and hand out a line only when
/// its `"\n"` has arrived.  That is a *framer*.
///
/// A framer that keeps everything until a `"\n"` comes is a gift to an
/// attacker: send bytes and never a newline, and the server's memory fills.
/// So a framer has a limit, and a line longer than the limit is *refused*:
/// reported once, and its bytes thrown away (as they come, up to and including
/// its `"\n"`), so memory stays bounded however long the line runs.
///
/// Do not change the public declarations (the private members are yours to
/// change); write the code in `line_framer.cpp`.

#include <cstddef>
#include <string>
#include <string_view>

namespace socklab::chat {

/// What LineFramer::next() found.
struct Frame {
  /// The kinds of result.
  enum class Kind {
    none,      ///< no complete line yet: feed() more bytes
    line,      ///< a complete line, in #text
    too_long,  ///< a line longer than the limit was refused (#text is empty)
  };
  /// Which kind of result this is.
  Kind kind = Kind::none;
  /// The line, without its `"\n"` or `"\r\n"`.  It points into the framer's
  /// buffer and stays valid until the next call to feed().
  std::string_view text;
};

/// Cuts the bytes of a stream into lines ended by `"\n"` (or `"\r\n"`).
///
/// Use: after each `recv`, call feed() with what arrived, then call next()
/// until it returns Frame::Kind::none.
///
/// The rules:
/// - A line is the bytes before a `"\n"`.  The `"\n"` is not part of it, nor
///   is one `"\r"` just before the `"\n"` (`"a\r\n"` gives `"a"`; `"a\r\r\n"`
///   gives `"a\r"`; a `"\r"` anywhere else is kept).  Empty lines are lines.
/// - Bytes are bytes: the framer does not decode UTF-8, and NUL is an
///   ordinary byte.  A line split across feeds, at any byte, comes out whole.
/// - A line is too long when it has more than `max_line` bytes (not counting
///   its ending).  next() returns Frame::Kind::too_long for it exactly once:
///   as soon as the buffered part of the line is certainly too long (more than
///   `max_line + 1` bytes, or `max_line + 1` bytes whose last is not `"\r"`, as
///   `"\r\n"` might still follow it), or when its `"\n"` arrives, whichever
///   comes first.  Its bytes, up to and including its `"\n"`, are discarded as
///   they arrive; the line after it is framed normally.
/// - Memory is bounded: after next() has returned Frame::Kind::none,
///   buffered() is at most `max_line + 1`.
class LineFramer {
 public:
  /// A framer refusing lines longer than \p max_line bytes (at least 1).
  /// \param max_line  the longest line accepted, in bytes, not counting its
  ///   `"\n"` or `"\r\n"`.
  /// \throws std::invalid_argument when \p max_line is 0: such a framer could
  ///   frame nothing but empty lines, so it is a caller's mistake.
  explicit LineFramer(std::size_t max_line = 4096);

  /// Takes bytes received from the stream, in order.  May be called with an
  /// empty view.  Invalidates the text of frames returned earlier.
  /// \param bytes  what one `recv` gave, any bytes; copied as needed, so the
  ///   caller's buffer may be reused at once.
  void feed(std::string_view bytes);

  /// The next result: a complete line, a refused line, or none yet.
  /// \return a Frame of kind `line` (with its text), `too_long`, or `none`
  ///   when the bytes fed so far hold no further result.
  [[nodiscard]] Frame next();

  /// How many received bytes are held (not yet returned or discarded).
  /// \return the count, in bytes; at most `max_line() + 1` after next() has
  ///   returned Frame::Kind::none.
  [[nodiscard]] std::size_t buffered() const noexcept;

  /// The limit this framer was made with.
  /// \return the constructor's `max_line`, in bytes.
  [[nodiscard]] std::size_t max_line() const noexcept { return max_line_; }

 private:
  std::size_t max_line_;
  std::string buffer_;    // received bytes; what is before start_ is used up
  std::size_t start_ = 0; // where the next line begins in buffer_
  std::size_t scanned_ = 0;  // bytes after start_ already known to hold no "\n"
  bool discarding_ = false;  // inside a refused line: drop bytes up to its "\n"
};

}  // namespace socklab::chat
