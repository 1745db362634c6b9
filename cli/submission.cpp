#include "submission.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <stdexcept>

#include "archive.hpp"
#include "process.hpp"
#include "text.hpp"
#include "socklab/file_descriptor.hpp"
#include "socklab/system_error.hpp"

namespace socklab::cli {
namespace {

// A submission's file, read without following a symbolic link in its last
// part (the folders above it were checked by the caller).
std::string read_submitted(const fs::path& path) {
  const FileDescriptor in(check("open " + path.string(), ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC)));
  std::string content;
  char chunk[16384];
  for (;;) {
    const ssize_t got = ::read(in.get(), chunk, sizeof chunk);
    if (got == -1 && errno == EINTR) {
      continue;
    }
    if (check("read " + path.string(), got) == 0) {
      return content;
    }
    content.append(chunk, static_cast<std::size_t>(got));
  }
}

// Writes only on a change, keeping the old timestamp (and so the old build) otherwise.
void write_if_changed(const std::string& content, const fs::path& to) {
  if (fs::exists(to) && read_file(to) == content) {
    return;
  }
  fs::create_directories(to.parent_path());
  std::ofstream out(to, std::ios::binary | std::ios::trunc);
  out << content;
  if (!out.flush()) {
    throw std::runtime_error("cannot write " + to.string());
  }
}

bool is_real_directory(const fs::path& path) {
  std::error_code ignored;
  return fs::symlink_status(path, ignored).type() == fs::file_type::directory;
}

// Where the submission's own copy of `relative` would be, and why it cannot be
// used, or "" when it can.
std::string unusable(const fs::path& labs_root, const fs::path& relative) {
  fs::path path = labs_root;
  std::error_code ignored;
  for (const auto& part : relative) {
    path /= part;
    const auto type = fs::symlink_status(path, ignored).type();
    if (type == fs::file_type::not_found) {
      return "missing";
    }
    if (type == fs::file_type::symlink) {
      return "a symbolic link";
    }
  }
  if (fs::symlink_status(path, ignored).type() != fs::file_type::regular) {
    return "not a regular file";
  }
  if (fs::file_size(path, ignored) > kLabFileLimit) {
    return "over " + std::to_string(kLabFileLimit / 1024) + " KiB";
  }
  return "";
}

std::vector<std::string> configure_command(const Manifest& project, const fs::path& build_dir,
                                           const fs::path& overlay, const SubmissionOptions& options) {
  std::string cxx_flags = project.cxx_flags;
  std::string linker_flags = project.exe_linker_flags;
  if (options.sanitize && cxx_flags.find("-fsanitize=address") == std::string::npos) {
    cxx_flags += std::string(cxx_flags.empty() ? "" : " ") + kSanitizerFlags;
    linker_flags += std::string(linker_flags.empty() ? "" : " ") + "-fsanitize=address,undefined";
  }
  std::vector<std::string> argv{"cmake", "-S", project.source_dir.string(), "-B", build_dir.string(), "-G", "Ninja",
                                "-DCMAKE_BUILD_TYPE=" + project.build_type,
                                "-DCMAKE_CXX_FLAGS=" + cxx_flags,
                                "-DCMAKE_EXE_LINKER_FLAGS=" + linker_flags,
                                "-DSOCKLAB_SUBMISSION_BUILD=ON", "-DSOCKLAB_LABS_DIR=" + overlay.string(),
                                "-DSOCKLAB_PROJECT_BUILD=" + project.build_dir.string()};
  if (!project.cxx_compiler.empty()) {
    argv.push_back("-DCMAKE_CXX_COMPILER=" + project.cxx_compiler);
  }
  if (!project.linker.empty()) {
    argv.push_back("-DSOCKLAB_LINKER=" + project.linker);
  }
  if (!options.extra_tests.empty()) {
    argv.push_back("-DSOCKLAB_EXTRA_TESTS=" + options.extra_tests.string());
  }
  return argv;
}

std::string joined(const std::vector<std::string>& words) {
  std::string text;
  for (const auto& word : words) {
    text += word + '\n';
  }
  return text;
}

// Brings the build in `build_dir` up to date with `command`: a new folder is
// configured; an existing one configured the same way is regenerated only
// when the project's CMake files changed (ninja's own check, which costs
// nothing when they did not).  Returns the failure's output, or "".
std::string configure(const fs::path& build_dir, const std::vector<std::string>& command) {
  const fs::path stamp = build_dir / "socklab-configure.txt";
  const bool configured = fs::exists(build_dir / "build.ninja") && fs::exists(stamp) &&
                          read_file(stamp) == joined(command);
  const RunOptions options{.time_limit = std::chrono::minutes(5)};
  const RunResult ran = configured ? run({"cmake", "--build", build_dir.string(), "--target", "build.ninja"}, options)
                                   : run(command, options);
  if (ran.exit_code != 0) {
    return ran.timed_out ? "configuring took over 5 minutes" : ran.output;
  }
  if (!configured) {
    write_if_changed(joined(command), stamp);
  }
  return "";
}

}  // namespace

