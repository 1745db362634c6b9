#pragma once
// Building targets of a CMake build folder from the `socklab` command.

#include <filesystem>
#include <string>
#include <vector>

namespace socklab::cli {

/// What building some targets gave.
struct BuildOutcome {
  bool ok = false;
  std::string first_error;  ///< the compiler's or linker's first error, for a report
  std::string output;       ///< the whole build output, cut to a sane length
};

/// Builds \p targets in \p build_dir with `cmake --build`, holding an
/// exclusive lock on the folder meanwhile, so that two graders never run two
/// builds in one folder at once.
BuildOutcome build_targets(const std::filesystem::path& build_dir,
                           const std::vector<std::string>& targets);

/// The first line of \p build_output that reports an error (with the line
/// after it, which often names what was expected), or a short tail if none does.
std::string first_error(const std::string& build_output);

}  // namespace socklab::cli
