#pragma once
// Grading: build each chapter's lab tests, run every graded test alone, add up.

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "build.hpp"
#include "graded_test.hpp"
#include "manifest.hpp"

namespace socklab::cli {

/// One chapter's grade.
struct ChapterGrade {
  std::string slug{};
  std::string title{};
  bool built = false;       ///< whether the lab code compiled and linked
  std::string build_error{};  ///< the first error when it did not
  double build_seconds = 0;   ///< how long building its lab test program took
  std::vector<TestResult> results{};
  bool cached = false;  ///< the results came from the grade cache (see grade_cache.hpp), not a new run

  [[nodiscard]] int earned() const;
  [[nodiscard]] int possible() const;
};

/// A whole grade, chapter by chapter.
struct Grade {
  std::vector<ChapterGrade> chapters;
  std::vector<std::string> notes;  ///< facts about the grading, for the report

  [[nodiscard]] int earned() const;
  [[nodiscard]] int possible() const;
  [[nodiscard]] bool all_built() const;
};

/// How grading uses the grade cache (grade_cache.hpp): each chapter's results,
/// kept in the lab build's folder under a key made of everything they depend on.
enum class CacheUse {
  none,        ///< neither read nor write it (submissions, classes)
  write,       ///< always run the tests, and store the results (`socklab grade`, `watch`)
  read_write,  ///< reuse stored results whose key still matches, else run and store (`socklab status`)
};

/// How far grading a chapter has got: its tests that have finished.
struct TestProgress {
  std::string_view chapter;  ///< its slug
  std::size_t done = 0;
  std::size_t total = 0;
};

/// Called as each test finishes (from the thread that ran it, one call at a time).
using TestProgressHandler = std::function<void(const TestProgress&)>;

struct GradeOptions {
  unsigned jobs = 2;  ///< tests run at once
  TestLimits limits{};  ///< for each test
  bool build_project = true;  ///< build the project's targets first (false: the caller did)
  CacheUse cache = CacheUse::none;
  /// When given and set (by another thread), grading stops early: no build or
  /// test starts any more, and what is left is reported as not run.  For
  /// `socklab watch`, whose Ctrl-C must not wait for a whole chapter.
  const std::atomic<bool>* cancel = nullptr;
  /// Hears of each step of the builds grading starts (see ProgressLine).
  BuildProgressHandler build_progress{};
  /// Hears of each test that finishes, chapter by chapter (see ProgressLine).
  TestProgressHandler test_progress{};
};

/// Builds what grading \p chapters needs from the project build: the
/// reference test programs, the oracles and the test archives.
/// \throws std::runtime_error when the project's own code does not build.
void build_project(const Manifest& project, const std::vector<Chapter>& chapters,
                   const BuildProgressHandler& on_progress = {});

/// The points \p chapter is worth: its reference test program's tests.
int chapter_points(const Chapter& chapter);

/// Grades \p chapters (taken from \p project) using the lab tests built in
/// \p labs, which is \p project itself or a submission build.  The project
/// build provides the list of tests (from the reference test programs) and the
/// oracles, so a chapter that does not compile still shows what it is worth.
/// \throws std::runtime_error when the project's own code does not build.
Grade grade(const Manifest& project, const Manifest& labs, const std::vector<Chapter>& chapters,
            GradeOptions options);

}  // namespace socklab::cli
