#include "submission.hpp"

#include <fstream>
#include <iterator>
#include <stdexcept>

#include "process.hpp"

namespace socklab::cli {
namespace {

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Writes only on a change, keeping the old timestamp (and so the old build) otherwise.
void copy_if_changed(const fs::path& from, const fs::path& to) {
  if (fs::exists(to) && read_file(from) == read_file(to)) {
    return;
  }
  fs::create_directories(to.parent_path());
  fs::copy_file(from, to, fs::copy_options::overwrite_existing);
}

}  // namespace

PreparedSubmission prepare_submission(const Manifest& project, const fs::path& submission,
                                      const fs::path& work_dir) {
  if (!fs::is_directory(submission)) {
    throw std::runtime_error("the submission " + submission.string() + " is not a folder");
  }
  const fs::path labs_root = fs::is_directory(submission / "labs") ? submission / "labs" : submission;
  const fs::path overlay = fs::absolute(work_dir) / "labs";
  PreparedSubmission prepared{.build_dir = fs::absolute(work_dir) / "build"};

  const fs::path project_labs = project.source_dir / "labs";
  for (const auto& entry : fs::recursive_directory_iterator(project_labs)) {
    if (!entry.is_regular_file()) {
      continue;
    }
    copy_if_changed(entry.path(), overlay / fs::relative(entry.path(), project_labs));
  }
  for (const Chapter& chapter : project.chapters) {
    for (const auto& file : chapter.lab_files) {
      const fs::path relative = fs::path(chapter.slug) / file;
      const fs::path theirs = labs_root / relative;
      if (fs::is_regular_file(theirs)) {
        copy_if_changed(theirs, overlay / relative);
        prepared.notes.push_back("graded " + relative.string() + " from the submission");
      } else {
        prepared.notes.push_back("no " + relative.string() + " in the submission: the starter stub was graded");
      }
    }
  }

  if (!fs::exists(prepared.build_dir / "CMakeCache.txt")) {
    const RunResult configured = run(
        {"cmake", "-S", project.source_dir.string(), "-B", prepared.build_dir.string(), "-G", "Ninja",
         "-DCMAKE_BUILD_TYPE=" + project.build_type, "-DCMAKE_CXX_FLAGS=" + project.cxx_flags,
         "-DCMAKE_EXE_LINKER_FLAGS=" + project.exe_linker_flags, "-DSOCKLAB_SUBMISSION_BUILD=ON",
         "-DSOCKLAB_LABS_DIR=" + overlay.string(), "-DSOCKLAB_PROJECT_BUILD=" + project.build_dir.string()},
        {.time_limit = std::chrono::minutes(5)});
    if (configured.exit_code != 0) {
      throw std::runtime_error("cannot configure the submission build in " +
                               prepared.build_dir.string() + ":\n" + configured.output);
    }
  }
  return prepared;
}

}  // namespace socklab::cli
