// The socklab command grading real code, end to end: what an instructor and a
// student rely on.  Submissions are laid out and built in temporary folders.

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <algorithm>
#include <cstdio>
#include <sstream>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "archive.hpp"
#include "graded_test.hpp"
#include "grading.hpp"
#include "hints.hpp"
#include "manifest.hpp"
#include "process.hpp"
#include "socklab/testkit/temp_dir.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using socklab::cli::run;
using socklab::cli::RunResult;
using socklab::testkit::TempDir;

namespace {

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

std::string fmt_lines(const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& line : lines) {
    text += "  " + line + "\n";
  }
  return text;
}

bool in_ci() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string(ci) == "true";
}

const fs::path source_dir = SOCKLAB_SOURCE_DIR;
const std::string lab01 = "01-socket-types/socket_types.cpp";

// Chapter 01's points, summed from its graded tests' tags: a test added to the
// chapter changes them, so they are never written into the checks below.
std::string points01() {
  static const std::string points = std::to_string(
      socklab::cli::chapter_points(socklab::cli::load_manifest(SOCKLAB_BUILD_DIR).find("01-socket-types")));
  return points;
}

// Chapter 01's starter with family_name() and type_name() taken from the
// reference: a partial submission, worth exactly those two tests' points.
std::string partial_lab01() {
  std::string starter = read_text(source_dir / "labs" / lab01);
  const std::string reference = read_text(source_dir / "solutions" / lab01);
  for (const std::string signature : {"std::string_view family_name(int family) {",
                                      "std::string_view type_name(int type) {"}) {
    const std::string stub = function_text(starter, signature);
    const std::string written = function_text(reference, signature);
    if (stub.empty() || written.empty()) {
      throw std::runtime_error("chapter 01's starter or reference has no " + signature);
    }
    starter.replace(starter.find(stub), stub.size(), written);
  }
  return starter;
}

// Chapter 01's reference with a golden file's misbehave() (see
// tests/grader/submissions/hostile/README.md) called first in family_name().
std::string reference_calling(const std::string& golden) {
  std::string code = read_text(source_dir / "solutions" / lab01);
  const std::string hook = "std::string_view family_name(int family) {";
  const auto at = code.find(hook);
  if (at == std::string::npos) {
    throw std::runtime_error("chapter 01's reference has no " + hook);
  }
  code.replace(at, hook.size(), hook + "\n  misbehave();");
  return golden + "\n" + code;
}

}  // namespace

TEST_CASE("the starter labs score 0: every graded test fails on the stubs", "[e2e]") {
  const TempDir work;
  const RunResult ran = run_socklab({"grade", "--format", "gradescope", "--out", (work.path() / "r.json").string()});
  INFO(ran.output);
  REQUIRE(ran.exit_code == 0);
  const json grade = read_json(work.path() / "r.json");
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
                                 (work.path() / "build").string(), "--format", "gradescope", "--out",
                                 (work.path() / "r.json").string()});
  INFO(ran.output);
  REQUIRE(ran.exit_code == 0);
  const json grade = read_json(work.path() / "r.json");
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
  INFO("Its output went to a pipe: a log gets no progress line, so no carriage return and no escape");
  CHECK(ran.output.find('\r') == std::string::npos);
  CHECK(ran.output.find('\x1b') == std::string::npos);
}

