#pragma once
// A build's progress, drawn on one line of a terminal while the build runs.

#include <cstdio>
#include <string>

#include "build.hpp"

namespace socklab::cli {

/// "socklab: building [#######.................] 45/141": the text of one
/// progress line, without the escapes that redraw it.
std::string build_progress_text(const BuildProgress& progress);

/// A build's progress on one line of a terminal, redrawn in place as the build
/// goes and erased when it ends, so that what is printed next starts on a
/// clean line.  Where the output is not a terminal (a log, a pipe, CI), or is
/// one that cannot erase a line (TERM=dumb), it prints nothing: a log gets no
/// carriage returns.  A first build takes minutes; this is what shows it moves.
class BuildProgressLine {
 public:
  /// Draws on \p out (standard error by default), if it is such a terminal.
  explicit BuildProgressLine(std::FILE* out = stderr);
  ~BuildProgressLine();
  BuildProgressLine(const BuildProgressLine&) = delete;
  BuildProgressLine& operator=(const BuildProgressLine&) = delete;

  /// Whether it draws anything at all.
  [[nodiscard]] bool shown() const { return shown_; }

  /// For build_targets(): draws each step; erases the line when the build is
  /// finished.  Empty when nothing is shown, so a build need not follow its
  /// output.  The handler refers to this object, which must outlive the build.
  [[nodiscard]] BuildProgressHandler handler();

 private:
  void draw(const BuildProgress& progress);
  void erase();

  std::FILE* out_;
  bool shown_;
  bool drawn_ = false;
  std::string last_;  ///< the text on the line now, not drawn again
};

}  // namespace socklab::cli
