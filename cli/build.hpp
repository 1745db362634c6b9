#pragma once
// Building targets of a CMake build folder from the `socklab` command.

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace socklab::cli {

/// What building some targets gave.
struct BuildOutcome {
  bool ok = false;
  std::string first_error;  ///< the compiler's or linker's first error, for a report
  std::string output;       ///< the whole build output, cut to a sane length
};

/// How far a build has got, as Ninja reports it: "[done/total] " begins each
/// of its lines.  `finished` marks the last report, once the build has ended.
struct BuildProgress {
  int done = 0;
  int total = 0;
  bool finished = false;
};

/// Called with each step of a build as Ninja reports it (see BuildProgress).
using BuildProgressHandler = std::function<void(const BuildProgress&)>;

/// The progress that one line of Ninja's output reports ("[12/141] Building
/// CXX object ..."), or nothing for any other line.
std::optional<BuildProgress> ninja_progress(std::string_view line);

/// Follows Ninja's output as it is read, in pieces that may split a line
/// anywhere, and reports each step a whole line announces.
class BuildProgressReader {
 public:
  explicit BuildProgressReader(BuildProgressHandler on_progress);
  /// The next piece of output.
  void read(std::string_view piece);
  /// The build has ended: the last step reported, once more, as `finished`
  /// (nothing when no step was).
  void finish();

 private:
  BuildProgressHandler on_progress_;
  std::string line_;  ///< the start of the line being read
  std::optional<BuildProgress> last_;
};

/// Builds \p targets in \p build_dir with `cmake --build`, holding an
/// exclusive lock on the folder meanwhile, so that two graders never run two
/// builds in one folder at once.  When \p on_progress is given, it hears of
/// each step as the build makes it, and once more (`finished`) at its end
/// if it heard of any: a build with nothing to do reports nothing.
BuildOutcome build_targets(const std::filesystem::path& build_dir,
                           const std::vector<std::string>& targets,
                           const BuildProgressHandler& on_progress = {});

/// The first line of \p build_output that reports an error (with the line
/// after it, which often names what was expected), or a short tail if none does.
std::string first_error(const std::string& build_output);

}  // namespace socklab::cli
