#include "grading.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <numeric>
#include <optional>
#include <stdexcept>
#include <thread>

#include "build.hpp"
#include "grade_cache.hpp"
#include "text.hpp"

namespace socklab::cli {
namespace {

template <typename Range, typename Function>
int sum(const Range& range, Function points) {
  return std::accumulate(range.begin(), range.end(), 0,
                         [&](int total, const auto& item) { return total + points(item); });
}

bool cancelled(const GradeOptions& options) { return options.cancel != nullptr && options.cancel->load(); }

// Runs every test of one chapter, `jobs` at a time; results keep test order.
std::vector<TestResult> run_all(const std::string& slug, const std::filesystem::path& binary,
                                const std::vector<GradedTest>& tests, const GradeOptions& options,
                                const std::filesystem::path& source_dir) {
  std::vector<TestResult> results(tests.size());
  std::atomic<std::size_t> next{0};
  std::mutex reporting;
  std::size_t done = 0;
  auto worker = [&] {
    for (std::size_t i = next++; i < tests.size(); i = next++) {
      if (cancelled(options)) {
        results[i] = TestResult{.test = tests[i], .outcome = Outcome::not_run, .message = "not run: grading stopped"};
        continue;
      }
      results[i] = run_graded_test(binary, tests[i], options.limits, source_dir);
      if (options.test_progress) {
        const std::lock_guard lock(reporting);
        options.test_progress({.chapter = slug, .done = ++done, .total = tests.size()});
      }
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

namespace {

// What grading `chapters` needs from the project build.
std::vector<std::string> project_targets(const std::vector<Chapter>& chapters) {
  std::vector<std::string> targets;
  for (const Chapter& chapter : chapters) {
    targets.push_back(chapter.tests_ref_target);
    targets.push_back(chapter.oracle_target);
    targets.push_back(chapter.tests_archive_target);
  }
  return targets;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

void build_project(const Manifest& project, const std::vector<Chapter>& chapters,
                   const BuildProgressHandler& on_progress) {
  if (const BuildOutcome built = build_targets(project.build_dir, project_targets(chapters), on_progress);
      !built.ok) {
    throw std::runtime_error("the project's own code does not build (the reference, the tests or "
                             "the oracles), so nothing can be graded:\n" + built.first_error);
  }
}

int chapter_points(const Chapter& chapter) {
  return sum(list_graded_tests(chapter.tests_ref), [](const GradedTest& test) { return test.points; });
}

Grade grade(const Manifest& project, const Manifest& labs, const std::vector<Chapter>& chapters,
            GradeOptions options) {  // a copy: the sanitizer settings below adjust it
  if (project.cxx_flags.find("-fsanitize=address") != std::string::npos) {
    options.limits.sanitizer = true;  // an ASan project build (the asan preset): its programs need no RLIMIT_AS
  }
  // Grading labs/ (not a submission), everything is built at once first:
  // when it all compiles, as it mostly does, that is one `cmake --build`
  // instead of one per chapter.  When it does not, each chapter is built on
  // its own below, so that one that does not compile costs only itself.
  std::optional<double> built_together;
  if (options.build_project && labs.build_dir == project.build_dir) {
    auto targets = project_targets(chapters);
    for (const Chapter& chapter : chapters) {
      targets.push_back(labs.find(chapter.slug).tests_lab_target);
    }
    const auto start = std::chrono::steady_clock::now();
    if (build_targets(project.build_dir, targets, options.build_progress).ok) {
      built_together = seconds_since(start);
    }
  }
  if (options.build_project && !built_together) {
    build_project(project, chapters, options.build_progress);
  }

  Grade result;
  for (const Chapter& chapter : chapters) {
    if (cancelled(options)) {
      break;
    }
    ChapterGrade graded{.slug = chapter.slug, .title = chapter.title};
    const Chapter& lab_side = labs.find(chapter.slug);
    auto tests = graded_tests_of(chapter.tests_ref, project.build_dir);
    if (!lab_side.extra_tests_ref_target.empty()) {
      // The instructor's tests, built with the reference first: listed from
      // that program, never from one holding the student's code.
      if (const BuildOutcome extra =
              build_targets(labs.build_dir, {lab_side.extra_tests_ref_target}, options.build_progress);
          !extra.ok) {
        throw std::runtime_error("the extra tests of " + chapter.slug +
                                 " do not compile with the reference:\n" + extra.first_error);
      }
      for (GradedTest test : graded_tests_of(lab_side.extra_tests_ref, labs.build_dir)) {
        if (std::any_of(tests.begin(), tests.end(), [&](const GradedTest& t) { return t.name == test.name; })) {
          throw std::runtime_error("the extra test \"" + test.name + "\" of " + chapter.slug +
                                   " has the name of a public test: rename it");
        }
        test.hidden = true;
        tests.push_back(std::move(test));
      }
    }
    const auto build_start = std::chrono::steady_clock::now();
    BuildOutcome built;
    built.ok = built_together.has_value();
    if (!built_together) {
      built = build_targets(labs.build_dir, {lab_side.tests_lab_target}, options.build_progress);
    }
    graded.build_seconds = built_together ? *built_together : seconds_since(build_start);
    graded.built = built.ok;
    if (built.ok) {
      // After the build: a rebuilt test program changes the key.
      const std::string key = options.cache == CacheUse::none
                                  ? std::string()
                                  : grade_cache_key(project, labs, chapter, tests, options.limits);
      if (options.cache == CacheUse::read_write) {
        if (auto stored = load_cached_grade(labs, chapter.slug, key)) {
          graded.results = std::move(*stored);
          graded.cached = true;
          result.chapters.push_back(std::move(graded));
          continue;
        }
      }
      graded.results = run_all(chapter.slug, lab_side.tests_lab, tests, options, project.source_dir);
      for (TestResult& test : graded.results) {  // paths as the student knows them: labs/<slug>/file.cpp
        test.message = replace_all(test.message, labs.labs_dir.string() + "/", "labs/");
        test.output = replace_all(test.output, labs.labs_dir.string() + "/", "labs/");
      }
      if (options.cache != CacheUse::none && !cancelled(options)) {
        store_cached_grade(labs, chapter.slug, key, graded.results);
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
