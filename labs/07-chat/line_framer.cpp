// Lab 07, part 1 — cutting a byte stream into lines.  Your code goes here; the
// task is in line_framer.hpp.  Each function is a starter stub: it compiles,
// and its tests fail until you replace its body.

#include "line_framer.hpp"

namespace socklab::chat {

LineFramer::LineFramer(std::size_t max_line) : max_line_(max_line) {}

void LineFramer::feed(std::string_view bytes) {
  (void)bytes;  // TODO: keep the bytes (or drop them, inside a refused line)
}

Frame LineFramer::next() {
  return {};  // TODO: find the next "\n"; refuse lines over max_line_
}

std::size_t LineFramer::buffered() const noexcept {
  return 0;  // TODO
}

}  // namespace socklab::chat
