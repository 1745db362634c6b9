#pragma once
// How far a build or a grading has got, drawn on one line of a terminal.

#include <cstdio>
#include <string>

#include "build.hpp"
#include "grading.hpp"

namespace socklab::cli {

/// "socklab: building [#######.................] 45/141": the text of one
/// progress line, without the escapes that redraw it.
std::string build_progress_text(const BuildProgress& progress);

/// "socklab: grading 03-resolver [######..................] 12/43".
std::string test_progress_text(const TestProgress& progress);

/// Progress on one line of a terminal, redrawn in place as a build or a
/// grading goes, and erased when a build ends, on clear() and at the end of
/// its scope, so that what is printed next starts on a clean line.  Where the
/// output is not a terminal (a log, a pipe, CI), or is one that cannot erase
/// a line (TERM=dumb), it prints nothing: a log gets no carriage returns.  A
/// first build takes minutes, and grading every chapter tens of seconds: this
/// is what shows they move.
class ProgressLine {
 public:
  /// Draws on \p out (standard error by default), if it is such a terminal.
  explicit ProgressLine(std::FILE* out = stderr);
  ~ProgressLine();
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  /// Whether it draws anything at all.
  [[nodiscard]] bool shown() const { return shown_; }

  /// For build_targets(): draws each step; erases the line when the build is
  /// finished.  Empty when nothing is shown, so a build need not follow its
  /// output.  The handlers refer to this object, which must outlive their use.
  [[nodiscard]] BuildProgressHandler builds();
  /// For grade(): draws each test done.  Empty when nothing is shown.
  [[nodiscard]] TestProgressHandler tests();

  /// Erases the line, if it shows anything.
  void clear();

 private:
  void draw(std::string text);
  void put(const std::string& bytes) noexcept;

  std::FILE* out_;
  bool shown_;
  bool drawn_ = false;
  std::string last_;  ///< the text on the line now, not drawn again
};

}  // namespace socklab::cli
