#include "graded_test.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <system_error>
#include <cstring>
#include <fstream>
#include <map>
#include <regex>
#include <stdexcept>

#include "process.hpp"
#include "text.hpp"

namespace socklab::cli {
namespace {

std::vector<std::string> list_names(const std::filesystem::path& binary, const std::string& spec) {
  std::vector<std::string> argv{binary.string(), "--list-test-names-only"};
  if (!spec.empty()) {
    argv.push_back(spec);
  }
  const RunResult listed = run(argv, {.time_limit = std::chrono::seconds(30)});
  if (listed.exit_code < 0) {
    throw std::runtime_error("cannot list the tests of " + binary.string() + ":\n" +
                             listed.output);
  }
  std::vector<std::string> names;
  for (auto& line : lines_of(listed.output)) {
    if (!line.empty()) {
      names.push_back(std::move(line));
    }
  }
  return names;
}

// Tags of the form [kind:N] or [kind_N], with the number.
std::map<std::string, int> numbered_tags(const std::filesystem::path& binary,
                                         const std::regex& pattern) {
  const RunResult listed = run({binary.string(), "--list-tags"}, {.time_limit = std::chrono::seconds(30)});
  std::map<std::string, int> tags;
  for (const auto& line : lines_of(listed.output)) {
    std::smatch match;
    if (std::regex_search(line, match, pattern)) {
      tags[match[0]] = std::stoi(match[1]);
    }
  }
  return tags;
}

// Whether `line` starts an assertion record of the compact reporter,
// "FILE:LINE: passed: " or "FILE:LINE: failed: ", and which.  By hand, not
// with std::regex: this reads what student code printed, and libstdc++'s
// regex recurses per character, so one long line overflows the stack.
enum class Record { none, passed, failed };
Record record_kind(std::string_view line) {
  for (const auto& [marker, kind] : {std::pair{": failed: ", Record::failed}, std::pair{": passed: ", Record::passed}}) {
    const auto at = line.find(marker);
    if (at == std::string_view::npos) {
      continue;
    }
    const std::string_view place = line.substr(0, at);  // FILE:LINE, no spaces
    const auto colon = place.rfind(':');
    const bool has_line_number = colon != std::string_view::npos && colon + 1 < place.size() &&
                                 place.find_first_not_of("0123456789", colon + 1) == std::string_view::npos;
    if (has_line_number && colon > 0 && place.find_first_of(" \t") == std::string_view::npos) {
      return kind;
    }
  }
  return Record::none;
}

// The compact reporter writes each failed assertion as a record line, its
// messages continuing on the lines after it, until the next record or the
// summary.  Those make the message (three failures at most, each line cut
// short); the test's own printing elsewhere does not.
std::string failure_lines(const std::string& output) {
  constexpr std::size_t kLineLimit = 2000;
  std::string message;
  int failures = 0;
  bool in_failure = false;
  for (const auto& line : lines_of(output)) {
    const Record kind = record_kind(line);
    if (kind != Record::none || line.starts_with("Failed ") || line.starts_with("Passed ")) {
      in_failure = kind == Record::failed && failures++ < 3;
    }
    if (in_failure) {
      message += (message.empty() ? "" : "\n") + line.substr(0, kLineLimit);
      if (line.size() > kLineLimit) {
        message += " [... cut]";
      }
    }
  }
  return message;
}

}  // namespace

const char* to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::passed: return "passed";
    case Outcome::failed: return "failed";
    case Outcome::crashed: return "crashed";
    case Outcome::timed_out: return "timed out";
    case Outcome::exited_early: return "exited early";
    case Outcome::over_limit: return "over a limit";
    case Outcome::not_run: return "not run";
  }
  return "unknown";
}

