#include "progress_line.hpp"

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

namespace {

bool can_redraw(std::FILE* out) {
  const char* term = std::getenv("TERM");
  return ::isatty(::fileno(out)) == 1 && !(term != nullptr && std::string_view(term) == "dumb");
}

}  // namespace

BuildProgressLine::BuildProgressLine(std::FILE* out) : out_(out), shown_(can_redraw(out)) {}

BuildProgressLine::~BuildProgressLine() { erase(); }

BuildProgressHandler BuildProgressLine::handler() {
  if (!shown_) {
    return {};
  }
  return [this](const BuildProgress& progress) {
    if (progress.finished) {
      erase();
    } else {
      draw(progress);
    }
  };
}

void BuildProgressLine::draw(const BuildProgress& progress) {
  std::string text = build_progress_text(progress);
  if (text == last_) {
    return;
  }
  // \r: back to the line's start; ESC [ K: erase to its end.
  fmt::print(out_, "\r\x1b[K{}", text);
  (void)std::fflush(out_);  // a progress line that cannot be shown is no error
  last_ = std::move(text);
  drawn_ = true;
}

void BuildProgressLine::erase() {
  if (drawn_) {
    fmt::print(out_, "\r\x1b[K");
    (void)std::fflush(out_);
    drawn_ = false;
    last_.clear();
  }
}

}  // namespace socklab::cli
