#include "grade_cache.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <iterator>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace socklab::cli {
namespace {

using nlohmann::json;

// A file's identity for the key: size and modification time, or "missing".
std::string stamp(const fs::path& path) {
  struct stat info {};
  if (path.empty() || ::stat(path.c_str(), &info) != 0) {
    return "missing";
  }
  return fmt::format("{} bytes, modified {}.{:09}", info.st_size, info.st_mtim.tv_sec, info.st_mtim.tv_nsec);
}

// FNV-1a, 64 bits: a stable hash of a file's content (std::hash need not be
// stable from one build of the grader to the next).
std::string content_hash(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return "unreadable";
  }
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  char chunk[16384];
  while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
    for (std::streamsize i = 0; i < in.gcount(); ++i) {
      hash = (hash ^ static_cast<unsigned char>(chunk[i])) * 0x100000001b3ULL;
    }
  }
  return fmt::format("{:016x}", hash);
}

// Writes beside `file`, then renames: a reader sees the old file or the new
// one, never half of one, even with two graders at work.
void write_atomically(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  static std::atomic<unsigned> written{0};  // threads grading a class write at once
  const fs::path temporary =
      file.string() + "." + std::to_string(::getpid()) + "." + std::to_string(++written) + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) {
      throw std::runtime_error("cannot write " + temporary.string());
    }
  }
  fs::rename(temporary, file);
}

Outcome outcome_named(const std::string& name) {
  for (const Outcome outcome : {Outcome::passed, Outcome::failed, Outcome::crashed, Outcome::timed_out,
                                Outcome::exited_early, Outcome::over_limit, Outcome::not_run}) {
    if (name == to_string(outcome)) {
      return outcome;
    }
  }
  throw std::runtime_error("unknown outcome " + name);
}

}  // namespace

std::string grade_cache_key(const Manifest& project, const Manifest& labs, const Chapter& chapter,
                            const std::vector<GradedTest>& tests, const TestLimits& limits) {
  std::string key = "grader: " + stamp("/proc/self/exe") + "\n";
  key += fmt::format("limits: {} ms, {} B memory, {} B files, {} processes, {} B output{}\n", limits.time.count(),
                     limits.memory, limits.file_size, limits.processes, limits.output,
                     limits.sanitizer ? ", sanitizer" : "");
  for (const GradedTest& test : tests) {
    key += fmt::format("test: {} [task {}] [{} points]{}\n", test.name, test.task, test.points,
                       test.hidden ? " hidden" : "");
  }
  // Every file of the chapter's lab folder: the student's .cpp files, and the
  // header the tests are compiled against.
  std::vector<fs::path> files;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(labs.labs_dir / chapter.slug, error)) {
    if (entry.is_regular_file()) {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& file : files) {
    key += "lab file: " + file.filename().string() + " " + content_hash(file) + "\n";
  }
  const Chapter& lab_side = labs.find(chapter.slug);
  key += "tests: " + lab_side.tests_lab.string() + " " + stamp(lab_side.tests_lab) + "\n";
  if (!lab_side.extra_tests_ref.empty()) {
    key += "extra tests: " + stamp(lab_side.extra_tests_ref) + "\n";
  }
  key += "reference tests: " + stamp(chapter.tests_ref) + "\n";
  // The oracle that differential tests ask (cmake/SocklabChapter.cmake puts it there).
  key += "oracle: " + stamp(project.build_dir / "bin" / "oracle" / ("oracle-" + chapter.slug)) + "\n";
  return key;
}

std::vector<GradedTest> graded_tests_of(const fs::path& binary, const fs::path& build_dir) {
  const fs::path file = build_dir / "socklab-grade-cache" / (binary.filename().string() + ".tests.json");
  const std::string version = stamp(binary);
  try {
    std::ifstream in(file, std::ios::binary);
    if (in) {
      const json stored = json::parse(in);
      if (stored.at("binary") == binary.string() && stored.at("version") == version) {
        std::vector<GradedTest> tests;
        for (const json& entry : stored.at("tests")) {
          tests.push_back(
              {.name = entry.at("name"), .points = entry.at("points"), .task = entry.at("task"), .hidden = false});
        }
        return tests;
      }
    }
  } catch (const std::exception&) {
    // Unreadable: list the program again.
  }
  auto tests = list_graded_tests(binary);
  try {
    json entries = json::array();
    for (const GradedTest& test : tests) {
      entries.push_back({{"name", test.name}, {"points", test.points}, {"task", test.task}});
    }
    write_atomically(file, json{{"binary", binary.string()}, {"version", version}, {"tests", entries}}.dump(1));
  } catch (const std::exception&) {
    // Not kept: listed again next time.
  }
  return tests;
}

fs::path grade_cache_file(const Manifest& labs, const std::string& slug) {
  return labs.build_dir / "socklab-grade-cache" / (slug + ".json");
}

std::optional<std::vector<TestResult>> load_cached_grade(const Manifest& labs, const std::string& slug,
                                                         const std::string& key) {
  try {
    std::ifstream in(grade_cache_file(labs, slug), std::ios::binary);
    if (!in) {
      return std::nullopt;
    }
    const json stored = json::parse(in);
    if (stored.at("key").get<std::string>() != key) {
      return std::nullopt;
    }
    std::vector<TestResult> results;
    for (const json& entry : stored.at("results")) {
      results.push_back(TestResult{.test = {.name = entry.at("name"),
                                            .points = entry.at("points"),
                                            .task = entry.at("task"),
                                            .hidden = entry.at("hidden")},
                                   .outcome = outcome_named(entry.at("outcome")),
                                   .message = entry.at("message"),
                                   .output = entry.at("output"),
                                   .seconds = entry.at("seconds")});
    }
    return results;
  } catch (const std::exception&) {
    return std::nullopt;  // unreadable or from another version: grade again
  }
}

void store_cached_grade(const Manifest& labs, const std::string& slug, const std::string& key,
                        const std::vector<TestResult>& results) {
  const bool load_dependent = std::any_of(results.begin(), results.end(), [](const TestResult& result) {
    return result.outcome == Outcome::timed_out || result.outcome == Outcome::not_run;
  });
  if (load_dependent) {
    return;
  }
  try {
    json entries = json::array();
    for (const TestResult& result : results) {
      entries.push_back({{"name", result.test.name},
                         {"points", result.test.points},
                         {"task", result.test.task},
                         {"hidden", result.test.hidden},
                         {"outcome", to_string(result.outcome)},
                         {"message", result.message},
                         {"output", result.output},
                         {"seconds", result.seconds}});
    }
    write_atomically(grade_cache_file(labs, slug),
                     json{{"key", key}, {"results", entries}}.dump(1, ' ', false, json::error_handler_t::replace));
  } catch (const std::exception&) {
    // Not stored: the next status grades this chapter again.
  }
}

}  // namespace socklab::cli
