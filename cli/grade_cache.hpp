#pragma once
// The grade cache: each chapter's results, kept in the lab build's folder
// (<build>/socklab-grade-cache/<slug>.json), so that `socklab status` re-runs
// only the chapters whose inputs changed.  `socklab grade` and `socklab watch`
// always run the tests, and store what they found.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "graded_test.hpp"
#include "manifest.hpp"

namespace socklab::cli {

/// The graded tests of the test program \p binary (list_graded_tests), listed
/// once per version of it: the list is kept in \p build_dir's cache folder
/// under the program's size and modification time.  Listing a program takes a
/// dozen runs of it; reading the list back, none.
/// \throws std::runtime_error as list_graded_tests does.
std::vector<GradedTest> graded_tests_of(const std::filesystem::path& binary, const std::filesystem::path& build_dir);

/// Everything a chapter's results depend on, as text: the grader itself (the
/// size and modification time of this program), the tests' limits, the list of
/// tests with their points, a hash of the content of every file in the lab
/// build's labs/<slug>, and the size and modification time (to the nanosecond)
/// of the chapter's test programs and oracle.  Computed after the build, so a
/// rebuilt test program changes it.  Equal keys: results that can be reused.
std::string grade_cache_key(const Manifest& project, const Manifest& labs, const Chapter& chapter,
                            const std::vector<GradedTest>& tests, const TestLimits& limits);

/// Where the results of chapter \p slug of the build \p labs are kept.
std::filesystem::path grade_cache_file(const Manifest& labs, const std::string& slug);

/// The results stored for \p slug under \p key, or nothing when there are none,
/// they were stored under another key, or the file is unreadable.
std::optional<std::vector<TestResult>> load_cached_grade(const Manifest& labs, const std::string& slug,
                                                         const std::string& key);

/// Stores \p results under \p key, atomically (written beside, then renamed).
/// Results that depend on how busy the machine was are not stored: a test that
/// timed out may pass on a quieter run.  Never throws: the cache only saves
/// time, and a grade that cannot be stored is still a grade.
void store_cached_grade(const Manifest& labs, const std::string& slug, const std::string& key,
                        const std::vector<TestResult>& results);

}  // namespace socklab::cli