std::vector<GradedTest> list_graded_tests(const std::filesystem::path& binary) {
  std::map<std::string, GradedTest> by_name;
  for (const auto& [tag, points] : numbered_tags(binary, std::regex(R"(\[points:(\d+)\])"))) {
    for (const auto& name : list_names(binary, tag)) {
      auto& test = by_name[name];
      if (test.points != 0) {
        throw std::runtime_error("the test \"" + name + "\" has two [points:N] tags");
      }
      test.points = points;
    }
  }
  for (const auto& [tag, task] : numbered_tags(binary, std::regex(R"(\[task_(\d+)\])"))) {
    for (const auto& name : list_names(binary, tag)) {
      by_name[name].task = task;
    }
  }
  std::vector<GradedTest> tests;
  for (const auto& name : list_names(binary, "")) {
    GradedTest test = by_name[name];
    if (name.find(';') != std::string::npos) {
      throw std::runtime_error("the test \"" + name + "\" has a ';' in its name: CTest would split it in two");
    }
    if (test.points < 1) {
      throw std::runtime_error("the test \"" + name + "\" in " + binary.string() +
                               " has no [points:N] tag (N >= 1): every graded test needs one");
    }
    test.name = name;
    tests.push_back(std::move(test));
  }
  // Task order is the order a student works in; within a task, declaration order.
  std::stable_sort(tests.begin(), tests.end(),
                   [](const GradedTest& a, const GradedTest& b) { return a.task < b.task; });
  return tests;
}

std::string catch_test_spec(const std::string& name) {
  // Catch2's test-spec grammar gives these characters a meaning; a backslash
  // makes each one literal.
  std::string spec;
  for (const char c : name) {
    if (std::strchr("\\,[]\"~*", c) != nullptr) {
      spec += '\\';
    }
    spec += c;
  }
  return spec;
}

