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
      results[i] = run_graded_test(binary, tests[i], options.limits, source_dir);
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

void build_project(const Manifest& project, const std::vector<Chapter>& chapters) {
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
}

int chapter_points(const Chapter& chapter) {
  return sum(list_graded_tests(chapter.tests_ref), [](const GradedTest& test) { return test.points; });
}

Grade grade(const Manifest& project, const Manifest& labs, const std::vector<Chapter>& chapters,
            const GradeOptions& given) {
  GradeOptions options = given;
  if (project.cxx_flags.find("-fsanitize=address") != std::string::npos) {
    options.limits.sanitizer = true;  // an ASan project build (the asan preset): its programs need no RLIMIT_AS
  }
  if (options.build_project) {
    build_project(project, chapters);
  }

  Grade result;
  for (const Chapter& chapter : chapters) {
    ChapterGrade graded{.slug = chapter.slug, .title = chapter.title};
    const Chapter& lab_side = labs.find(chapter.slug);
    auto tests = list_graded_tests(chapter.tests_ref);
    if (!lab_side.extra_tests_ref_target.empty()) {
      // The instructor's tests, built with the reference first: listed from
      // that program, never from one holding the student's code.
      if (const BuildOutcome extra = build_targets(labs.build_dir, {lab_side.extra_tests_ref_target}); !extra.ok) {
        throw std::runtime_error("the extra tests of " + chapter.slug +
                                 " do not compile with the reference:\n" + extra.first_error);
      }
      for (GradedTest test : list_graded_tests(lab_side.extra_tests_ref)) {
        if (std::any_of(tests.begin(), tests.end(), [&](const GradedTest& t) { return t.name == test.name; })) {
          throw std::runtime_error("the extra test \"" + test.name + "\" of " + chapter.slug +
                                   " has the name of a public test: rename it");
        }
        test.hidden = true;
        tests.push_back(std::move(test));
      }
    }
    const BuildOutcome built = build_targets(labs.build_dir, {lab_side.tests_lab_target});
    graded.built = built.ok;
    if (built.ok) {
      graded.results = run_all(lab_side.tests_lab, tests, options, project.source_dir);
      for (TestResult& test : graded.results) {  // paths as the student knows them: labs/<slug>/file.cpp
        test.message = replace_all(test.message, labs.labs_dir.string() + "/", "labs/");
        test.output = replace_all(test.output, labs.labs_dir.string() + "/", "labs/");
      }
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
