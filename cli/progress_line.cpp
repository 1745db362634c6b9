#include "progress_line.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdlib>
#include <string_view>

#include <fmt/core.h>

#include "text.hpp"

namespace socklab::cli {

std::string build_progress_text(const BuildProgress& progress) {
  return fmt::format("socklab: building [{}] {}/{}", progress_bar(static_cast<std::size_t>(progress.done),
                                                                  static_cast<std::size_t>(progress.total)),
                     progress.done, progress.total);
}

std::string test_progress_text(const TestProgress& progress) {
  return fmt::format("socklab: grading {} [{}] {}/{}", progress.chapter, progress_bar(progress.done, progress.total),
                     progress.done, progress.total);
}

namespace {

bool can_redraw(std::FILE* out) {
  const char* term = std::getenv("TERM");
  return ::isatty(::fileno(out)) == 1 && !(term != nullptr && std::string_view(term) == "dumb");
}

}  // namespace

ProgressLine::ProgressLine(std::FILE* out) : out_(out), shown_(can_redraw(out)) {}

ProgressLine::~ProgressLine() { clear(); }

BuildProgressHandler ProgressLine::builds() {
  if (!shown_) {
    return {};
  }
  return [this](const BuildProgress& progress) {
    if (progress.finished) {
      clear();
    } else {
      draw(build_progress_text(progress));
    }
  };
}

TestProgressHandler ProgressLine::tests() {
  if (!shown_) {
    return {};
  }
  return [this](const TestProgress& progress) { draw(test_progress_text(progress)); };
}

void ProgressLine::draw(std::string text) {
  // A line as wide as the terminal wraps, and \r then returns to the start
  // of its last row only: redraws would pile up.  Cut it short instead.
  winsize size{};
  if (::ioctl(::fileno(out_), TIOCGWINSZ, &size) == 0 && size.ws_col > 1 && text.size() >= size.ws_col) {
    text.resize(size.ws_col - 1U);
  }
  if (text == last_) {
    return;
  }
  // \r: back to the line's start; ESC [ K: erase to its end.
  put("\r\x1b[K" + text);
  last_ = std::move(text);
  drawn_ = true;
}

void ProgressLine::clear() {
  if (drawn_) {
    put("\r\x1b[K");
    drawn_ = false;
    last_.clear();
  }
}

void ProgressLine::put(const std::string& bytes) noexcept {
  // A progress line that cannot be shown is no error: never a reason to stop
  // a build or a grading half-way (an exception here would leave it running).
  (void)std::fwrite(bytes.data(), 1, bytes.size(), out_);
  (void)std::fflush(out_);
}

}  // namespace socklab::cli