namespace {

std::string mebibytes(std::uint64_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

// CPU time a test may use: a second more than its wall-clock time, so that a
// loop on one thread is stopped by the time-out, and one on several threads
// by this limit.
std::uint64_t cpu_seconds(const TestLimits& limits) {
  return static_cast<std::uint64_t>((limits.time.count() + 999) / 1000) + 1;
}

// A report is short; the cap is against a hostile one.  (Read in pieces: a
// zeroed 1 MiB buffer per test was a measurable part of grading's own CPU.)
std::string read_report(const std::filesystem::path& path) {
  constexpr std::size_t limit = 1024 * 1024;
  std::ifstream in(path, std::ios::binary);
  std::string text;
  char piece[16384];
  while (text.size() < limit) {
    in.read(piece, static_cast<std::streamsize>(std::min(sizeof piece, limit - text.size())));
    if (in.gcount() <= 0) {
      return text;
    }
    text.append(piece, static_cast<std::size_t>(in.gcount()));
  }
  return text;
}

// Why a test that was stopped, or that ended by a signal, did not pass; ""
// when it ran to its end.
std::string stopped_because(const RunResult& ran, const TestLimits& limits, Outcome& outcome) {
  const auto seconds = std::to_string((limits.time.count() + 999) / 1000);
  if (ran.timed_out) {
    outcome = Outcome::timed_out;
    return "timed out after " + seconds + " s: an endless loop, or a call that waits for ever?";
  }
  outcome = Outcome::over_limit;
  if (ran.too_many_processes) {
    return "stopped: it ran more than " + std::to_string(limits.processes) +
           " processes at once (fork() in a loop?)";
  }
  if (ran.output_overflow) {
    return "stopped: it printed more than " + mebibytes(limits.output) + " (printing in a loop?)";
  }
  if (limits.sanitizer && ran.output.find("AddressSanitizer: hard rss limit exhausted") != std::string::npos) {
    return "stopped: it used more than " + mebibytes(limits.memory) + " of memory";
  }
  if (ran.signal == SIGXCPU) {
    return "stopped: it used more than " + std::to_string(cpu_seconds(limits)) + " s of CPU time (busy threads?)";
  }
  if (ran.signal == SIGXFSZ) {
    return "stopped: it wrote a file larger than " + mebibytes(limits.file_size);
  }
  if (ran.signal != 0) {
    outcome = Outcome::crashed;
    const char* name = sigabbrev_np(ran.signal);
    std::string message = std::string("crashed with SIG") + (name != nullptr ? name : "?") + " (" +
                          strsignal(ran.signal) + ")";
    if (ran.signal == SIGABRT) {
      message += ": an exception escaping a noexcept function, std::terminate(), or a failed assert?";
    }
    return message;
  }
  return "";
}

}  // namespace

std::string sanitizer_report(const std::string& output, std::size_t lines) {
  std::size_t start = std::string::npos;
  for (const char* marker : {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error: "}) {
    start = std::min(start, output.find(marker));
  }
  if (start == std::string::npos) {
    return "";
  }
  start = output.rfind('\n', start);
  start = start == std::string::npos ? 0 : start + 1;
  std::string report;
  std::size_t taken = 0;
  for (const auto& line : lines_of(output.substr(start, 16384))) {
    if (taken++ == lines) {
      break;
    }
    report += (report.empty() ? "" : "\n") + line.substr(0, 300);
  }
  return report;
}

TestResult run_graded_test(const std::filesystem::path& binary, const GradedTest& test, const TestLimits& limits,
                           const std::filesystem::path& source_dir) {
  // A folder of the test's own, removed afterwards whatever the test did: one
  // killed at its time-out cannot clean up after itself.  It holds the test's
  // TMPDIR and, beside it, the file Catch2 writes its report to.
  std::string scratch = (std::filesystem::temp_directory_path() / "socklab-test-XXXXXX").string();
  if (::mkdtemp(scratch.data()) == nullptr) {
    throw std::system_error(errno, std::system_category(), "mkdtemp");
  }
  const std::filesystem::path tmp = std::filesystem::path(scratch) / "tmp";
  const std::filesystem::path report_file = std::filesystem::path(scratch) / "catch-report.txt";
  std::filesystem::create_directory(tmp);
  std::vector<std::string> environment{"TMPDIR=" + tmp.string()};
  if (limits.sanitizer) {
    environment.push_back("ASAN_OPTIONS=detect_leaks=0:abort_on_error=0:hard_rss_limit_mb=" +
                          std::to_string(limits.memory == 0 ? 4096 : limits.memory >> 20));
    environment.emplace_back("UBSAN_OPTIONS=print_stacktrace=1");
  }
  const RunResult ran =
      run({binary.string(), catch_test_spec(test.name), "-r", "compact", "-o", report_file.string(), "-w",
           "NoAssertions", "--use-colour", "no"},
          {.time_limit = limits.time,
           .environment = environment,
           .limits = {.cpu_seconds = cpu_seconds(limits),
                      .address_space = limits.sanitizer ? 0 : limits.memory,
                      .file_size = limits.file_size,
                      .processes = limits.processes},
           .output_kill = limits.output,
           .process_limit = limits.processes});
  const std::string report = replace_all(read_report(report_file), source_dir.string() + "/", "");
  std::error_code ignored;
  std::filesystem::remove_all(scratch, ignored);

  TestResult result{.test = test, .seconds = ran.elapsed.count()};
  const std::string printed = replace_all(ran.output, source_dir.string() + "/", "");
  result.output = report;
  if (!printed.empty()) {
    result.output += (report.empty() ? "" : "\n") + std::string("[what the test printed]\n") + printed;
  }
  const bool passed_line = report.find("Passed 1 test case") != std::string::npos;
  const bool failed_line = report.find("Failed 1 test case") != std::string::npos;
  const std::string left =
      ran.left_behind == 0 ? ""
                           : "it left " + std::to_string(ran.left_behind) +
                                 (ran.left_behind == 1 ? " process" : " processes") +
                                 " running after it ended (killed by the grader)";

  const std::string sanitizer = passed_line && ran.exit_code == 0 ? "" : sanitizer_report(printed);
  if (std::string stopped = stopped_because(ran, limits, result.outcome); !stopped.empty()) {
    result.message = std::move(stopped);
  } else if (!sanitizer.empty()) {
    result.outcome = Outcome::crashed;
    result.message = "the sanitizer found an error in the code:\n" + sanitizer;
  } else if (ran.exit_code == 0 && passed_line && left.empty()) {
    result.outcome = Outcome::passed;
  } else if (ran.exit_code == 0 && passed_line) {
    result.outcome = Outcome::over_limit;
    result.message = "the checks passed, but " + left;
  } else if (failed_line) {
    result.outcome = Outcome::failed;
    result.message = failure_lines(report);
    if (result.message.empty()) {
      result.message = "failed: the test made no checks before it ended";
    }
  } else if (report.find("No tests ran") != std::string::npos) {
    result.outcome = Outcome::not_run;
    result.message = "the grader could not select this test by its name (a grader bug)";
  } else {
    result.outcome = Outcome::exited_early;
    result.message = "the test program ended (exit code " + std::to_string(ran.exit_code) +
                     ") before the test finished: does the code call exit()?";
  }
  if (!left.empty() && result.outcome != Outcome::over_limit) {
    result.message += "; " + left;
  }
  if (result.output.size() > 8192) {
    result.output.resize(8192);
    result.output += "\n[... cut]";
  }
  return result;
}

}  // namespace socklab::cli
