// The socklab command grading real code, end to end: what an instructor and a
// student rely on.  Submissions are laid out and built in temporary folders.

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "graded_test.hpp"
#include "hints.hpp"
#include "manifest.hpp"
#include "process.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using socklab::cli::run;
using socklab::cli::RunResult;

namespace {

// A fresh folder, removed with everything in it at the end of the test.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "socklab-grader-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw std::runtime_error("mkdtemp failed");
    }
    path = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

RunResult run_socklab(std::vector<std::string> args) {
  args.insert(args.begin(), SOCKLAB_CLI);
  return run(args, {.time_limit = std::chrono::minutes(10)});
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

json read_json(const fs::path& path) { return json::parse(read_text(path)); }

void write_text(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

const json& test_named(const json& grade, const std::string& name) {
  for (const json& test : grade.at("tests")) {
    if (test.at("name") == name) {
      return test;
    }
  }
  throw std::runtime_error("no test named " + name + " in the report");
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
    ++n;
  }
  return n;
}

// The definition that starts with `signature` and ends at the next "}" that
// begins a line, or "" when there is none.
std::string function_text(const std::string& code, const std::string& signature) {
  const auto start = code.find(signature);
  const auto end = start == std::string::npos ? start : code.find("\n}", start);
  return end == std::string::npos ? "" : code.substr(start, end + 2 - start);
}

bool in_ci() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string(ci) == "true";
}

const fs::path source_dir = SOCKLAB_SOURCE_DIR;
const std::string lab01 = "01-socket-types/socket_types.cpp";

}  // namespace

TEST_CASE("the starter labs score 0: every graded test fails on the stubs", "[e2e]") {
  const TempDir work;
  const RunResult ran = run_socklab({"grade", "--format", "gradescope", "--out", (work.path / "r.json").string()});
  INFO(ran.output);
  REQUIRE(ran.exit_code == 0);
  const json grade = read_json(work.path / "r.json");
  REQUIRE(grade.at("max_score").get<int>() > 0);
  std::string passing;
  for (const json& test : grade.at("tests")) {
    if (test.at("status") == "passed") {
      passing += "\n  " + test.at("name").get<std::string>();
    }
  }
  if (!passing.empty() && !in_ci()) {
    // A student's clone: labs/ holds their work, not the starters.
    std::cout << "SOCKLAB-SKIP: labs/ holds your own work (" << grade.at("score")
              << " points), so the starter check cannot run here; CI runs it on a clean clone\n";
    SUCCEED();
    return;
  }
  INFO("These tests pass on the starter stubs, so they check nothing:" << passing);
  CHECK(passing.empty());
  CHECK(grade.at("score") == 0);
}

TEST_CASE("the reference, handed in as a submission, scores full marks", "[e2e]") {
  const TempDir work;
  const RunResult ran = run_socklab({"grade", "--submission", (source_dir / "solutions").string(), "--work-dir",
                                 (work.path / "build").string(), "--format", "gradescope", "--out",
                                 (work.path / "r.json").string()});
  INFO(ran.output);
  REQUIRE(ran.exit_code == 0);
  const json grade = read_json(work.path / "r.json");
  INFO(grade.dump(2));
  REQUIRE(grade.at("max_score").get<int>() > 0);
  CHECK(grade.at("score") == grade.at("max_score"));
  for (const json& test : grade.at("tests")) {
    INFO(test.at("name"));
    CHECK(test.at("status") == "passed");
    CHECK(test.at("score") == test.at("max_score"));
  }
  CHECK(grade.at("output").get<std::string>().find("graded " + lab01 + " from the submission") !=
        std::string::npos);
}

