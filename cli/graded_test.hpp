#pragma once
// One graded Catch2 test: finding them in a test program, running one alone.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace socklab::cli {

/// A test as declared: `TEST_CASE("name", "[task_N][points:P]")`.
struct GradedTest {
  std::string name{};
  int points = 0;  ///< from its one `[points:P]` tag (P >= 1)
  int task = 0;    ///< from its `[task_N]` tag, 0 if it has none
  bool hidden = false;  ///< one of an instructor's extra tests (--extra-tests)

  /// The name reports show: an extra test's is marked "[hidden] ".
  [[nodiscard]] std::string shown_name() const { return hidden ? "[hidden] " + name : name; }
};

/// How a test run ended, from the student's point of view.
enum class Outcome {
  passed,
  failed,        ///< an assertion failed (or the code threw)
  crashed,       ///< ended by a signal
  timed_out,     ///< killed at the time limit
  exited_early,  ///< the process ended before the test finished (exit() in lab code?)
  over_limit,    ///< stopped at a resource limit, or left processes running
  not_run,       ///< the chapter did not build, or the test could not be selected
};

/// What one graded test may use.  Each test runs under these alone: a test
/// that breaks one fails, and no other test is affected.
struct TestLimits {
  std::chrono::milliseconds time{std::chrono::seconds(30)};  ///< wall-clock time; CPU time: a second more
  std::uint64_t memory = 2ULL << 30;      ///< address space of each process, bytes (0: none)
  std::uint64_t file_size = 64ULL << 20;  ///< largest file a test may write, bytes
  std::size_t processes = 64;             ///< processes at once, the test's own included
  std::size_t output = 8ULL << 20;        ///< bytes printed before the test is stopped
  /// The test program is built with ASan and UBSan: their shadow memory needs
  /// no address-space limit, so `memory` bounds the resident size instead
  /// (ASan's hard_rss_limit_mb).
  bool sanitizer = false;
};

/// The first lines of an AddressSanitizer, LeakSanitizer or
/// UndefinedBehaviorSanitizer report in \p output (at most \p lines), or "".
std::string sanitizer_report(const std::string& output, std::size_t lines = 8);

/// What one run of one test gave.
struct TestResult {
  GradedTest test;
  Outcome outcome = Outcome::not_run;
  std::string message{};  ///< why it did not pass, for a student; empty when passed
  std::string output{};   ///< what the test printed (kept short)
  double seconds = 0;

  [[nodiscard]] int earned() const { return outcome == Outcome::passed ? test.points : 0; }
};

/// A word for \p outcome ("passed", "timed out", ...).
const char* to_string(Outcome outcome);

/// The graded tests of the Catch2 program \p binary, in declaration order.
/// \throws std::runtime_error if a test lacks a `[points:P]` tag or has two:
/// every graded test must say what it is worth.
std::vector<GradedTest> list_graded_tests(const std::filesystem::path& binary);

/// \p name as a Catch2 test spec that selects exactly that test.
std::string catch_test_spec(const std::string& name);

/// Runs \p test alone in a new process of \p binary under \p limits,
/// with `TMPDIR` set to a new folder that is removed when the test has ended.
///
/// Catch2 writes its report to a file of the grader's (`-o`), not to the
/// standard output the tested code shares: a test passes only when its
/// process exits 0, that report's summary says it passed, and no process it
/// started is still running.  So printing a fake summary, or exiting early
/// with status 0, cannot pass a test.  Paths under \p source_dir are shown
/// relative to it in messages.
TestResult run_graded_test(const std::filesystem::path& binary, const GradedTest& test, const TestLimits& limits,
                           const std::filesystem::path& source_dir);

}  // namespace socklab::cli
