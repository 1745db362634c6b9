#pragma once
// Preparing a student's submission for grading: overlay and build folder.

#include <cstdint>
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

/// How a submission build is made, beyond the project build it links.
struct SubmissionOptions {
  /// An instructor's hidden tests: DIR/<slug>/*_test.cpp, compiled into the
  /// chapters' test programs of the submission build.  Empty: none.
  std::filesystem::path extra_tests{};
  /// Build the lab files with AddressSanitizer and UndefinedBehaviorSanitizer
  /// (kSanitizerFlags), in work_dir/build-sanitize, so that a memory error in
  /// them fails the test it happens in.  The project's compiled tests and
  /// libraries are linked as they are.
  bool sanitize = false;
};

/// The compiler flags of a sanitizer submission build.
inline constexpr const char* kSanitizerFlags =
    "-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all";

/// The largest lab file taken from a submission; a bigger one is refused
/// (the starter is graded instead).
inline constexpr std::uintmax_t kLabFileLimit = 1024 * 1024;

/// Lays out \p submission for grading in \p work_dir and configures a
/// submission build there, which compiles only the lab files and links the
/// project build's compiled tests and libraries.
///
/// \p submission is a folder shaped like `labs/` (`01-socket-types/…`), a
/// clone of the whole project (one holding `labs/`), or a `.zip`, `.tar.gz`
/// or `.tar` of either (see is_archive), which is unpacked safely into
/// `work_dir/unpacked` first; an archive whose files sit in one top folder
/// ("ana/labs/…") is graded from that folder.  The overlay in `work_dir/labs`
/// starts from the project's labs; each lab file the build compiles (the
/// chapters' `.cpp` files) is taken from the submission when it has one as a
/// regular file, else the starter stays and scores nothing.  Symbolic links
/// in a submission are never followed (a link could point at the reference),
/// nor are files over kLabFileLimit taken.  Headers always come from the
/// project: they are the specification, not the student's to change.  Other
/// files of the submission are ignored.  Files are rewritten only when their
/// content changes, so grading again rebuilds only what changed.
///
/// A work folder whose build cannot be brought up to date (configured by an
/// older project, or left half made) is deleted and configured anew, once.
/// \throws std::runtime_error when the submission is missing or unreadable,
/// or the build cannot be configured.
PreparedSubmission prepare_submission(const Manifest& project, const std::filesystem::path& submission,
                                      const std::filesystem::path& work_dir, const SubmissionOptions& options = {});

/// In \p folder (an unpacked archive, a clone or a labs/ folder): the folder
/// shaped like `labs/`.  That is `folder/labs` when it is a real folder; else
/// \p folder itself when it holds a chapter's folder; else the one folder in
/// it (skipping dot folders and `__MACOSX`), searched the same way, to a depth
/// of three; else \p folder (where nothing will be found).
std::filesystem::path find_labs_root(const std::filesystem::path& folder, const Manifest& project);

}  // namespace socklab::cli
