#include "grading.hpp"

#include <algorithm>
#include <atomic>
#include <numeric>
#include <stdexcept>
#include <thread>

#include "build.hpp"
#include "text.hpp"

namespace socklab::cli {
namespace {

template <typename Range, typename Function>
int sum(const Range& range, Function points) {
  return std::accumulate(range.begin(), range.end(), 0,
                         [&](int total, const auto& item) { return total + points(item); });
}

// Runs every test of one chapter, `jobs` at a time; results keep test order.
std::vector<TestResult> run_all(const std::filesystem::path& binary,
                                const std::vector<GradedTest>& tests, const GradeOptions& options,
                                const std::filesystem::path& source_dir) {
  std::vector<TestResult> results(tests.size());
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t i = next++; i < tests.size(); i = next++) {
      results[i] = run_graded_test(binary, tests[i], options.test_limit, source_dir);
    }
  };
  std::vector<std::jthread> workers;
  for (unsigned j = 1; j < std::max(1U, options.jobs); ++j) {
    workers.emplace_back(worker);
  }
  worker();
  return results;
}

}  // namespace

int ChapterGrade::earned() const { return sum(results, [](const TestResult& r) { return r.earned(); }); }
int ChapterGrade::possible() const {
  return sum(results, [](const TestResult& r) { return r.test.points; });
}
int Grade::earned() const { return sum(chapters, [](const ChapterGrade& c) { return c.earned(); }); }
int Grade::possible() const { return sum(chapters, [](const ChapterGrade& c) { return c.possible(); }); }
bool Grade::all_built() const {
  return std::all_of(chapters.begin(), chapters.end(), [](const ChapterGrade& c) { return c.built; });
}

Grade grade(const Manifest& project, const Manifest& labs, const std::vector<Chapter>& chapters,
            const GradeOptions& options) {
  std::vector<std::string> project_targets;
  for (const Chapter& chapter : chapters) {
    project_targets.push_back(chapter.tests_ref_target);
    project_targets.push_back(chapter.oracle_target);
    project_targets.push_back(chapter.tests_archive_target);
  }
  if (const BuildOutcome built = build_targets(project.build_dir, project_targets); !built.ok) {
    throw std::runtime_error("the project's own code does not build (the reference, the tests or "
                             "the oracles), so nothing can be graded:\n" + built.first_error);
  }

  Grade result;
  for (const Chapter& chapter : chapters) {
    ChapterGrade graded{.slug = chapter.slug, .title = chapter.title};
    const Chapter& lab_side = labs.find(chapter.slug);
    const BuildOutcome built = build_targets(labs.build_dir, {lab_side.tests_lab_target});
    graded.built = built.ok;
    const auto tests = list_graded_tests(chapter.tests_ref);
    if (built.ok) {
      graded.results = run_all(lab_side.tests_lab, tests, options, project.source_dir);
    } else {
      // Paths as the student knows them: labs/<slug>/file.cpp.
      graded.build_error = replace_all(
          replace_all(built.first_error, labs.labs_dir.string() + "/", "labs/"),
          project.source_dir.string() + "/", "");
      for (const GradedTest& test : tests) {
        graded.results.push_back(TestResult{
            .test = test, .outcome = Outcome::not_run, .message = "not run: the chapter's code does not compile"});
      }
    }
    result.chapters.push_back(std::move(graded));
  }
  return result;
}

}  // namespace socklab::cli
