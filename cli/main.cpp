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

#include "archive.hpp"
#include "build.hpp"
#include "classroom.hpp"
#include "gradescope.hpp"
#include "grading.hpp"
#include "hints.hpp"
#include "manifest.hpp"
#include "process.hpp"
#include "progress_line.hpp"
#include "report.hpp"
#include "socklab/command_line.hpp"
#include "socklab/terminal.hpp"
#include "status.hpp"
#include "submission.hpp"
#include "text.hpp"
#include "watch.hpp"

namespace {

using namespace socklab::cli;

// Tests run at once by status and watch: twice the cores, because most graded
// tests wait (on sockets, timers, or a starter stub's time-out) far more than
// they compute; chapter 07's stubs grade in half the time at 4 than at 2 on
// 2 cores, and chapter 02's CPU-bound differential tests lose nothing.
unsigned default_test_jobs() { return 2 * std::max(1U, std::thread::hardware_concurrency()); }

fs::path build_dir() {
  const char* override_dir = std::getenv("SOCKLAB_BUILD_DIR");
  return override_dir != nullptr && *override_dir != '\0' ? fs::path(override_dir) : fs::path(SOCKLAB_BUILD_DIR);
}

std::vector<Chapter> selected(const Manifest& manifest, const std::vector<std::string>& names) {
  if (names.empty()) {
    return manifest.chapters;
  }
  std::vector<Chapter> chapters;
  chapters.reserve(names.size());
  for (const auto& name : names) {
    chapters.push_back(manifest.find(name));
  }
  return chapters;
}

// What each graded test may use (see TestLimits), as the command's options.
struct LimitOptions {
  double timeout = 30;
  unsigned memory_mib = 2048;
  unsigned max_processes = 64;
  unsigned max_output_mib = 8;
  unsigned max_file_mib = 64;

