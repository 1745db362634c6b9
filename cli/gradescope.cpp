#include "gradescope.hpp"

#include <fstream>
#include <stdexcept>

#include "archive.hpp"
#include "process.hpp"
#include "text.hpp"

namespace socklab::cli {
namespace {

bool executable(const fs::path& path) {
  return (fs::status(path).permissions() & fs::perms::owner_exec) != fs::perms::none;
}

// The project's files, relative to its folder: what git tracks or would track
// (not what .gitignore ignores, such as build/), or without git every regular
// file outside build/ and .git/.
std::vector<fs::path> project_files(const fs::path& source_dir) {
  std::vector<fs::path> files;
  try {
    const RunResult listed = run({"git", "-C", source_dir.string(), "ls-files", "-z", "--cached", "--others",
                                  "--exclude-standard"},
                                 {.time_limit = std::chrono::minutes(1), .output_limit = 16 << 20});
    if (listed.exit_code == 0) {
      for (std::size_t start = 0; start < listed.output.size();) {
        const auto end = listed.output.find('\0', start);
        const std::string name = listed.output.substr(start, end - start);
        start = end == std::string::npos ? listed.output.size() : end + 1;
        if (!name.empty() && fs::is_regular_file(fs::symlink_status(source_dir / name))) {
          files.emplace_back(name);  // a tracked file deleted since is not there
        }
      }
      return files;
    }
  } catch (const std::system_error&) {
    // no git on this machine: walk the folder instead
  }
  for (auto entry = fs::recursive_directory_iterator(source_dir); entry != fs::recursive_directory_iterator();
       ++entry) {
    const std::string name = entry->path().filename().string();
    if (entry->is_directory() && (name == "build" || name == ".git")) {
      entry.disable_recursion_pending();
    } else if (fs::is_regular_file(entry->symlink_status())) {
      files.push_back(fs::relative(entry->path(), source_dir));
    }
  }
  return files;
}

}  // namespace

std::string shell_quote(const std::string& word) { return "'" + replace_all(word, "'", "'\\''") + "'"; }

void write_gradescope_bundle(const Manifest& project, const fs::path& out, const std::vector<std::string>& grade_args,
                             const fs::path& extra_tests) {
  const fs::path templates = project.source_dir / "templates" / "gradescope";
  std::vector<ArchiveMember> members;
  for (const char* script : {"setup.sh", "run_autograder"}) {
    members.push_back({.name = script, .content = read_file(templates / script), .executable = true});
  }
  std::string conf =
      "# Written by `socklab gradescope-bundle`: what run_autograder passes to `socklab grade`.\n"
      "grade_args=(";
  for (const auto& arg : grade_args) {
    conf += shell_quote(arg) + " ";
  }
  if (!extra_tests.empty()) {
    conf += "--extra-tests \"$source_dir/extra-tests\"";
  }
  conf += ")\n";
  members.push_back({.name = "socklab-autograder.conf", .content = conf});

  for (const fs::path& file : project_files(project.source_dir)) {
    const fs::path path = project.source_dir / file;
    members.push_back({.name = "socklab/" + file.generic_string(), .content = read_file(path),
                       .executable = executable(path)});
  }
  if (!extra_tests.empty()) {
    for (const auto& entry : fs::recursive_directory_iterator(extra_tests)) {
      if (fs::is_regular_file(entry.symlink_status())) {
        members.push_back({.name = "extra-tests/" + fs::relative(entry.path(), extra_tests).generic_string(),
                           .content = read_file(entry.path())});
      }
    }
  }
  write_zip(out, members);
}

}  // namespace socklab::cli
