#pragma once
// One graded Catch2 test: finding them in a test program, running one alone.

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace socklab::cli {

/// A test as declared: `TEST_CASE("name", "[task_N][points:P]")`.
struct GradedTest {
  std::string name{};
  int points = 0;  ///< from its one `[points:P]` tag (P >= 1)
  int task = 0;    ///< from its `[task_N]` tag, 0 if it has none
};

/// How a test run ended, from the student's point of view.
enum class Outcome {
  passed,
  failed,        ///< an assertion failed (or the code threw)
  crashed,       ///< ended by a signal
  timed_out,     ///< killed at the time limit
  exited_early,  ///< the process ended before the test finished (exit() in lab code?)
  not_run,       ///< the chapter did not build, or the test could not be selected
};

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

/// Runs \p test alone in a new process of \p binary, killed after \p limit,
/// with `TMPDIR` set to a new folder that is removed when the test has ended.
/// Paths under \p source_dir are shown relative to it in messages.
TestResult run_graded_test(const std::filesystem::path& binary, const GradedTest& test,
                           std::chrono::milliseconds limit, const std::filesystem::path& source_dir);

}  // namespace socklab::cli