TEST_CASE("a missing, a broken and a hostile lab file cost only what they break", "[e2e]") {
  const TempDir work;
  const fs::path submission = work.path() / "submission";
  const fs::path report = work.path() / "r.json";
  auto grade_it = [&](const std::string& format = "gradescope") {
    // Chapter 01 alone: the sabotage is in its file, and the other chapters would only add time.
    return run_socklab({"grade", "01-socket-types", "--submission", submission.string(), "--work-dir",
                        (work.path() / "build").string(), "--format", format, "--out", report.string(), "--timeout",
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
  write_text(submission / lab01, partial_lab01());
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
  code.replace(code.find(call), call.size(),
               "::socket(sabotage(family, type, protocol), type | SOCK_CLOEXEC, protocol)");
  // It hangs only where UDP is asked for by name, as one test does: each hang
  // waits out the time-out, and one shows as well as many.
  write_text(submission / lab01, R"(#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cstdlib>
static int sabotage(int family, int type, int protocol) {
  if (family == AF_INET6) std::exit(0);
  if (family == AF_UNIX && type == SOCK_SEQPACKET) std::abort();
  if (family == AF_INET && type == SOCK_DGRAM && protocol == IPPROTO_UDP) for (;;) ::pause();
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
  CHECK(test_named(grade, "01-socket-types: Socket passes family, type and protocol to socket(2)")
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

TEST_CASE("status shows the same points as grade, and what to do next, reusing grade's results", "[e2e]") {
  const TempDir work;
  INFO("Step 1: grade runs every test, and keeps each chapter's results in the build folder");
  const RunResult graded = run_socklab({"grade", "--format", "gradescope", "--out", (work.path() / "r.json").string()});
  REQUIRE(graded.exit_code == 0);
  const json grade = read_json(work.path() / "r.json");
  const auto manifest = socklab::cli::load_manifest(SOCKLAB_BUILD_DIR);
  for (const auto& chapter : manifest.chapters) {
    INFO(chapter.slug << " has no kept results (a test that timed out is not kept: is the machine very busy?)");
    CHECK(fs::exists(fs::path(SOCKLAB_BUILD_DIR) / "socklab-grade-cache" / (chapter.slug + ".json")));
  }

  INFO("Step 2: status reuses them, says so with --verbose, and is much faster than grade");
  const RunResult status = run_socklab({"status", "--verbose"});
  INFO(status.output);
  REQUIRE(status.exit_code == 0);
  CHECK(count(status.output, ": cached (") == manifest.chapters.size());
  CHECK(status.elapsed.count() < graded.elapsed.count() / 2);
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

TEST_CASE("every chapter's task table and its count of tasks, points and tests agree with its graded tests",
          "[e2e]") {
  const auto manifest = socklab::cli::load_manifest(SOCKLAB_BUILD_DIR);
  REQUIRE_FALSE(manifest.chapters.empty());
  for (const auto& chapter : manifest.chapters) {
    const auto graded = socklab::cli::list_graded_tests(chapter.tests_ref);
    const std::size_t tests = graded.size();
    std::map<int, int> points_of_task;
    int points = 0;
    for (const auto& test : graded) {
      points_of_task[test.task] += test.points;
      points += test.points;
    }
    const std::string text = read_text(source_dir / "chapters" / chapter.slug / "chapter.md");
    INFO(chapter.slug << "'s graded tests: " << points_of_task.size() << " tasks, " << points << " points, " << tests
                      << " tests");

    // "There are N tasks and P points[ over T tests]", wherever the lines break.
    // (Read with a stream, not std::regex: <regex> trips GCC 12's
    // -Wmaybe-uninitialized in the asan preset's -O1 build.)
    std::string flat = text;
    std::replace(flat.begin(), flat.end(), '\n', ' ');
    const auto at = flat.find("There are ");
    REQUIRE(at != std::string::npos);
    std::istringstream sentence(flat.substr(at + 10, 80));
    std::size_t said_tasks = 0;
    int said_points = 0;
    std::string tasks_word;
    std::string and_word;
    std::string points_word;
    std::string over_word;
    sentence >> said_tasks >> tasks_word >> and_word >> said_points >> points_word >> over_word;
    INFO("the chapter says: " << flat.substr(at, 60));
    REQUIRE(tasks_word == "tasks");
    REQUIRE(and_word == "and");
    REQUIRE(points_word.starts_with("points"));
    CHECK(said_tasks == points_of_task.size());
    CHECK(said_points == points);
    if (over_word == "over") {
      std::size_t said_tests = 0;
      sentence >> said_tests;
      CHECK(said_tests == tests);
    }

    // The table under "| Task | Points |": one row per task, with its points.
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line) && !line.starts_with("| Task | Points |")) {
    }
    REQUIRE_FALSE(lines.eof());
    std::getline(lines, line);  // |---|---|...
    std::map<int, int> table;
    while (std::getline(lines, line) && line.starts_with('|')) {
      std::replace(line.begin(), line.end(), '|', ' ');
      std::istringstream cells(line);
      int task = 0;
      int task_points = 0;
      if (!(cells >> task >> task_points)) {
        break;
      }
      table[task] = task_points;
    }
    auto listed = [](const std::map<int, int>& points_by_task) {
      std::string shown;
      for (const auto& [task, task_points] : points_by_task) {
        shown += "task " + std::to_string(task) + ": " + std::to_string(task_points) + " points; ";
      }
      return shown;
    };
    CHECK(listed(table) == listed(points_of_task));
  }
}

namespace {

// The processes running a program from under `folder` (a fork keeps its
// parent's program), found in /proc.
std::vector<std::string> processes_running_from(const fs::path& folder) {
  std::vector<std::string> found;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string pid = entry.path().filename().string();
    if (pid.find_first_not_of("0123456789") != std::string::npos) {
      continue;
    }
    std::error_code error;
    const fs::path exe = fs::read_symlink(entry.path() / "exe", error);
    if (!error && exe.string().starts_with(folder.string())) {
      const std::string stat = read_text(entry.path() / "stat");
      const auto close = stat.rfind(')');
      if (close != std::string::npos && close + 2 < stat.size() && stat[close + 2] != 'Z') {
        found.push_back(pid + " " + exe.string());
      }
    }
  }
  return found;
}

// Whether one of `processes` (as processes_running_from gives them) has
// `what` in its command line.
bool any_runs_with(const std::vector<std::string>& processes, const std::string& what) {
  for (const std::string& process : processes) {
    std::string command = read_text("/proc/" + process.substr(0, process.find(' ')) + "/cmdline");
    std::replace(command.begin(), command.end(), '\0', ' ');
    if (command.find(what) != std::string::npos) {
      return true;
    }
  }
  return false;
}

// Whether something listens on TCP `port` of this machine (/proc/net/tcp, state 0A).
bool listening_on(int port) {
  char local[16];
  std::snprintf(local, sizeof local, ":%04X ", port);
  for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    std::istringstream lines(read_text(table));
    for (std::string line; std::getline(lines, line);) {
      if (line.find(local) != std::string::npos && line.find(" 0A ") != std::string::npos) {
        return true;
      }
    }
  }
  return false;
}

// The text after "// <key>: " in a golden file's header.
std::string header_value(const std::string& code, const std::string& key) {
  const std::string marker = "// " + key + ": ";
  const auto at = code.find(marker);
  return at == std::string::npos ? "" : code.substr(at + marker.size(), code.find('\n', at) - at - marker.size());
}

}  // namespace

namespace {

// The hostile golden submissions, in two groups that CTest can run at once.
const std::vector<std::string> crashing_goldens{"abort.cpp",     "exit-0.cpp",         "fake-pass.cpp",
                                                "segfault.cpp",  "terminate.cpp",      "uncaught-exception.cpp",
                                                "underscore-exit-0.cpp"};
const std::vector<std::string> greedy_goldens{"allocates-without-bound.cpp", "forks-repeatedly.cpp",
                                              "leaves-a-listener.cpp",       "loops-forever.cpp",
                                              "prints-megabytes.cpp",        "sleeps.cpp"};
const fs::path hostile_dir = source_dir / "tests/grader/submissions/hostile";

// Whether `text` holds one of the phrases of `alternatives` ("a | b"): an
// expectation may differ in an ASan project build (SOCKLAB_PRESET=asan).
bool says_any(const std::string& text, const std::string& alternatives) {
  for (std::size_t start = 0; start <= alternatives.size();) {
    const auto end = std::min(alternatives.find(" | ", start), alternatives.size());
    if (text.find(alternatives.substr(start, end - start)) != std::string::npos) {
      return true;
    }
    start = end + 3;
  }
  return false;
}

// Grades each of `goldens` (files in hostile_dir) in turn, in one work folder,
// and checks that it gets the grade its header expects for the one test it
// misbehaves in, that every other test passes, and that none of its processes
// or sockets is left.
void check_hostile(const std::vector<std::string>& goldens) {
  const TempDir work;
  const fs::path submission = work.path() / "submission";
  const fs::path report = work.path() / "r.json";
  const std::string victim = "01-socket-types: family_name() agrees with the reference";
  for (const std::string& golden : goldens) {
    const std::string hostile = read_text(hostile_dir / golden);
    INFO("Golden submission " << golden << ": the reference, with misbehave() called first in family_name()");
    REQUIRE_FALSE(hostile.empty());
    write_text(submission / lab01, reference_calling(hostile));
    const RunResult ran = run_socklab({"grade", "01-socket-types", "--submission", submission.string(), "--work-dir",
                                       (work.path() / "build").string(), "--format", "gradescope", "--out",
                                       report.string(), "--timeout", "4", "--memory", "256"});
    INFO(ran.output);
    REQUIRE(ran.exit_code == 0);
    const json grade = read_json(report);
    const json& hit = test_named(grade, victim);
    const std::string output = hit.at("output");
    INFO(output.substr(0, 2000));
    CHECK(hit.at("status") == header_value(hostile, "expect-status"));
    CHECK(says_any(output, header_value(hostile, "expect-message")));
    CHECK(output.size() < 20000);  // the report stays readable, whatever was printed
    for (const json& test : grade.at("tests")) {
      if (test.at("name") != victim) {
        INFO(test.at("name").get<std::string>() << ": " << test.at("output").get<std::string>());
        CHECK(test.at("status") == "passed");
      }
    }
    CHECK(grade.at("score").get<int>() == grade.at("max_score").get<int>() - 1);
    const auto left = processes_running_from(work.path());
    INFO("still running:\n" << fmt_lines(left));
    CHECK(left.empty());
    if (const auto at = output.find("listening-port="); at != std::string::npos) {
      CHECK_FALSE(listening_on(std::stoi(output.substr(at + 15))));
    }
  }
}

}  // namespace

TEST_CASE("hostile submissions that crash or exit cost only that test", "[e2e][hostile]") {
  check_hostile(crashing_goldens);
}

TEST_CASE("hostile submissions that hang, print, fork, allocate or leave a daemon cost only that test, and "
          "leave no process behind",
          "[e2e][hostile]") {
  check_hostile(greedy_goldens);
}

TEST_CASE("every hostile golden submission is graded by one of the hostile tests", "[e2e][hostile]") {
  std::set<std::string> listed(crashing_goldens.begin(), crashing_goldens.end());
  listed.insert(greedy_goldens.begin(), greedy_goldens.end());
  std::set<std::string> found;
  for (const auto& entry : fs::directory_iterator(hostile_dir)) {
    if (entry.path().extension() == ".cpp") {
      found.insert(entry.path().filename().string());
    }
  }
  CHECK(found == listed);
  CHECK(found.size() >= 13);
}

TEST_CASE("a submission may be a clone, a .tar.gz or a .zip, and links and unsafe archives are refused",
          "[e2e][submission]") {
  const TempDir work;
  const fs::path report = work.path() / "r.json";
  const fs::path work_dir = work.path() / "build";
  auto grade_it = [&](const fs::path& submission) {
    return run_socklab({"grade", "01-socket-types", "--submission", submission.string(), "--work-dir",
                        work_dir.string(), "--format", "gradescope", "--out", report.string(), "--timeout", "5"});
  };
  const std::string reference = read_text(source_dir / "solutions" / lab01);

  INFO("Step 1: a clone whose labs/ holds the reference and whose tests/ would not compile: full marks, "
       "graded with the project's tests");
  const fs::path clone = work.path() / "ana";
  write_text(clone / "labs" / lab01, reference);
  write_text(clone / "tests/01-socket-types/socket_test.cpp", "this is not C++;\n");
  write_text(clone / "README.md", "my clone\n");
  RunResult ran = grade_it(clone);
  INFO(ran.output);
  REQUIRE(ran.exit_code == 0);
  json grade = read_json(report);
  REQUIRE(grade.at("max_score").get<int>() > 0);
  CHECK(grade.at("score") == grade.at("max_score"));

  INFO("Step 2: the same clone as a .tar.gz with a top folder: full marks");
  const RunResult packed = run({"tar", "-czf", (work.path() / "ana.tar.gz").string(), "-C", work.path().string(), "ana"});
  REQUIRE(packed.exit_code == 0);
  ran = grade_it(work.path() / "ana.tar.gz");
  REQUIRE(ran.exit_code == 0);
  grade = read_json(report);
  CHECK(grade.at("score") == grade.at("max_score"));
  CHECK(grade.at("output").get<std::string>().find("graded " + lab01 + " from the submission") != std::string::npos);

  INFO("Step 3: a .zip shaped like labs/: full marks");
  socklab::cli::write_zip(work.path() / "bea.zip", {{.name = lab01, .content = reference}});
  ran = grade_it(work.path() / "bea.zip");
  REQUIRE(ran.exit_code == 0);
  grade = read_json(report);
  CHECK(grade.at("score") == grade.at("max_score"));

  INFO("Step 4: a lab file that is a symbolic link to the reference is not followed: 0 points");
  const fs::path linked = work.path() / "linked";
  fs::create_directories(linked / "01-socket-types");
  fs::create_symlink(source_dir / "solutions" / lab01, linked / lab01);
  ran = grade_it(linked);
  REQUIRE(ran.exit_code == 0);
  grade = read_json(report);
  CHECK(grade.at("score") == 0);
  CHECK(grade.at("output").get<std::string>().find(lab01 + " in the submission is a symbolic link") !=
        std::string::npos);

  INFO("Step 5: nor is a labs/ folder that is a link to the solutions, nor a link inside a .tar.gz");
  const fs::path linked_labs = work.path() / "linked-labs";
  fs::create_directories(linked_labs);
  fs::create_directory_symlink(source_dir / "solutions", linked_labs / "labs");
  ran = grade_it(linked_labs);
  REQUIRE(ran.exit_code == 0);
  CHECK(read_json(report).at("score") == 0);
  REQUIRE(run({"tar", "-czf", (work.path() / "linked.tar.gz").string(), "-C", linked.string(), "01-socket-types"})
              .exit_code == 0);
  ran = grade_it(work.path() / "linked.tar.gz");
  REQUIRE(ran.exit_code == 0);
  grade = read_json(report);
  CHECK(grade.at("score") == 0);
  CHECK(grade.at("output").get<std::string>().find("a symbolic link: skipped") != std::string::npos);

  INFO("Step 6: an archive with a path out of its folder is refused, and nothing is written there");
  socklab::cli::write_zip(work.path() / "evil.zip", {{.name = "../../escaped.cpp", .content = reference}});
  ran = grade_it(work.path() / "evil.zip");
  CHECK(ran.exit_code == 1);
  CHECK(ran.output.find("outside its folder") != std::string::npos);
  CHECK_FALSE(fs::exists(work.path() / "escaped.cpp"));
  CHECK_FALSE(fs::exists(work_dir.parent_path() / "escaped.cpp"));

  INFO("Step 7: a zip bomb (100 MiB of zeros, packed small) is refused at its size limit");
  socklab::cli::write_zip(work.path() / "bomb.zip", {{.name = lab01, .content = std::string(100 << 20, '\0')}});
  CHECK(fs::file_size(work.path() / "bomb.zip") < (1 << 20));
  ran = grade_it(work.path() / "bomb.zip");
  CHECK(ran.exit_code == 1);
  CHECK(ran.output.find("MiB: refused") != std::string::npos);

  INFO("Step 8: a work folder configured against another project build is configured anew");
  const fs::path cache = work_dir / "build" / "CMakeCache.txt";
  REQUIRE(fs::exists(cache));
  std::string settings = read_text(cache);
  const std::string key = "SOCKLAB_PROJECT_BUILD:PATH=";
  const auto at = settings.find(key);
  REQUIRE(at != std::string::npos);
  settings.replace(at + key.size(), settings.find('\n', at) - at - key.size(), "/nonexistent/project-build");
  write_text(cache, settings);
  ran = grade_it(clone);
  INFO(ran.output);
  REQUIRE(ran.exit_code == 0);
  grade = read_json(report);
  CHECK(grade.at("score") == grade.at("max_score"));
}

TEST_CASE("grade --class grades every folder and archive in parallel: a CSV row and a report each",
          "[e2e][class]") {
  const TempDir work;
  const fs::path class_dir = work.path() / "class";
  const std::string reference = read_text(source_dir / "solutions" / lab01);
  const std::string partial = partial_lab01();
  INFO("The class: ana (a clone with the reference), bea.zip (two tasks done), cid.tar.gz (does not compile), "
       "dan (empty), eve.zip (an unsafe archive) and a stray file");
  write_text(class_dir / "ana/labs" / lab01, reference);
  socklab::cli::write_zip(class_dir / "bea.zip", {{.name = "bea/" + lab01, .content = partial}});
  write_text(work.path() / "cid" / lab01, "#include \"socket_types.hpp\"\nthis is not C++;\n");
  REQUIRE(run({"tar", "-czf", (class_dir / "cid.tar.gz").string(), "-C", (work.path() / "cid").string(), "."})
              .exit_code == 0);
  fs::create_directories(class_dir / "dan");
  socklab::cli::write_zip(class_dir / "eve.zip", {{.name = "../" + lab01, .content = reference}});
  write_text(class_dir / "notes.txt", "not a submission\n");

  const fs::path csv = work.path() / "class.csv";
  const fs::path reports = work.path() / "reports";
  const RunResult ran = run_socklab({"grade", "01-socket-types", "--class", class_dir.string(), "-j", "2", "--out",
                                     csv.string(), "--reports", reports.string(), "--work-dir",
                                     (work.path() / "build").string(), "--timeout", "5"});
  INFO(ran.output);
  CHECK(ran.exit_code == 2);  // cid did not compile and eve could not be graded
  const std::string table = read_text(csv);
  INFO(table);
  CHECK(table.starts_with("student,01-socket-types (" + points01() + "),total,possible,notes\r\n"));
  CHECK(table.find("\r\nana," + points01() + "," + points01() + "," + points01() + ",\r\n") != std::string::npos);
  CHECK(table.find("\r\nbea,2,2," + points01() + ",\r\n") != std::string::npos);
  CHECK(table.find("\r\ncid,0,0," + points01() + ",01-socket-types does not compile\r\n") != std::string::npos);
  CHECK(table.find("\r\ndan,0,0," + points01() + ",\r\n") != std::string::npos);
  CHECK(table.find("\r\neve,0,0," + points01() + ",not graded: the archive eve.zip holds an entry outside its folder") !=
        std::string::npos);
  CHECK(count(table, "\r\n") == 6);  // the header and five students: notes.txt is no submission
  CHECK(read_text(reports / "ana.txt").find("Total: " + points01() + "/" + points01() + " points") != std::string::npos);
  CHECK(read_text(reports / "cid.txt").find("does not compile") != std::string::npos);
  CHECK(read_text(reports / "eve.txt").find("could not be graded") != std::string::npos);
  CHECK(ran.output.find("[5/5]") != std::string::npos);  // plain progress lines when not on a terminal
  CHECK(ran.output.find("\x1b[") == std::string::npos);
}

TEST_CASE("grade --extra-tests grades an instructor's hidden tests alongside the public ones", "[e2e][extra]") {
  const TempDir work;
  const fs::path submission = work.path() / "submission";
  const fs::path report = work.path() / "r.json";
  const fs::path extra = source_dir / "tests/grader/submissions/extra-tests";
  auto grade_it = [&] {
    return run_socklab({"grade", "01-socket-types", "--submission", submission.string(), "--extra-tests",
                        extra.string(), "--work-dir", (work.path() / "build").string(), "--format", "gradescope",
                        "--out", report.string(), "--timeout", "5"});
  };
  const std::string hidden_type = "01-socket-types: [hidden] type_name() names a datagram socket";
  const std::string hidden_family = "01-socket-types: [hidden] a Socket reports the family it was opened with";

  INFO("Step 1: the reference passes the public tests and both hidden ones (3 and 2 points)");
  const std::string reference = read_text(source_dir / "solutions" / lab01);
  write_text(submission / lab01, reference);
  RunResult ran = grade_it();
  INFO(ran.output);
  REQUIRE(ran.exit_code == 0);
  json grade = read_json(report);
  CHECK(grade.at("score") == grade.at("max_score"));
  CHECK(test_named(grade, hidden_type).at("max_score") == 3);
  CHECK(test_named(grade, hidden_type).at("visibility") == "after_published");
  CHECK(test_named(grade, hidden_family).at("status") == "passed");
  const int public_points = grade.at("max_score").get<int>() - 5;

  INFO("Step 2: the starter with type_name() and family_name() written: the hidden type_name() test passes, "
       "the hidden Socket test fails");
  write_text(submission / lab01, partial_lab01());
  ran = grade_it();
  REQUIRE(ran.exit_code == 0);
  grade = read_json(report);
  CHECK(test_named(grade, hidden_type).at("status") == "passed");
  CHECK(test_named(grade, hidden_family).at("status") == "failed");
  CHECK(grade.at("score") == 2 + 3);
  CHECK(grade.at("max_score") == public_points + 5);
}

TEST_CASE("gradescope-bundle writes a bundle whose run_autograder grades /autograder/submission",
          "[e2e][gradescope]") {
  const TempDir work;
  const fs::path bundle = work.path() / "autograder.zip";
  const fs::path root = work.path() / "autograder";  // stands in for /autograder

  INFO("Step 1: the bundle: setup.sh and run_autograder at its root, runnable, with the project's source");
  RunResult ran = run_socklab({"gradescope-bundle", bundle.string(), "01-socket-types", "--timeout", "5"});
  INFO(ran.output);
  REQUIRE(ran.exit_code == 0);
  socklab::cli::extract_archive(bundle, root / "source", {.total_bytes = 256 << 20, .file_bytes = 64 << 20});
  for (const char* script : {"setup.sh", "run_autograder"}) {
    INFO(script);
    REQUIRE(fs::exists(root / "source" / script));
    CHECK((fs::status(root / "source" / script).permissions() & fs::perms::owner_exec) != fs::perms::none);
    CHECK(run({"bash", "-n", (root / "source" / script).string()}).exit_code == 0);
  }
  CHECK(fs::exists(root / "source/socklab/CMakeLists.txt"));
  CHECK(fs::exists(root / "source/socklab/cli/main.cpp"));
  CHECK(fs::exists(root / "source/socklab/solutions" / lab01));
  CHECK_FALSE(fs::exists(root / "source/socklab/build"));
  CHECK(read_text(root / "source/setup.sh").find("./socklab setup") != std::string::npos);

  INFO("Step 2: run_autograder on a faked /autograder with a student's clone: results.json with full marks");
  write_text(root / "submission/labs" / lab01, read_text(source_dir / "solutions" / lab01));
  const std::vector<std::string> environment{"SOCKLAB_AUTOGRADER_ROOT=" + root.string(),
                                             "SOCKLAB_AUTOGRADER_CLI=" + std::string(SOCKLAB_CLI)};
  ran = run({"bash", (root / "source/run_autograder").string()},
            {.time_limit = std::chrono::minutes(5), .environment = environment});
  INFO(ran.output);
  REQUIRE(ran.exit_code == 0);
  json results = read_json(root / "results/results.json");
  REQUIRE(results.at("max_score").get<int>() > 0);
  CHECK(results.at("score") == results.at("max_score"));
  for (const json& test : results.at("tests")) {
    CHECK(test.at("name").get<std::string>().starts_with("01-socket-types: "));  // the chapters asked for
  }

  INFO("Step 3: when the grader itself fails, results.json still says so, with 0 points");
  fs::remove(root / "results/results.json");
  ran = run({"bash", (root / "source/run_autograder").string()},
            {.time_limit = std::chrono::minutes(1),
             .environment = {"SOCKLAB_AUTOGRADER_ROOT=" + root.string(), "SOCKLAB_AUTOGRADER_CLI=/bin/false"}});
  REQUIRE(ran.exit_code == 0);
  results = read_json(root / "results/results.json");
  CHECK(results.at("score") == 0);
  CHECK(results.at("output").get<std::string>().find("could not grade") != std::string::npos);
}

TEST_CASE("grade --summary appends a Markdown grade, as the GitHub Actions template writes the job summary",
          "[e2e][summary]") {
  const TempDir work;
  const fs::path submission = work.path() / "submission";
  const fs::path summary = work.path() / "step-summary.md";
  const std::string workflow = read_text(source_dir / "templates/github-actions/socklab-grade.yml");
  INFO("The workflow grades with JUnit output and this summary");
  REQUIRE(workflow.find("--format junit --out ../socklab-junit.xml --summary \"$GITHUB_STEP_SUMMARY\"") !=
          std::string::npos);
  auto grade_it = [&] {
    return run_socklab({"grade", "01-socket-types", "--submission", submission.string(), "--work-dir",
                        (work.path() / "build").string(), "--format", "junit", "--out",
                        (work.path() / "junit.xml").string(), "--summary", summary.string(), "--timeout", "5"});
  };

  INFO("Step 1: the reference: the total and the chapter's row, all passing");
  write_text(summary, "## an earlier step's summary\n");
  write_text(submission / lab01, read_text(source_dir / "solutions" / lab01));
  RunResult ran = grade_it();
  INFO(ran.output);
  REQUIRE(ran.exit_code == 0);
  std::string text = read_text(summary);
  INFO(text);
  CHECK(text.starts_with("## an earlier step's summary\n"));  // appended, not replaced
  CHECK(text.find("## socklab: " + points01() + "/" + points01() + " points") != std::string::npos);
  CHECK(text.find("| 01-socket-types Socket types | " + points01() + "/" + points01() + " | all tests pass |") != std::string::npos);
  CHECK(read_text(work.path() / "junit.xml").starts_with("<?xml"));

  INFO("Step 2: a lab that does not compile: its first error, quoted safely, in its own section");
  write_text(submission / lab01, "#include \"socket_types.hpp\"\nthis is <not> C++ | at all;\n");
  ran = grade_it();
  REQUIRE(ran.exit_code == 2);
  text = read_text(summary);
  CHECK(count(text, "## socklab: ") == 2);
  CHECK(text.find("| 01-socket-types Socket types | 0/" + points01() + " | does not compile |") != std::string::npos);
  CHECK(text.find("### 01-socket-types does not compile") != std::string::npos);
  CHECK(text.find("&lt;not&gt;") != std::string::npos);
  CHECK(text.find("<not>") == std::string::npos);
}

TEST_CASE("on a terminal, grade shows how far the build and the tests have got on one line, erased before the "
          "report",
          "[e2e][progress]") {
  const TempDir work;
  const fs::path submission = work.path() / "submission";
  write_text(submission / lab01, read_text(source_dir / "solutions" / lab01));
  const std::vector<std::string> args{SOCKLAB_CLI, "grade", "01-socket-types", "--submission", submission.string(),
                                      "--work-dir", (work.path() / "build").string()};
  std::string command;
  for (const std::string& arg : args) {
    command += " '" + arg + "'";  // for script's shell; the paths are mkdtemp's: no quote in them
  }
  // script(1) (util-linux, in every Debian) runs the command on a pseudo-terminal.
  const RunResult ran =
      run({"script", "--quiet", "--return", "--command", command, "/dev/null"},
          {.time_limit = std::chrono::minutes(5), .environment = {"TERM=xterm", "NO_COLOR=1"}});
  INFO(ran.output);
  REQUIRE(ran.exit_code == 0);
  const std::string erase = "\r\x1b[K";
  const auto building = ran.output.find(erase + "socklab: building [");
  REQUIRE(building != std::string::npos);
  const std::size_t tests = socklab::cli::list_graded_tests(
      socklab::cli::load_manifest(SOCKLAB_BUILD_DIR).find("01-socket-types").tests_ref).size();
  const std::string last_test = "socklab: grading 01-socket-types [########################] " +
                                std::to_string(tests) + "/" + std::to_string(tests);
  const auto grading = ran.output.find(erase + last_test);
  REQUIRE(grading != std::string::npos);
  INFO("The build's steps, then each test done, redraw one line; it is erased before the report");
  const auto erased = ran.output.find(erase, grading + 1);
  REQUIRE(erased != std::string::npos);
  CHECK(building < grading);
  CHECK(ran.output.substr(building, erased - building).find('\n') == std::string::npos);
  CHECK(ran.output.find("Total: " + points01() + "/" + points01() + " points", erased) != std::string::npos);
}

TEST_CASE("grade --sanitize fails a test whose lab code has a memory error, with the sanitizer's first lines",
          "[e2e][sanitize]") {
  const TempDir work;
  const fs::path submission = work.path() / "submission";
  const fs::path report = work.path() / "r.json";
  const fs::path golden = source_dir / "tests/grader/submissions/sanitizer/heap-overflow.cpp";
  const std::string hostile = read_text(golden);
  write_text(submission / lab01, reference_calling(hostile));
  auto grade_it = [&](bool sanitize) {
    std::vector<std::string> args{"grade", "01-socket-types", "--submission", submission.string(), "--work-dir",
                                  (work.path() / "build").string(), "--format", "gradescope", "--out",
                                  report.string(), "--timeout", "10"};
    if (sanitize) {
      args.push_back("--sanitize");
    }
    return run_socklab(args);
  };
  const std::string victim = "01-socket-types: family_name() agrees with the reference";

  INFO("Step 1: a plain build does not notice the overflow: full marks");
  RunResult ran = grade_it(false);
  INFO(ran.output);
  REQUIRE(ran.exit_code == 0);
  json grade = read_json(report);
  CHECK(grade.at("score") == grade.at("max_score"));

  INFO("Step 2: with --sanitize, that test fails with ASan's report; the others still pass");
  ran = grade_it(true);
  REQUIRE(ran.exit_code == 0);
  grade = read_json(report);
  const json& hit = test_named(grade, victim);
  const std::string output = hit.at("output");
  INFO(output.substr(0, 3000));
  CHECK(hit.at("status") == header_value(hostile, "expect-status"));
  CHECK(output.find("the sanitizer found an error") != std::string::npos);
  CHECK(output.find("labs/" + lab01) != std::string::npos);  // where, as the student knows the file
  CHECK(output.find(header_value(hostile, "expect-message")) != std::string::npos);
  CHECK(grade.at("score").get<int>() == grade.at("max_score").get<int>() - 1);
  CHECK(fs::exists(work.path() / "build/build-sanitize/CMakeCache.txt"));
}

namespace {

// `socklab watch` (or any command) running in the background, its output
// (standard output and error together) read as it comes.
class Background {
 public:
  explicit Background(const std::vector<std::string>& args) {
    int fds[2];
    REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
    std::vector<std::string> argv{SOCKLAB_CLI};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> pointers;
    for (auto& arg : argv) {
      pointers.push_back(arg.data());
    }
    pointers.push_back(nullptr);
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      ::dup2(fds[1], STDOUT_FILENO);
      ::dup2(fds[1], STDERR_FILENO);
      ::execv(pointers[0], pointers.data());
      ::_exit(127);
    }
    ::close(fds[1]);
    out_ = fds[0];
  }
  ~Background() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    ::close(out_);
  }
  Background(const Background&) = delete;
  Background& operator=(const Background&) = delete;

  /// Reads until \p what occurs \p times in the output, or \p limit passes,
  /// or the output ends.  Returns whether it occurred.
  bool wait_for(const std::string& what, std::size_t times, std::chrono::seconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (count(output, what) < times) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0 || !read_some(static_cast<int>(left.count()))) {
        return count(output, what) >= times;
      }
    }
    return true;
  }

  /// Waits for the program to end, at most \p limit; returns its exit code,
  /// 128 + a signal that ended it, or -1 when it was still running (then killed).
  int wait_exit(std::chrono::seconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (read_some(200)) {
      if (std::chrono::steady_clock::now() > deadline) {
        break;
      }
    }
    for (;;) {
      int status = 0;
      const pid_t ended = ::waitpid(pid_, &status, WNOHANG);
      if (ended == pid_) {
        pid_ = -1;
        while (read_some(0)) {
        }
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      if (std::chrono::steady_clock::now() > deadline) {
        return -1;
      }
      ::usleep(20000);
    }
  }

  void signal(int number) const { ::kill(pid_, number); }

  std::string output;

 private:
  // Reads what is there within `milliseconds`; false at the end of the output.
  bool read_some(int milliseconds) {
    pollfd ready{out_, POLLIN, 0};
    if (::poll(&ready, 1, milliseconds) <= 0) {
      return milliseconds > 0;  // nothing yet, but not the end
    }
    char chunk[4096];
    const ssize_t got = ::read(out_, chunk, sizeof chunk);
    if (got <= 0) {
      return false;
    }
    output.append(chunk, static_cast<std::size_t>(got));
    return true;
  }

  pid_t pid_ = -1;
  int out_ = -1;
};

// Writes `text` to a new file beside `path`, then renames it over `path`: how
// many editors save.
void save_by_rename(const fs::path& path, const std::string& text) {
  const fs::path temporary = path.parent_path() / ("." + path.filename().string() + ".swp-new");
  write_text(temporary, text);
  fs::rename(temporary, path);
}

// The text after the last occurrence of `marker` in `text`.
std::string after_last(const std::string& text, const std::string& marker) {
  const auto at = text.rfind(marker);
  return at == std::string::npos ? "" : text.substr(at);
}

const std::string kWatching = "for changes; Ctrl-C stops";  // the line that ends each report
const std::string kReport = "── ";                          // each report's first line starts so (once)

}  // namespace

TEST_CASE("watch re-grades a chapter on each save, in place or by rename, and shows a build error until it is "
          "fixed",
          "[e2e][watch]") {
  const TempDir work;
  const fs::path submission = work.path() / "submission";
  const fs::path lab = submission / lab01;
  write_text(lab, partial_lab01());
  Background watch({"watch", "01-socket-types", "--submission", submission.string(), "--work-dir",
                    (work.path() / "build").string(), "--max-cycles", "4", "--debounce", "100"});

  INFO("Step 1: the first report: chapter 01 with two tasks done (the first build configures the folder)");
  REQUIRE(watch.wait_for(kWatching, 1, std::chrono::seconds(300)));
  INFO(watch.output);
  CHECK(watch.output.find("01-socket-types  Socket types  2/" + points01() + " points") != std::string::npos);
  CHECK(watch.output.find("  pass  ") != std::string::npos);
  CHECK(watch.output.find("  FAIL  ") != std::string::npos);
  CHECK(watch.output.find("Stuck? ./socklab hint 01-socket-types ") != std::string::npos);
  CHECK(watch.output.find("\x1b[") == std::string::npos);  // not a terminal: no colour

  INFO("Step 2: the reference saved in place: rebuilt and re-graded, full marks, within a bounded time");
  write_text(lab, read_text(source_dir / "solutions" / lab01));
  auto saved = std::chrono::steady_clock::now();
  REQUIRE(watch.wait_for(kWatching, 2, std::chrono::seconds(120)));
  const double in_place = std::chrono::duration<double>(std::chrono::steady_clock::now() - saved).count();
  std::string report = after_last(watch.output.substr(0, watch.output.rfind(kWatching)), kReport);
  INFO(report);
  CHECK(report.find(lab01 + " changed") != std::string::npos);
  CHECK(report.find(points01() + "/" + points01() + " points") != std::string::npos);
  CHECK(report.find("built in ") != std::string::npos);
  CHECK(report.find("Every test passes") != std::string::npos);
  std::cout << "watch: a save in place was re-graded in " << in_place << " s\n";
  CHECK(in_place < 120);

  INFO("Step 3: a broken file saved by write-then-rename: the compiler's first error, not a wall of text");
  save_by_rename(lab, "#include \"socket_types.hpp\"\nthis is not C++;\nnor is this;\n");
  REQUIRE(watch.wait_for(kWatching, 3, std::chrono::seconds(120)));
  report = after_last(watch.output.substr(0, watch.output.rfind(kWatching)), kReport);
  INFO(report);
  CHECK(report.find("does not compile") != std::string::npos);
  CHECK(report.find(lab01) != std::string::npos);
  CHECK(report.find("error") != std::string::npos);
  CHECK(count(report, "error:") == 1);  // the first error only
  CHECK(report.find("nor is this") == std::string::npos);

  INFO("Step 4: a good file again, by rename too: it recovers; the fourth report ends the watch (--max-cycles 4)");
  save_by_rename(lab, partial_lab01());
  const int status = watch.wait_exit(std::chrono::seconds(120));
  report = after_last(watch.output, kReport);
  INFO(report);
  CHECK(status == 0);
  CHECK(report.find("2/" + points01() + " points") != std::string::npos);
  CHECK(watch.output.find("4 gradings shown (--max-cycles); stopping") != std::string::npos);
}

TEST_CASE("watch starts with the first chapter not at full marks, and ends cleanly on SIGINT and SIGTERM",
          "[e2e][watch]") {
  const TempDir work;
  const fs::path submission = work.path() / "submission";
  const fs::path build = work.path() / "build";
  write_text(submission / lab01, read_text(source_dir / "solutions" / lab01));
  const std::vector<std::string> every_chapter{"watch", "--submission", submission.string(), "--work-dir",
                                               build.string()};

  INFO("Step 1: no chapter named, and chapter 01 at full marks: chapter 02 is shown first");
  {
    Background watch(every_chapter);
    REQUIRE(watch.wait_for(kWatching, 1, std::chrono::seconds(300)));
    INFO(watch.output);
    CHECK(watch.output.find("02-port-table, the first chapter not at full marks") != std::string::npos);
    CHECK(watch.output.find("02-port-table  Port table  0/") != std::string::npos);

    INFO("Step 2: Ctrl-C (SIGINT) while it waits: exit status 130, and the last report is whole");
    watch.signal(SIGINT);
    CHECK(watch.wait_exit(std::chrono::seconds(30)) == 130);
    CHECK(watch.output.find("stopped by SIGINT after 1 grading") != std::string::npos);
    CHECK(watch.output.find(kWatching) < watch.output.find("stopped by SIGINT"));
  }

  INFO("Step 3: started again: chapter 02's results are reused (nothing changed); a save in chapter 02 is "
       "graded anew");
  {
    Background watch(every_chapter);
    REQUIRE(watch.wait_for(kWatching, 1, std::chrono::seconds(300)));
    CHECK(watch.output.find("02-port-table, the first chapter not at full marks (results reused") !=
          std::string::npos);
    const fs::path lab02 = submission / "02-port-table/port_table.cpp";
    write_text(lab02, read_text(source_dir / "labs/02-port-table/port_table.cpp") + "\n// edited\n");
    REQUIRE(watch.wait_for(kWatching, 2, std::chrono::seconds(120)));
    const std::string report = after_last(watch.output.substr(0, watch.output.rfind(kWatching)), kReport);
    INFO(report);
    CHECK(report.find("02-port-table/port_table.cpp changed") != std::string::npos);
    CHECK(report.find("reused") == std::string::npos);
    watch.signal(SIGINT);
    CHECK(watch.wait_exit(std::chrono::seconds(30)) == 130);
  }

  INFO("Step 4: SIGTERM while a test hangs: the grading is stopped at once, exit status 143, no process left");
  {
    Background watch({"watch", "01-socket-types", "--submission", submission.string(), "--work-dir",
                      build.string(), "--timeout", "120"});
    REQUIRE(watch.wait_for(kWatching, 1, std::chrono::seconds(300)));
    write_text(submission / lab01, reference_calling(read_text(hostile_dir / "sleeps.cpp")));
    // Until the hanging test runs: the submission's test program, running the
    // test that calls family_name() (any other of its tests ends at once).
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (!any_runs_with(processes_running_from(build), "family_name()") &&
           std::chrono::steady_clock::now() < deadline) {
      ::usleep(50000);
    }
    REQUIRE(any_runs_with(processes_running_from(build), "family_name()"));
    const auto sent = std::chrono::steady_clock::now();
    watch.signal(SIGTERM);
    CHECK(watch.wait_exit(std::chrono::seconds(60)) == 143);
    INFO(watch.output);
    CHECK(std::chrono::steady_clock::now() - sent < std::chrono::seconds(20));
    CHECK(watch.output.find("stopped by SIGTERM after 1 grading") != std::string::npos);
    CHECK(count(watch.output, kReport) == 1);  // the first report only: none cut short
    ::usleep(200000);
    const auto left = processes_running_from(work.path());
    INFO("still running:\n" << fmt_lines(left));
    CHECK(left.empty());
  }
}