  [[nodiscard]] TestLimits limits(bool sanitizer) const {
    return {.time = std::chrono::milliseconds(static_cast<long>(timeout * 1000)),
            .memory = std::uint64_t{memory_mib} << 20,
            .file_size = std::uint64_t{max_file_mib} << 20,
            .processes = max_processes,
            .output = std::size_t{max_output_mib} << 20,
            .sanitizer = sanitizer};
  }
  /// The same limits as options of `socklab grade`.
  [[nodiscard]] std::vector<std::string> arguments() const {
    return {"--timeout", fmt::format("{}", timeout), "--memory", std::to_string(memory_mib), "--max-processes",
            std::to_string(max_processes), "--max-output", std::to_string(max_output_mib), "--max-file",
            std::to_string(max_file_mib)};
  }
};

void add_limit_options(CLI::App* command, LimitOptions& limits) {
  command->add_option("--timeout", limits.timeout, "Seconds each test may take (wall clock; CPU time: one more)")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  command->add_option("--memory", limits.memory_mib, "MiB of address space each process of a test may use (0: no limit)")
      ->check(CLI::Range(0U, 1U << 20))
      ->capture_default_str();
  command->add_option("--max-processes", limits.max_processes, "Processes a test may run at once")
      ->check(CLI::Range(1U, 4096U))
      ->capture_default_str();
  command->add_option("--max-output", limits.max_output_mib, "MiB a test may print before it is stopped")
      ->check(CLI::Range(1U, 1024U))
      ->capture_default_str();
  command->add_option("--max-file", limits.max_file_mib, "MiB the largest file a test writes may have")
      ->check(CLI::Range(1U, 1U << 20))
      ->capture_default_str();
}

struct GradeCommand {
  std::vector<std::string> chapters;
  std::string submission;
  std::string class_dir;
  std::string work_dir;
  std::string reports;
  std::string extra_tests;
  std::string summary;
  bool sanitize = false;
  std::string format = "table";
  std::string out;
  unsigned jobs = std::max(1U, std::thread::hardware_concurrency());
  LimitOptions limits;
};

// Writes `text` to the file `out`, or to standard output when `out` is "".
void write_output(const std::string& out, const std::string& text) {
  if (out.empty()) {
    fmt::print("{}", text);
    return;
  }
  std::ofstream file(out, std::ios::binary | std::ios::trunc);
  file << text;
  if (!file.flush()) {
    throw std::runtime_error("cannot write " + out);
  }
}

// The instructor's extra tests, checked: DIR/<slug>/*_test.cpp for some chapter.
SubmissionOptions submission_options(const GradeCommand& command, const Manifest& project) {
  if (command.extra_tests.empty()) {
    return {.sanitize = command.sanitize};
  }
  const fs::path folder = fs::canonical(command.extra_tests);
  for (const Chapter& chapter : project.chapters) {
    if (!fs::is_directory(folder / chapter.slug)) {
      continue;
    }
    for (const auto& entry : fs::directory_iterator(folder / chapter.slug)) {
      if (entry.path().filename().string().ends_with("_test.cpp")) {
        return {.extra_tests = folder, .sanitize = command.sanitize};
      }
    }
  }
  throw std::runtime_error("--extra-tests " + folder.string() +
                           " holds no <chapter>/*_test.cpp file (e.g. 01-socket-types/hidden_test.cpp)");
}

int class_command(const GradeCommand& command, const Manifest& project, const std::vector<Chapter>& chapters,
                  GradeOptions options) {
  const fs::path folder = fs::canonical(command.class_dir);
  const auto submissions = find_submissions(folder);
  if (submissions.empty()) {
    throw std::runtime_error("no submissions in " + folder.string() +
                             ": a class folder holds one folder, .zip, .tar.gz, .tgz or .tar per student");
  }
  const fs::path work_root = command.work_dir.empty() ? project.build_dir / "class" / folder.filename()
                                                      : fs::absolute(command.work_dir);
  const bool terminal = ::isatty(STDERR_FILENO) == 1;
  ClassOptions class_options{
      .parallel = command.jobs,
      .work_root = work_root,
      .reports = command.reports.empty() ? work_root / "reports" : fs::absolute(command.reports),
      .format = command.format,
      .submission = submission_options(command, project),
      .progress = [&](std::size_t done, std::size_t total, const StudentGrade& student) {
        const std::string outcome =
            student.grade ? fmt::format("{}/{} points", student.grade->earned(), student.grade->possible())
                          : "not graded";
        if (terminal) {
          fmt::print(stderr, "\r\x1b[K[{}] {}/{} graded; last: {} ({})", progress_bar(done, total), done, total,
                     student.name, outcome);
        } else {
          fmt::print(stderr, "socklab: [{}/{}] {}: {}\n", done, total, student.name, outcome);
        }
      }};
  // The submissions run in parallel, each one's tests one at a time.
  options.jobs = 1;
  if (terminal) {
    fmt::print(stderr, "socklab: grading {} submissions, {} at once\n", submissions.size(), command.jobs);
  }
  const auto students = grade_class(project, chapters, submissions, options, class_options);
  if (terminal) {
    fmt::print(stderr, "\n");
  }
  std::vector<int> possible;
  possible.reserve(chapters.size());
  for (const Chapter& chapter : chapters) {
    possible.push_back(chapter_points(chapter));
  }
  write_output(command.out, class_csv(chapters, possible, students));
  const auto ungraded = static_cast<std::size_t>(
      std::count_if(students.begin(), students.end(), [](const StudentGrade& s) { return !s.grade; }));
  fmt::print(stderr, "socklab: {} submissions graded{}; a report for each in {}{}\n", students.size() - ungraded,
             ungraded == 0 ? "" : fmt::format(", {} could not be", ungraded), class_options.reports.string(),
             command.out.empty() ? "" : "; the CSV in " + command.out);
  const bool complete = std::all_of(students.begin(), students.end(),
                                    [](const StudentGrade& s) { return s.grade && s.grade->all_built(); });
  return complete ? 0 : 2;
}

int grade_command(const GradeCommand& command) {
  const Manifest project = load_manifest(build_dir());
  const auto chapters = selected(project, command.chapters);
  const GradeOptions options{.jobs = command.jobs, .limits = command.limits.limits(command.sanitize)};
  if (!command.class_dir.empty()) {
    return class_command(command, project, chapters, options);
  }
  Grade grade;
  if (command.submission.empty()) {
    // Always graded anew; the results are kept for `socklab status`.
    GradeOptions own = options;
    own.cache = CacheUse::write;
    ProgressLine progress;
    own.build_progress = progress.builds();
    own.test_progress = progress.tests();
    grade = socklab::cli::grade(project, project, chapters, own);
  } else {
    const fs::path submission = fs::canonical(command.submission);  // "dir/" names "dir" too
    const fs::path work = command.work_dir.empty()
                              ? project.build_dir / "submissions" / archive_stem(submission)
                              : fs::absolute(command.work_dir);
    const PreparedSubmission prepared =
        prepare_submission(project, submission, work, submission_options(command, project));
    GradeOptions submitted = options;
    ProgressLine progress;
    submitted.build_progress = progress.builds();
    submitted.test_progress = progress.tests();
    grade = socklab::cli::grade(project, load_manifest(prepared.build_dir), chapters, submitted);
    grade.notes = prepared.notes;
  }

  const std::string report = command.format == "table"
                                 ? table_report(grade, command.out.empty() && socklab::colour_enabled(STDOUT_FILENO))
                                 : format_report(grade, command.format);
  write_output(command.out, report);
  if (!command.summary.empty()) {
    std::ofstream summary(command.summary, std::ios::binary | std::ios::app);  // a job summary collects steps
    summary << markdown_report(grade) << "\n";
    if (!summary.flush()) {
      throw std::runtime_error("cannot write " + command.summary);
    }
  }
  if (!command.out.empty()) {
    fmt::print(stderr, "socklab: {}/{} points; {} report written to {}\n", grade.earned(), grade.possible(),
               command.format, command.out);
  }
  // The grade is the report; the exit code says only whether grading ran in full.
  return grade.all_built() ? 0 : 2;
}

struct BundleCommand {
  std::string out;
  std::vector<std::string> chapters;
  std::string extra_tests;
  LimitOptions limits;
};

int bundle_command(const BundleCommand& command) {
  const Manifest project = load_manifest(build_dir());
  std::vector<std::string> args;
  for (const Chapter& chapter : selected(project, command.chapters)) {
    if (!command.chapters.empty()) {
      args.push_back(chapter.slug);
    }
  }
  const auto limits = command.limits.arguments();
  args.insert(args.end(), limits.begin(), limits.end());
  if (!command.extra_tests.empty()) {
    GradeCommand check;
    check.extra_tests = command.extra_tests;
    (void)submission_options(check, project);  // the same check as grade --extra-tests
  }
  const fs::path extra = command.extra_tests.empty() ? fs::path() : fs::canonical(command.extra_tests);
  write_gradescope_bundle(project, command.out, args, extra);
  fmt::print(stderr,
             "socklab: wrote the Gradescope autograder bundle {}\n"
             "Upload it as the assignment's autograder (configuration: zip file upload); its setup.sh builds the "
             "project on Gradescope's image, and run_autograder grades each submission.\n",
             command.out);
  return 0;
}

struct StatusCommand {
  bool fresh = false;
  bool verbose = false;
};

int status_command(const StatusCommand& command) {
  const Manifest project = load_manifest(build_dir());
  ProgressLine progress;
  const Grade grade = socklab::cli::grade(
      project, project, project.chapters,
      {.jobs = default_test_jobs(),
       .cache = command.fresh ? CacheUse::write : CacheUse::read_write,
       .build_progress = progress.builds(),
       .test_progress = progress.tests()});
  progress.clear();
  if (command.verbose) {
    for (const ChapterGrade& chapter : grade.chapters) {
      fmt::print(stderr, "socklab: {}: {}\n", chapter.slug,
                 !chapter.built   ? "does not compile"
                 : chapter.cached ? "cached (nothing it depends on changed since it was graded)"
                                  : "graded");
    }
  }
  fmt::print("{}", status_report(grade, project.source_dir, socklab::colour_enabled(STDOUT_FILENO)));
  return 0;
}

struct WatchCommand {
  std::string chapter;
  std::string submission;
  std::string work_dir;
  unsigned max_cycles = 0;
  unsigned debounce_ms = 150;
  bool clear = false;
  unsigned jobs = default_test_jobs();
  LimitOptions limits;
};

int watch_command(const WatchCommand& command) {
  const Manifest project = load_manifest(build_dir());
  return socklab::cli::watch(project, {.chapter = command.chapter,
                                       .submission = command.submission,
                                       .work_dir = command.work_dir,
                                       .max_cycles = command.max_cycles,
                                       .debounce = std::chrono::milliseconds(command.debounce_ms),
                                       .clear = command.clear,
                                       .grade = {.jobs = command.jobs, .limits = command.limits.limits(false)}});
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
  ProgressLine progress;
  if (const BuildOutcome built = build_targets(project.build_dir, {target}, progress.builds()); !built.ok) {
    fmt::print(stderr, "socklab: {} does not compile:\n{}\n", chapter.program, built.first_error);
    return 1;
  }
  std::vector<std::string> argv{(reference ? chapter.program_ref : chapter.program_lab).string()};
  argv.insert(argv.end(), std::next(words.begin()), words.end());
  exec(argv);
  fmt::print(stderr, "socklab: cannot run {}: {}\n", argv.front(), std::strerror(errno));
  return 1;
}

// While grading: orphans of tested code become this process's children, so
// they can be found and ended; when grading ends, whatever is left is killed.
struct Sweeper {
  Sweeper() { become_subreaper(); }
  ~Sweeper() {
    try {
      kill_descendants();
    } catch (const std::exception& error) {
      fmt::print(stderr, "socklab: cannot end leftover processes: {}\n", error.what());
    }
  }
  Sweeper(const Sweeper&) = delete;
  Sweeper& operator=(const Sweeper&) = delete;
};

}  // namespace