TEST_CASE("a missing, a broken and a hostile lab file cost only what they break", "[e2e]") {
  const TempDir work;
  const fs::path submission = work.path / "submission";
  const fs::path report = work.path / "r.json";
  auto grade_it = [&](const std::string& format = "gradescope") {
    // Chapter 01 alone: the sabotage is in its file, and the other chapters would only add time.
    return run_socklab({"grade", "01-socket-types", "--submission", submission.string(), "--work-dir",
                        (work.path / "build").string(), "--format", format, "--out", report.string(), "--timeout",
                        "3"});
  };

  INFO("Step 1: a submission without the lab file is graded as the starter: 0 points");
  fs::create_directories(submission);
  RunResult ran = grade_it();
  INFO(ran.output);
  REQUIRE(ran.exit_code == 0);
  json grade = read_json(report);
  CHECK(grade.at("score") == 0);
  CHECK(grade.at("output").get<std::string>().find("no " + lab01 + " in the submission") != std::string::npos);

  INFO("Step 2: the starter with family_name() and type_name() written: exactly their tests pass");
  std::string starter = read_text(source_dir / "labs" / lab01);
  const std::string reference = read_text(source_dir / "solutions" / lab01);
  for (const std::string signature : {"std::string_view family_name(int family) {",
                                      "std::string_view type_name(int type) {"}) {
    const std::string stub = function_text(starter, signature);
    const std::string written = function_text(reference, signature);
    REQUIRE_FALSE(stub.empty());
    REQUIRE_FALSE(written.empty());
    starter.replace(starter.find(stub), stub.size(), written);
  }
  write_text(submission / lab01, starter);
  ran = grade_it();
  REQUIRE(ran.exit_code == 0);
  grade = read_json(report);
  int name_points = 0;
  for (const json& test : grade.at("tests")) {
    const std::string name = test.at("name");
    const bool about_names = name.find("family_name()") != std::string::npos ||
                             name.find("type_name()") != std::string::npos;
    INFO(name);
    CHECK(test.at("status") == (about_names ? "passed" : "failed"));
    name_points += about_names ? test.at("max_score").get<int>() : 0;
  }
  CHECK(name_points > 0);
  CHECK(grade.at("score") == name_points);

  INFO("Step 3: a lab file that does not compile: 0 points, the compiler's first error, exit code 2");
  write_text(submission / lab01, "#include \"socket_types.hpp\"\nthis is not C++;\n");
  ran = grade_it();
  REQUIRE(ran.exit_code == 2);
  grade = read_json(report);
  CHECK(grade.at("score") == 0);
  const std::string output = grade.at("tests").at(0).at("output");
  CHECK(output.find("does not compile") != std::string::npos);
  CHECK(output.find("labs/" + lab01) != std::string::npos);
  CHECK(output.find("error") != std::string::npos);

  INFO("Step 4: the reference, made to exit(), abort() and hang on some kinds of socket");
  std::string code = read_text(source_dir / "solutions" / lab01);
  const std::string call = "::socket(family, type | SOCK_CLOEXEC, protocol)";
  REQUIRE(code.find(call) != std::string::npos);  // the sabotage hooks into this call
  code.replace(code.find(call), call.size(), "::socket(sabotage(family, type), type | SOCK_CLOEXEC, protocol)");
  write_text(submission / lab01, R"(#include <sys/socket.h>
#include <unistd.h>
#include <cstdlib>
static int sabotage(int family, int type) {
  if (family == AF_INET6) std::exit(0);
  if (family == AF_UNIX && type == SOCK_SEQPACKET) std::abort();
  if (family == AF_INET && type == SOCK_DGRAM) for (;;) ::pause();
  return family;
}
)" + code);
  ran = grade_it();
  INFO(ran.output);
  REQUIRE(ran.exit_code == 0);
  grade = read_json(report);
  INFO(grade.dump(2));
  CHECK(grade.at("score").get<int>() > 0);
  CHECK(grade.at("score").get<int>() < grade.at("max_score").get<int>());
  CHECK(test_named(grade, "01-socket-types: Socket opens a TCP socket").at("status") == "passed");
  CHECK(test_named(grade, "01-socket-types: article: an AF_INET6 socket talks to IPv4 clients too")
            .at("output").get<std::string>().find("before the test finished") != std::string::npos);
  CHECK(test_named(grade, "01-socket-types: article: SOCK_SEQPACKET over AF_UNIX keeps message boundaries")
            .at("output").get<std::string>().find("SIGABRT") != std::string::npos);
  CHECK(test_named(grade, "01-socket-types: a new Socket is close-on-exec, like Python's")
            .at("output").get<std::string>().find("timed out") != std::string::npos);

  INFO("Step 5: the same grade as JUnit XML: one testcase per test, errors typed");
  ran = grade_it("junit");
  REQUIRE(ran.exit_code == 0);
  const std::string xml = read_text(report);
  CHECK(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
  CHECK(count(xml, "<testcase ") == grade.at("tests").size());
  CHECK(count(xml, "<testcase ") == count(xml, "</testcase>"));
  CHECK(count(xml, "type=\"timed out\"") > 0);
  CHECK(count(xml, "type=\"crashed\"") > 0);
  CHECK(count(xml, "type=\"exited early\"") > 0);
}

TEST_CASE("status shows the same points as grade, and what to do next", "[e2e]") {
  const TempDir work;
  const RunResult graded = run_socklab({"grade", "--format", "gradescope", "--out", (work.path / "r.json").string()});
  REQUIRE(graded.exit_code == 0);
  const json grade = read_json(work.path / "r.json");
  const RunResult status = run_socklab({"status"});
  INFO(status.output);
  REQUIRE(status.exit_code == 0);
  const std::string total = std::to_string(grade.at("score").get<int>()) + "/" +
                            std::to_string(grade.at("max_score").get<int>());
  CHECK(status.output.find("Total") != std::string::npos);
  CHECK(status.output.find(total) != std::string::npos);
  const bool complete = grade.at("score") == grade.at("max_score");
  CHECK(status.output.find(complete ? "Every test of every chapter passes" : "Next: ") != std::string::npos);
  CHECK(status.output.find("\x1b[") == std::string::npos);  // not a terminal: no colour codes
}

TEST_CASE("run --ref runs a chapter's program built from the reference", "[e2e]") {
  const RunResult ran = run_socklab({"run", "--ref", "socket-types", "--article-only"});
  INFO(ran.output);
  CHECK(ran.exit_code == 0);
  CHECK(ran.output.find("socket(AF_INET, SOCK_SEQPACKET, 0)") != std::string::npos);
  CHECK(ran.output.find("ESOCKTNOSUPPORT") != std::string::npos);
  CHECK(ran.output.find("Related kinds") == std::string::npos);  // the program's own option reached it
}

TEST_CASE("every task of every chapter has a hint", "[e2e]") {
  const auto manifest = socklab::cli::load_manifest(SOCKLAB_BUILD_DIR);
  REQUIRE_FALSE(manifest.chapters.empty());
  for (const auto& chapter : manifest.chapters) {
    std::set<int> hinted;
    for (const auto& hint : socklab::cli::load_hints(source_dir / "chapters" / chapter.slug / "hints.md")) {
      hinted.insert(hint.number);
    }
    for (const auto& test : socklab::cli::list_graded_tests(chapter.tests_ref)) {
      INFO(chapter.slug << ": \"" << test.name << "\" is in task " << test.task);
      CHECK(test.task > 0);
      CHECK(hinted.count(test.task) == 1);
    }
  }
}
