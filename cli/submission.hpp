#pragma once
// Preparing a student's submission for grading: overlay and build folder.

#include <filesystem>
#include <string>
#include <vector>

#include "manifest.hpp"

namespace socklab::cli {

/// A submission made ready to build.
struct PreparedSubmission {
  std::filesystem::path build_dir{};  ///< a configured submission build
  std::vector<std::string> notes{};   ///< which files came from where
};

/// Lays out \p submission for grading in \p work_dir and configures a
/// submission build there, which compiles only the lab files and links the
/// project build's compiled tests and libraries.
///
/// \p submission is a folder shaped like `labs/` (`01-socket-types/…`) or a
/// clone of the whole project (one holding `labs/`).  The overlay in
/// `work_dir/labs` starts from the project's labs; each lab file the build
/// compiles (the chapters' `.cpp` files) is taken from the submission when it
/// has one, else the starter stays and scores nothing.  Headers always come
/// from the project: they are the specification, not the student's to change.
/// Other files of the submission are ignored.  Files are rewritten only when
/// their content changes, so grading again rebuilds only what changed.
/// \throws std::runtime_error when the submission is missing or the build
/// cannot be configured.
PreparedSubmission prepare_submission(const Manifest& project, const std::filesystem::path& submission,
                                      const std::filesystem::path& work_dir);

}  // namespace socklab::cli
