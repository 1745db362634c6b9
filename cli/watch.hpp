#pragma once
// `socklab watch`: the student's loop.  Save a lab file, and its chapter is
// rebuilt and re-graded at once.

#include <chrono>
#include <filesystem>
#include <string>

#include "grading.hpp"
#include "manifest.hpp"

namespace socklab::cli {

struct WatchOptions {
  /// The chapter to watch (slug, number or program); "" for every chapter:
  /// the first one not at full marks is graded first, then whichever changes.
  std::string chapter{};
  /// A folder shaped like labs/ (or a clone) to watch instead of the project's
  /// labs/, graded as `grade --submission` grades it, in \ref work_dir.
  std::filesystem::path submission{};
  std::filesystem::path work_dir{};
  /// Stop after this many gradings, the first one included (0: until a signal).
  unsigned max_cycles = 0;
  /// How long the files must be quiet before a burst of changes is graded.
  std::chrono::milliseconds debounce{150};
  bool clear = false;  ///< clear the terminal before each report (only on a terminal)
  GradeOptions grade{};
};

/// Watches the lab folders with inotify(7), and on each change (a write, a
/// rename onto a file, a new or deleted file, a touch) rebuilds the changed
/// chapter's lab test program and grades it, printing its tests, the first
/// failure's message and the points, or the compiler's first error.  Folders
/// are watched, not files, so editors that save by writing a new file and
/// renaming it over the old one are seen too; a burst of changes is graded
/// once, after \ref WatchOptions::debounce of quiet.
///
/// SIGINT and SIGTERM (read through a signalfd, never in a handler) end it
/// between two reports: a grading under way is stopped and its processes are
/// killed, and nothing half-printed is left.
/// \returns 128 + the signal's number (130 for Ctrl-C, 143 for SIGTERM), or
/// 0 once \ref WatchOptions::max_cycles gradings have been shown.
/// \throws std::runtime_error when the labs cannot be watched.
int watch(const Manifest& project, const WatchOptions& options);

}  // namespace socklab::cli
