// Lab 07, part 1 — the reference framer.

#include "line_framer.hpp"

#include <algorithm>
#include <stdexcept>

namespace socklab::chat {

LineFramer::LineFramer(std::size_t max_line) : max_line_(max_line) {
  if (max_line == 0) {
    throw std::invalid_argument("LineFramer: max_line must be at least 1");
  }
}

void LineFramer::feed(std::string_view bytes) {
  if (discarding_) {
    // Inside a refused line: drop everything up to and including its "\n".
    const auto newline = bytes.find('\n');
    if (newline == std::string_view::npos) {
      return;
    }
    discarding_ = false;
    bytes.remove_prefix(newline + 1);
  }
  // Move what is left to the front only when it is worth it, so feeding
  // many small pieces does not copy the buffer each time.
  if (start_ > 0 && (start_ >= buffer_.size() / 2 || start_ >= 64 * 1024)) {
    buffer_.erase(0, start_);
    start_ = 0;
  }
  buffer_.append(bytes);
}

Frame LineFramer::next() {
  const std::string_view pending = std::string_view(buffer_).substr(start_);
  const auto newline = pending.find('\n', scanned_);
  if (newline == std::string_view::npos) {
    scanned_ = pending.size();
    const bool certainly_too_long =
        pending.size() > max_line_ + 1 || (pending.size() == max_line_ + 1 && pending.back() != '\r');
    if (!certainly_too_long) {
      return {};
    }
    // Refuse it now: its "\n" may never come.  Drop its bytes by moving
    // start_ past them, not with buffer_.clear(), which would overwrite the
    // text of lines returned since the last feed() (they stay valid until then);
    // the next feed() compacts the buffer.
    discarding_ = true;
    start_ = buffer_.size();
    scanned_ = 0;
    return {.kind = Frame::Kind::too_long, .text = {}};
  }
  std::string_view line = pending.substr(0, newline);
  start_ += newline + 1;
  scanned_ = 0;
  if (!line.empty() && line.back() == '\r') {
    line.remove_suffix(1);
  }
  if (line.size() > max_line_) {
    return {.kind = Frame::Kind::too_long, .text = {}};
  }
  return {.kind = Frame::Kind::line, .text = line};
}

std::size_t LineFramer::buffered() const noexcept { return buffer_.size() - start_; }

}  // namespace socklab::chat