fs::path find_labs_root(const fs::path& folder, const Manifest& project) {
  fs::path here = folder;
  for (int depth = 0; depth < 4; ++depth) {
    if (is_real_directory(here / "labs")) {
      return here / "labs";
    }
    for (const Chapter& chapter : project.chapters) {
      if (is_real_directory(here / chapter.slug)) {
        return here;
      }
    }
    fs::path only;
    int folders = 0;
    for (const auto& entry : fs::directory_iterator(here)) {
      const std::string name = entry.path().filename().string();
      if (is_real_directory(entry.path()) && !name.starts_with('.') && name != "__MACOSX") {
        only = entry.path();
        ++folders;
      }
    }
    if (folders != 1) {
      break;
    }
    here = only;
  }
  return folder;
}

PreparedSubmission prepare_submission(const Manifest& project, const fs::path& submission,
                                      const fs::path& work_dir, const SubmissionOptions& options) {
  const fs::path work = fs::absolute(work_dir);
  PreparedSubmission prepared{.build_dir = work / (options.sanitize ? "build-sanitize" : "build")};
  fs::path folder = submission;
  if (fs::is_regular_file(submission) && is_archive(submission)) {
    folder = work / "unpacked";
    fs::remove_all(folder);
    prepared.notes = extract_archive(submission, folder);
  } else if (!fs::is_directory(submission)) {
    throw std::runtime_error("the submission " + submission.string() +
                             " is neither a folder nor a .zip, .tar.gz, .tgz or .tar archive");
  }
  const fs::path labs_root = find_labs_root(folder, project);
  const fs::path overlay = work / "labs";

  // What the overlay should hold, decided in full before anything is written,
  // so that a file the submission replaces is not rewritten (and rebuilt) twice.
  std::map<fs::path, std::string> overlay_files;
  const fs::path project_labs = project.source_dir / "labs";
  for (const auto& entry : fs::recursive_directory_iterator(project_labs)) {
    if (entry.is_regular_file()) {
      overlay_files[fs::relative(entry.path(), project_labs)] = read_file(entry.path());
    }
  }
  for (const Chapter& chapter : project.chapters) {
    for (const auto& file : chapter.lab_files) {
      const fs::path relative = fs::path(chapter.slug) / file;
      const std::string problem = unusable(labs_root, relative);
      if (problem.empty()) {
        overlay_files[relative] = read_submitted(labs_root / relative);
        prepared.notes.push_back("graded " + relative.string() + " from the submission");
      } else if (problem == "missing") {
        prepared.notes.push_back("no " + relative.string() + " in the submission: the starter stub was graded");
      } else {
        prepared.notes.push_back(relative.string() + " in the submission is " + problem +
                                 ": not taken; the starter stub was graded");
      }
    }
  }
  for (const auto& [relative, content] : overlay_files) {
    write_if_changed(content, overlay / relative);
  }

  const auto command = configure_command(project, prepared.build_dir, overlay, options);
  if (const std::string failed = configure(prepared.build_dir, command); !failed.empty()) {
    // A folder from an older project, or one left half made: start afresh, once.
    fs::remove_all(prepared.build_dir);
    if (const std::string again = configure(prepared.build_dir, command); !again.empty()) {
      throw std::runtime_error("cannot configure the submission build in " + prepared.build_dir.string() + ":\n" +
                               again);
    }
  }
  return prepared;
}

}  // namespace socklab::cli
