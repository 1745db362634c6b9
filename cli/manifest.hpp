#pragma once
// What the build tells the `socklab` command: chapters, targets and paths
// (socklab-manifest.json, written by cmake/SocklabChapter.cmake).

#include <filesystem>
#include <string>
#include <vector>

namespace socklab::cli {

namespace fs = std::filesystem;

/// One chapter, as the build made it.
struct Chapter {
  std::string slug;     ///< e.g. "01-socket-types"
  std::string title;    ///< e.g. "Socket types"
  std::string article;  ///< the article's section heading
  std::string program;  ///< the lab program's name, e.g. "socket-types"
  std::vector<std::string> lab_files;  ///< the files a student writes, relative to labs/<slug>
  std::string tests_lab_target;
  fs::path tests_lab;
  std::string program_lab_target;
  fs::path program_lab;
  // Only in a project build (not in a submission build):
  std::string tests_ref_target;
  fs::path tests_ref;
  std::string tests_archive_target;  ///< the compiled tests, which submission builds link
  std::string oracle_target;
  std::string program_ref_target;
  fs::path program_ref;
  // Only in a submission build graded with an instructor's extra tests:
  std::string extra_tests_ref_target;  ///< the extra tests linked with the reference
  fs::path extra_tests_ref;

  /// The two-digit number the slug starts with, e.g. "01".
  [[nodiscard]] std::string number() const { return slug.substr(0, 2); }
};

/// A build folder's manifest.
struct Manifest {
  fs::path source_dir;
  fs::path build_dir;
  fs::path labs_dir;
  bool submission_build = false;
  std::vector<Chapter> chapters;
  // How the project build compiles, so that a submission build matches it
  // (a sanitizer build's archives link only with the same flags; the same
  // compiler and linker, passed on, are not looked for again):
  std::string build_type;
  std::string cxx_flags;
  std::string exe_linker_flags;
  std::string cxx_compiler;
  std::string linker;

  /// The chapter named by \p name: its slug, its number ("1" or "01"), or its
  /// program's name.  \throws std::runtime_error listing the chapters if none.
  [[nodiscard]] const Chapter& find(const std::string& name) const;
};

/// Reads \p build_dir/socklab-manifest.json.  \throws std::runtime_error.
Manifest load_manifest(const fs::path& build_dir);

}  // namespace socklab::cli
