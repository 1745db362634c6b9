#pragma once
// The Gradescope autograder bundle: `socklab gradescope-bundle OUT.zip`.

#include <filesystem>
#include <string>
#include <vector>

#include "manifest.hpp"

namespace socklab::cli {

/// Writes a Gradescope autograder bundle to \p out (a .zip): at its root,
/// `setup.sh` and `run_autograder` (from templates/gradescope/), the
/// project's source in `socklab/` (the files git tracks or would track; every
/// file but build/ and .git/ without git), \p extra_tests in `extra-tests/`
/// when given, and `socklab-autograder.conf`, which tells run_autograder to
/// grade with \p grade_args (chapters and options of `socklab grade`) and the
/// extra tests.  \throws std::runtime_error, std::system_error.
void write_gradescope_bundle(const Manifest& project, const std::filesystem::path& out,
                             const std::vector<std::string>& grade_args, const std::filesystem::path& extra_tests);

/// \p word quoted for bash: in single quotes, each ' written '\''.
std::string shell_quote(const std::string& word);

}  // namespace socklab::cli