int main(int argc, char** argv) {
  // A crashing student test must not leave a core file behind in their folder.
  const rlimit no_core{0, 0};
  ::setrlimit(RLIMIT_CORE, &no_core);

  CLI::App app{"socklab: graded socket-programming labs. With no command: your status.", "socklab"};
  app.require_subcommand(0, 1);

  StatusCommand status_options;
  auto* status = app.add_subcommand("status", "Every chapter with your points, and what to do next");
  status->add_flag("--fresh", status_options.fresh,
                   "Run every chapter's tests, even those whose results are kept from an earlier grading");
  status->add_flag("-v,--verbose", status_options.verbose,
                   "Say, on standard error, which chapters were graded and which results were reused");
  status->footer(
      "A chapter's results are kept in the build folder (socklab-grade-cache/) and reused while nothing they "
      "depend on has changed: its lab files, its compiled tests, the oracle and the grader itself. "
      "./socklab grade always runs the tests.");

  GradeCommand grade;
  auto* grade_cmd = app.add_subcommand("grade", "Run the graded tests and report");
  grade_cmd->add_option("chapters", grade.chapters, "Chapters to grade (slug, number or program); default all");
  auto* submission_option =
      grade_cmd
          ->add_option("--submission", grade.submission,
                       "Grade this folder (shaped like labs/, or a clone of the project), or a .zip, .tar.gz, .tgz "
                       "or .tar of one, instead of labs/")
          ->check(CLI::ExistingPath);
  grade_cmd
      ->add_option("--class", grade.class_dir,
                   "Grade every submission (folder or archive) in this folder, several at once; writes a CSV row "
                   "per student (to --out, or standard output) and a report per student (to --reports)")
      ->check(CLI::ExistingDirectory)
      ->excludes(submission_option);
  grade_cmd->add_option("--work-dir", grade.work_dir,
                        "Where a submission is laid out and built (default build/<preset>/submissions/<name>); "
                        "with --class, the folder holding one such folder per student (default build/<preset>/class/<class>)");
  grade_cmd
      ->add_option("--extra-tests", grade.extra_tests,
                   "With --submission or --class: an instructor's own tests, DIR/<chapter>/*_test.cpp in the "
                   "format of tests/<chapter>/ ([points:N] tags), graded with the public ones and shown as [hidden]")
      ->check(CLI::ExistingDirectory);
  grade_cmd->add_flag("--sanitize", grade.sanitize,
                      "With --submission or --class: build the lab files with ASan and UBSan; a memory error fails "
                      "its test, and the report shows the sanitizer's first lines");
  grade_cmd
      ->add_option("--summary", grade.summary,
                   "Also append the grade, in Markdown, to this file (e.g. \"$GITHUB_STEP_SUMMARY\" in GitHub Actions)")
      ->excludes("--class");
  grade_cmd->add_option("--reports", grade.reports,
                        "With --class: the folder for each student's report, in --format (default <work-dir>/reports)");
  grade_cmd
      ->add_option("--format", grade.format,
                   "table (for people), gradescope (results.json), junit (XML) or markdown (a CI job summary); "
                   "with --class, the students' reports' format (the class itself is CSV)")
      ->check(CLI::IsMember({"table", "gradescope", "junit", "markdown"}))
      ->capture_default_str();
  grade_cmd->add_option("--out", grade.out, "Write the report (with --class, the CSV) to this file instead of standard output");
  grade_cmd->add_option("-j,--jobs", grade.jobs, "Tests run at once; with --class, submissions graded at once")
      ->check(CLI::Range(1U, 256U))
      ->capture_default_str();
  add_limit_options(grade_cmd, grade.limits);

  BundleCommand bundle;
  auto* bundle_cmd = app.add_subcommand(
      "gradescope-bundle", "Write a Gradescope autograder bundle (setup.sh, run_autograder, the project) to a .zip");
  bundle_cmd->add_option("out", bundle.out, "The bundle to write, e.g. autograder.zip")->required();
  bundle_cmd->add_option("chapters", bundle.chapters, "Chapters to grade (slug, number or program); default all");
  bundle_cmd->add_option("--extra-tests", bundle.extra_tests,
                         "Your hidden tests, DIR/<chapter>/*_test.cpp, put in the bundle and graded with the public ones")
      ->check(CLI::ExistingDirectory);
  add_limit_options(bundle_cmd, bundle.limits);

  std::string hint_chapter;
  int hint_number = 1;
  auto* hint = app.add_subcommand("hint", "Show a chapter's hints, one at a time");
  hint->add_option("chapter", hint_chapter, "Chapter (slug, number or program)")->required();
  hint->add_option("n", hint_number, "Which hint (the task's number)")->check(CLI::PositiveNumber)->capture_default_str();

  WatchCommand watch;
  auto* watch_cmd = app.add_subcommand(
      "watch", "Rebuild and re-grade a chapter each time you save one of its lab files, until Ctrl-C");
  watch_cmd->add_option("chapter", watch.chapter,
                        "The chapter to watch (slug, number or program); default: every chapter, starting with "
                        "the first one not at full marks");
  watch_cmd->add_option("--max-cycles", watch.max_cycles,
                        "Stop after this many gradings, the first one included (0: until Ctrl-C)")
      ->capture_default_str();
  watch_cmd->add_option("--debounce", watch.debounce_ms,
                        "Milliseconds the files must be quiet before a burst of saves is graded")
      ->check(CLI::Range(10U, 10000U))
      ->capture_default_str();
  watch_cmd->add_flag("--clear", watch.clear, "Clear the terminal before each report");
  auto* watch_submission =
      watch_cmd
          ->add_option("--submission", watch.submission,
                       "Watch this folder (shaped like labs/, or a clone of the project) instead of labs/, and grade "
                       "it as grade --submission does")
          ->check(CLI::ExistingDirectory);
  watch_cmd->add_option("--work-dir", watch.work_dir,
                        "With --submission: where it is laid out and built (default build/<preset>/watch/<name>)")
      ->needs(watch_submission);
  watch_cmd->add_option("-j,--jobs", watch.jobs, "Tests run at once")->check(CLI::Range(1U, 256U))->capture_default_str();
  add_limit_options(watch_cmd, watch.limits);
  watch_cmd->footer(
      "Each save of a chapter's lab file (or header) rebuilds only that chapter's lab test program and "
      "re-grades it, showing each test, the first failure's message and the points, or the compiler's first "
      "error. Folders are watched, so editors that save by writing a new file and renaming it are seen too; a "
      "burst of saves is graded once. Ctrl-C (SIGINT) or SIGTERM stops it between two reports, killing a "
      "grading under way; the exit status is then 128 + the signal: 130 for Ctrl-C, 143 for SIGTERM. With "
      "--max-cycles N it exits with 0 after N reports.");

  bool reference = false;
  auto* run = app.add_subcommand("run", "Build and run a chapter's program from your lab (or the reference)");
  run->add_flag("--ref", reference, "Run the reference build of the program instead of yours");
  run->prefix_command();  // everything after the program's name is the program's
  run->footer("Example: ./socklab run socket-types --help");

  if (const auto exit_status = socklab::parse_command_line(app, argc, argv, "socklab")) {
    return *exit_status;
  }
  try {
    if (*grade_cmd && !grade.extra_tests.empty() && grade.submission.empty() && grade.class_dir.empty()) {
      throw CLI::ValidationError("--extra-tests", "needs --submission or --class");
    }
    if (*grade_cmd && grade.sanitize && grade.submission.empty() && grade.class_dir.empty()) {
      throw CLI::ValidationError("--sanitize", "needs --submission or --class (or SOCKLAB_PRESET=asan for labs/)");
    }
    if (*grade_cmd) {
      const Sweeper sweeper;
      return grade_command(grade);
    }
    if (*bundle_cmd) {
      return bundle_command(bundle);
    }
    if (*hint) {
      return hint_command(hint_chapter, hint_number);
    }
    if (*run) {
      return run_command(reference, run->remaining());
    }
    if (*watch_cmd) {
      const Sweeper sweeper;
      return watch_command(watch);
    }
    (void)status;
    const Sweeper sweeper;
    return status_command(status_options);
  } catch (const CLI::Error& error) {
    return socklab::usage_status(app, error, "socklab");
  } catch (const std::exception& error) {
    fmt::print(stderr, "socklab: {}\n", error.what());
    return 1;
  }
}
