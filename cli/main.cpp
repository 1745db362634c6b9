// socklab: the workbook's command.  The ./socklab launcher at the top of the
// repository sets up and builds, then hands the rest of its arguments here.

#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <thread>

#include <fmt/core.h>

#include "build.hpp"
#include "grading.hpp"
#include "hints.hpp"
#include "manifest.hpp"
#include "process.hpp"
#include "report.hpp"
#include "socklab/terminal.hpp"
#include "status.hpp"
#include "submission.hpp"

namespace {

using namespace socklab::cli;

fs::path build_dir() {
  const char* override_dir = std::getenv("SOCKLAB_BUILD_DIR");
  return override_dir != nullptr && *override_dir != '\0' ? fs::path(override_dir) : fs::path(SOCKLAB_BUILD_DIR);
}

std::vector<Chapter> selected(const Manifest& manifest, const std::vector<std::string>& names) {
  if (names.empty()) {
    return manifest.chapters;
  }
  std::vector<Chapter> chapters;
  for (const auto& name : names) {
    chapters.push_back(manifest.find(name));
  }
  return chapters;
}

struct GradeCommand {
  std::vector<std::string> chapters;
  std::string submission;
  std::string work_dir;
  std::string format = "table";
  std::string out;
  unsigned jobs = std::max(1U, std::thread::hardware_concurrency());
  double timeout = 30;
};

int grade_command(const GradeCommand& command) {
  const Manifest project = load_manifest(build_dir());
  const auto chapters = selected(project, command.chapters);
  const GradeOptions options{
      .jobs = command.jobs,
      .test_limit = std::chrono::milliseconds(static_cast<long>(command.timeout * 1000))};
  Grade grade;
  if (command.submission.empty()) {
    grade = socklab::cli::grade(project, project, chapters, options);
  } else {
    const fs::path submission = fs::canonical(command.submission);  // "dir/" names "dir" too
    const fs::path work = command.work_dir.empty()
                              ? project.build_dir / "submissions" / submission.filename()
                              : fs::absolute(command.work_dir);
    const PreparedSubmission prepared = prepare_submission(project, submission, work);
    grade = socklab::cli::grade(project, load_manifest(prepared.build_dir), chapters, options);
    grade.notes = prepared.notes;
  }

  std::string report;
  if (command.format == "gradescope") {
    report = gradescope_report(grade);
  } else if (command.format == "junit") {
    report = junit_report(grade);
  } else {
    report = table_report(grade, command.out.empty() && socklab::colour_enabled(STDOUT_FILENO));
  }
  if (command.out.empty()) {
    fmt::print("{}", report);
  } else {
    std::ofstream(command.out) << report;
    fmt::print(stderr, "socklab: {}/{} points; {} report written to {}\n", grade.earned(), grade.possible(),
               command.format, command.out);
  }
  // The grade is the report; the exit code says only whether grading ran in full.
  return grade.all_built() ? 0 : 2;
}

int status_command() {
  const Manifest project = load_manifest(build_dir());
  const Grade grade = socklab::cli::grade(project, project, project.chapters,
                                          {.jobs = std::max(1U, std::thread::hardware_concurrency())});
  fmt::print("{}", status_report(grade, project.source_dir, socklab::colour_enabled(STDOUT_FILENO)));
  return 0;
}

int hint_command(const std::string& chapter_name, int number) {
  const Manifest project = load_manifest(build_dir());
  const Chapter& chapter = project.find(chapter_name);
  const auto hints = load_hints(project.source_dir / "chapters" / chapter.slug / "hints.md");
  if (hints.empty()) {
    fmt::print("Chapter {} has no hints yet.\n", chapter.slug);
    return 0;
  }
  const auto found = std::find_if(hints.begin(), hints.end(), [&](const Hint& h) { return h.number == number; });
  if (found == hints.end()) {
    fmt::print(stderr, "socklab: chapter {} has hints 1 to {}; there is no hint {}\n", chapter.slug,
               hints.back().number, number);
    return 1;
  }
  fmt::print("Hint {} of {} for {} ({})\n{}\n\n{}\n", found->number, hints.size(), chapter.slug, chapter.title,
             found->title, found->body);
  if (std::next(found) != hints.end()) {
    fmt::print("\nNext hint: ./socklab hint {} {}\n", chapter.slug, std::next(found)->number);
  }
  return 0;
}

int run_command(bool reference, const std::vector<std::string>& words) {
  if (words.empty()) {
    throw CLI::ValidationError("run", "name a program, e.g. ./socklab run socket-types");
  }
  const Manifest project = load_manifest(build_dir());
  const Chapter& chapter = project.find(words.front());
  const auto& target = reference ? chapter.program_ref_target : chapter.program_lab_target;
  if (const BuildOutcome built = build_targets(project.build_dir, {target}); !built.ok) {
    fmt::print(stderr, "socklab: {} does not compile:\n{}\n", chapter.program, built.first_error);
    return 1;
  }
  std::vector<std::string> argv{(reference ? chapter.program_ref : chapter.program_lab).string()};
  argv.insert(argv.end(), std::next(words.begin()), words.end());
  exec(argv);
  fmt::print(stderr, "socklab: cannot run {}: {}\n", argv.front(), std::strerror(errno));
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  // A crashing student test must not leave a core file behind in their folder.
  const rlimit no_core{0, 0};
  ::setrlimit(RLIMIT_CORE, &no_core);

  CLI::App app{"socklab: graded socket-programming labs. With no command: your status.", "socklab"};
  app.require_subcommand(0, 1);

  auto* status = app.add_subcommand("status", "Every chapter with your points, and what to do next");

  GradeCommand grade;
  auto* grade_cmd = app.add_subcommand("grade", "Run the graded tests and report");
  grade_cmd->add_option("chapters", grade.chapters, "Chapters to grade (slug, number or program); default all");
  grade_cmd->add_option("--submission", grade.submission,
                        "Grade this folder (shaped like labs/, or a clone of the project) instead of labs/")
      ->check(CLI::ExistingDirectory);
  grade_cmd->add_option("--work-dir", grade.work_dir,
                        "Where a submission is laid out and built (default build/<preset>/submissions/<name>)");
  grade_cmd->add_option("--format", grade.format, "table (for people), gradescope (results.json) or junit (XML)")
      ->check(CLI::IsMember({"table", "gradescope", "junit"}))
      ->capture_default_str();
  grade_cmd->add_option("--out", grade.out, "Write the report to this file instead of standard output");
  grade_cmd->add_option("-j,--jobs", grade.jobs, "Tests run at once")->check(CLI::Range(1U, 256U))->capture_default_str();
  grade_cmd->add_option("--timeout", grade.timeout, "Seconds each test may take")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();

  std::string hint_chapter;
  int hint_number = 1;
  auto* hint = app.add_subcommand("hint", "Show a chapter's hints, one at a time");
  hint->add_option("chapter", hint_chapter, "Chapter (slug, number or program)")->required();
  hint->add_option("n", hint_number, "Which hint (the task's number)")->check(CLI::PositiveNumber)->capture_default_str();

  bool reference = false;
  auto* run = app.add_subcommand("run", "Build and run a chapter's program from your lab (or the reference)");
  run->add_flag("--ref", reference, "Run the reference build of the program instead of yours");
  run->prefix_command();  // everything after the program's name is the program's
  run->footer("Example: ./socklab run socket-types --help");

  CLI11_PARSE(app, argc, argv);
  try {
    if (*grade_cmd) {
      return grade_command(grade);
    }
    if (*hint) {
      return hint_command(hint_chapter, hint_number);
    }
    if (*run) {
      return run_command(reference, run->remaining());
    }
    (void)status;
    return status_command();
  } catch (const CLI::Error& error) {
    return app.exit(error);
  } catch (const std::exception& error) {
    fmt::print(stderr, "socklab: {}\n", error.what());
    return 1;
  }
}
