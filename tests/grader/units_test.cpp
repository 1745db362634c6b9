// The grader's parts, tested one by one.

#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <unistd.h>

#include "build.hpp"
#include "classroom.hpp"
#include "grade_cache.hpp"
#include "graded_test.hpp"
#include "hints.hpp"
#include "process.hpp"
#include "report.hpp"
#include "socklab/testkit/temp_dir.hpp"

using namespace socklab::cli;
using namespace std::chrono_literals;

namespace {

// Runs a shell script standing in for a Catch2 test program, as the grader
// runs a graded test.  The script finds the grader's report file (Catch2's
// `-o FILE`) in "$report".
TestResult run_as_graded_test(const std::string& body, TestLimits limits = {.time = 10s}) {
  const auto script = std::filesystem::temp_directory_path() /
                      ("socklab-stand-in-" + std::to_string(::getpid()) + ".sh");
  std::ofstream(script) << "#!/bin/sh\n"
                        << "while [ $# -gt 0 ]; do if [ \"$1\" = -o ]; then report=\"$2\"; fi; shift; done\n"
                        << body;
  std::filesystem::permissions(script, std::filesystem::perms::owner_all);
  TestResult result = run_graded_test(script, {"a test", 1, 1}, limits, "/nowhere");
  std::filesystem::remove(script);
  return result;
}

// The number after `key=` in `text`, or -1.
long number_after(const std::string& text, const std::string& key) {
  const auto at = text.find(key + "=");
  return at == std::string::npos ? -1 : std::stol(text.substr(at + key.size() + 1));
}

// Whether a process is still running (not gone, not a zombie).
bool running(long pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const auto close = text.rfind(')');
  return close != std::string::npos && close + 2 < text.size() && text[close + 2] != 'Z';
}

}  // namespace

TEST_CASE("xml_escape escapes markup and replaces what XML 1.0 cannot hold", "[units]") {
  CHECK(xml_escape("a&b<c>\"d'") == "a&amp;b&lt;c&gt;&quot;d&apos;");
  CHECK(xml_escape("tab\tnew\nline\r") == "tab\tnew\nline\r");
  CHECK(xml_escape(std::string("nul\0bell\x07", 9)) == "nul\xEF\xBF\xBD" "bell\xEF\xBF\xBD");
  CHECK(xml_escape("\xff\xfe broken") == "\xEF\xBF\xBD\xEF\xBF\xBD broken");
  CHECK(xml_escape("cut \xE6\x95") == "cut \xEF\xBF\xBD\xEF\xBF\xBD");
  CHECK(xml_escape("流式Socket") == "流式Socket");
}

TEST_CASE("catch_test_spec makes Catch2's special characters literal", "[units]") {
  CHECK(catch_test_spec("plain name") == "plain name");
  CHECK(catch_test_spec("a, b [c] ~d *e \"f\" \\g") == "a\\, b \\[c\\] \\~d \\*e \\\"f\\\" \\\\g");
}

TEST_CASE("first_error finds the compiler's first error and the line after it", "[units]") {
  const std::string output =
      "[1/3] Building CXX object x.o\n"
      "labs/01/x.cpp: In function 'int f()':\n"
      "labs/01/x.cpp:3:12: error: expected ';' before '}' token\n"
      "    3 |   return 1\n"
      "labs/01/x.cpp:9:1: error: a second error\n";
  CHECK(first_error(output) == "labs/01/x.cpp:3:12: error: expected ';' before '}' token\n    3 |   return 1");
  CHECK(first_error("one\ntwo\nthree\nfour\nfive\n") == "two\nthree\nfour\nfive\n");
}

TEST_CASE("run captures output and the exit code", "[units]") {
  const RunResult result = run({"sh", "-c", "echo out; echo err >&2; exit 3"});
  CHECK(result.exit_code == 3);
  CHECK(result.signal == 0);
  CHECK_FALSE(result.timed_out);
  CHECK(result.output.find("out") != std::string::npos);
  CHECK(result.output.find("err") != std::string::npos);
}

TEST_CASE("run kills a program at its time limit", "[units]") {
  const RunResult result = run({"sleep", "30"}, {.time_limit = 300ms});
  CHECK(result.timed_out);
  CHECK(result.elapsed < 5s);
}

TEST_CASE("run reports the signal that ended a program", "[units]") {
  const RunResult result = run({"sh", "-c", "kill -SEGV $$"});
  CHECK(result.signal == SIGSEGV);
  CHECK(result.exit_code == -1);
}

TEST_CASE("run returns when the program ends, even if a child it left holds the output open",
          "[units]") {
  const RunResult result = run({"sh", "-c", "sleep 30 & echo started"}, {.time_limit = 20s});
  CHECK(result.exit_code == 0);
  CHECK_FALSE(result.timed_out);
  CHECK(result.elapsed < 5s);
  CHECK(result.output.find("started") != std::string::npos);
}

TEST_CASE("run keeps the output's start and end within a limit, and says it cut", "[units]") {
  const RunResult result =
      run({"sh", "-c", "head -c 1000000 /dev/zero | tr '\\0' x"}, {.output_limit = 1000});
  CHECK(result.exit_code == 0);
  CHECK(result.output_cut);
  CHECK(result.output.size() <= 1000 + 4096 + 64);  // kept bytes, the tail and the note
  CHECK(result.output.starts_with(std::string(1000, 'x')));
}

TEST_CASE("run throws when a program cannot be started", "[units]") {
  CHECK_THROWS_AS(run({"/nonexistent/socklab-no-such-program"}), std::system_error);
}

TEST_CASE("run_graded_test survives a failure message of 200 KB on one line", "[units]") {
  // What a student's code might make Catch2 print.
  const TestResult result = run_as_graded_test(
      "awk 'BEGIN { s = \"x\"; while (length(s) < 200000) s = s s;\n"
      "  print \"tests/x_test.cpp:7: failed: \" s; print \"Failed 1 test case, failed 1 assertion.\" }' > \"$report\"\n"
      "exit 1\n");
  CHECK(result.outcome == Outcome::failed);
  CHECK(result.message.starts_with("tests/x_test.cpp:7: failed: xxx"));
  CHECK(result.message.size() < 8192);  // bounded: not the 200 KB that was printed
  CHECK(result.message.find("[... cut]") != std::string::npos);
}

TEST_CASE("run_graded_test gives each test a TMPDIR of its own and removes it afterwards", "[units]") {
  const TestResult result = run_as_graded_test(
      "echo \"$TMPDIR\" > \"$TMPDIR/left-behind\"\n"
      "echo \"scratch=$TMPDIR\"\n"
      "echo 'Passed 1 test case with 1 assertion.' > \"$report\"\n");
  REQUIRE(result.outcome == Outcome::passed);
  const auto at = result.output.find("scratch=");
  REQUIRE(at != std::string::npos);
  const std::string scratch = result.output.substr(at + 8, result.output.find('\n', at) - at - 8);
  INFO("the test's TMPDIR was " << scratch);
  CHECK(scratch.find("socklab-test-") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(scratch));
}

TEST_CASE("run sets the environment entries it is given, over inherited ones", "[units]") {
  ::setenv("SOCKLAB_UNIT_VARIABLE", "inherited", 1);
  const RunResult result = run({"sh", "-c", "echo \"[$SOCKLAB_UNIT_VARIABLE]\""},
                               {.environment = {"SOCKLAB_UNIT_VARIABLE=given"}});
  ::unsetenv("SOCKLAB_UNIT_VARIABLE");
  CHECK(result.output == "[given]\n");
}

TEST_CASE("load_hints reads numbered sections with their titles and bodies", "[units]") {
  const auto file = std::filesystem::temp_directory_path() /
                    ("socklab-hints-" + std::to_string(::getpid()) + ".md");
  std::ofstream(file) << "# Hints {#x}\n\n## Hint 1: First\nline a\n\n## Hint 2: Second one\nline b\nline c\n\n";
  const auto hints = load_hints(file);
  std::filesystem::remove(file);
  REQUIRE(hints.size() == 2);
  CHECK(hints[0].number == 1);
  CHECK(hints[0].title == "First");
  CHECK(hints[0].body == "line a");
  CHECK(hints[1].title == "Second one");
  CHECK(hints[1].body == "line b\nline c");
}

TEST_CASE("run_graded_test: a fake pass line on the test's own output does not pass it", "[units][hostile]") {
  const TestResult result = run_as_graded_test(
      "echo 'Passed 1 test case with 1 assertion.'\n"
      "echo 'All tests passed (1 assertion in 1 test case)' >&2\n"
      "exit 0\n");
  CHECK(result.outcome == Outcome::exited_early);
  CHECK(result.output.find("Passed 1 test case") != std::string::npos);  // shown, not believed
}

TEST_CASE("run_graded_test: a test that leaves a process running fails, and the process is killed",
          "[units][hostile]") {
  become_subreaper();  // as the socklab command does: orphans come back to the grader
  const TestResult result = run_as_graded_test(
      "setsid sleep 300 > /dev/null 2>&1 &\n"
      "echo \"left=$!\"\n"
      "echo 'Passed 1 test case with 1 assertion.' > \"$report\"\n");
  const long left = number_after(result.output, "left");
  REQUIRE(left > 0);
  CHECK(result.outcome == Outcome::over_limit);
  CHECK(result.message.find("left 1 process running") != std::string::npos);
  CHECK_FALSE(running(left));
}

TEST_CASE("run_graded_test: a fork loop is stopped at the process limit", "[units][hostile]") {
  become_subreaper();
  const TestResult result = run_as_graded_test("while :; do sleep 30 & done\n", {.time = 20s, .processes = 16});
  CHECK(result.outcome == Outcome::over_limit);
  CHECK(result.message.find("more than 16 processes") != std::string::npos);
  CHECK(result.seconds < 10);
  CHECK(kill_descendants() == 0);  // nothing of it is left
}

TEST_CASE("run_graded_test: endless printing is stopped at the output limit and the report stays short",
          "[units][hostile]") {
  const TestResult result = run_as_graded_test("yes 'spam spam spam'\n", {.time = 20s, .output = 1 << 20});
  CHECK(result.outcome == Outcome::over_limit);
  CHECK(result.message.find("printed more than 1 MiB") != std::string::npos);
  CHECK(result.output.size() < 10000);
  CHECK(result.output.find("[... cut]") != std::string::npos);
  CHECK(result.seconds < 10);
}

TEST_CASE("run_graded_test: writing a file past the size limit stops the test", "[units][hostile]") {
  const TestResult result =
      run_as_graded_test("exec head -c 5000000 /dev/zero > \"$TMPDIR/big\"\n", {.time = 10s, .file_size = 1 << 20});
  CHECK(result.outcome == Outcome::over_limit);
  CHECK(result.message.find("wrote a file larger than 1 MiB") != std::string::npos);
}

TEST_CASE("run sets the resource limits it is given in the program's process", "[units]") {
  const RunResult result = run({"sh", "-c", "ulimit -t; ulimit -v; ulimit -f"},
                               {.limits = {.cpu_seconds = 7, .address_space = 64 << 20, .file_size = 1 << 20}});
  CHECK(result.exit_code == 0);
  // sh reports seconds, KiB and 512-byte blocks.
  CHECK(result.output == "7\n65536\n2048\n");
}

TEST_CASE("run stops a program at its CPU time limit", "[units]") {
  const RunResult result = run({"sh", "-c", "while :; do :; done"}, {.time_limit = 20s, .limits = {.cpu_seconds = 1}});
  CHECK(result.signal == SIGXCPU);
  CHECK_FALSE(result.timed_out);
  CHECK(result.elapsed < 10s);
}

TEST_CASE("csv_field quotes what CSV needs quoted and defuses spreadsheet formulas", "[units]") {
  CHECK(csv_field("ana") == "ana");
  CHECK(csv_field("a, b") == "\"a, b\"");
  CHECK(csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(csv_field("two\nlines") == "\"two\nlines\"");
  CHECK(csv_field("=HYPERLINK(\"x\")") == "\"'=HYPERLINK(\"\"x\"\")\"");
  CHECK(csv_field("-1+2") == "'-1+2");
}

TEST_CASE("find_submissions takes folders and archives, and refuses two of one name", "[units]") {
  const auto folder = std::filesystem::temp_directory_path() / ("socklab-class-" + std::to_string(::getpid()));
  std::filesystem::create_directories(folder / "ana");
  std::filesystem::create_directories(folder / ".git");
  std::ofstream(folder / "bea.tar.gz") << "x";
  std::ofstream(folder / "notes.txt") << "x";
  const auto found = find_submissions(folder);
  REQUIRE(found.size() == 2);
  CHECK(found[0].name == "ana");
  CHECK(found[1].name == "bea");
  CHECK(found[1].path == folder / "bea.tar.gz");
  std::ofstream(folder / "ana.zip") << "x";
  CHECK_THROWS_WITH(find_submissions(folder), Catch::Contains("two submissions are named ana"));
  std::filesystem::remove_all(folder);
}

TEST_CASE("markdown_cell keeps a cell on one line and makes markup and HTML literal", "[units]") {
  CHECK(markdown_cell("a | b\nc") == "a \\| b<br>c");
  CHECK(markdown_cell("<script>&[link](http://x)") == "&lt;script&gt;&amp;\\[link\\]\\(http://x\\)");
  CHECK(markdown_cell(std::string(500, 'x'), 10) == std::string(10, 'x') + " […]");
}

TEST_CASE("the grade cache gives back what it stored, until a lab file, a test program or a limit changes",
          "[units][cache]") {
  namespace fs = std::filesystem;
  const socklab::testkit::TempDir folder;
  const fs::path& root = folder.path();
  auto write = [](const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::trunc) << text;
  };
  INFO("A build of one chapter: its lab folder, its test programs and its oracle");
  write(root / "labs/01-x/x.cpp", "int answer() { return 1; }\n");
  write(root / "labs/01-x/x.hpp", "int answer();\n");
  write(root / "build/tests-01-x-lab", "lab tests");
  write(root / "build/tests-01-x-ref", "reference tests");
  write(root / "build/bin/oracle/oracle-01-x", "oracle");
  Manifest build;
  build.source_dir = root;
  build.build_dir = root / "build";
  build.labs_dir = root / "labs";
  Chapter one;
  one.slug = "01-x";
  one.lab_files = {"x.cpp"};
  one.tests_lab = root / "build/tests-01-x-lab";
  one.tests_ref = root / "build/tests-01-x-ref";
  build.chapters.push_back(one);
  const Chapter& chapter = build.chapters.front();
  const std::vector<GradedTest> tests{{"answers", 2, 1}, {"answers again", 3, 1}};
  const TestLimits limits{};
  auto key = [&] { return grade_cache_key(build, build, chapter, tests, limits); };
  const std::vector<TestResult> results{
      {.test = tests[0], .outcome = Outcome::passed, .seconds = 0.5},
      {.test = tests[1], .outcome = Outcome::failed, .message = "x.cpp:1: failed: answer() == 2", .output = "out"}};

  INFO("Step 1: stored under a key, given back under the same key, and only under it");
  const std::string first = key();
  CHECK(first == key());
  CHECK_FALSE(load_cached_grade(build, "01-x", first));
  store_cached_grade(build, "01-x", first, results);
  const auto loaded = load_cached_grade(build, "01-x", first);
  REQUIRE(loaded);
  REQUIRE(loaded->size() == 2);
  CHECK(loaded->at(0).test.name == "answers");
  CHECK(loaded->at(0).outcome == Outcome::passed);
  CHECK(loaded->at(1).earned() == 0);
  CHECK(loaded->at(1).test.points == 3);
  CHECK(loaded->at(1).message == results[1].message);
  CHECK_FALSE(load_cached_grade(build, "01-x", first + "x"));

  INFO("Step 2: editing a lab file changes the key; putting its content back restores it");
  write(root / "labs/01-x/x.cpp", "int answer() { return 2; }\n");
  CHECK(key() != first);
  CHECK_FALSE(load_cached_grade(build, "01-x", key()));
  write(root / "labs/01-x/x.cpp", "int answer() { return 1; }\n");
  CHECK(key() == first);

  INFO("Step 3: so does a header, a rebuilt test program or oracle, and other limits");
  write(root / "labs/01-x/x.hpp", "int answer(); // documented\n");
  CHECK(key() != first);
  write(root / "labs/01-x/x.hpp", "int answer();\n");
  CHECK(key() == first);
  for (const char* program : {"build/tests-01-x-lab", "build/tests-01-x-ref", "build/bin/oracle/oracle-01-x"}) {
    INFO(program);
    const auto modified = fs::last_write_time(root / program);
    fs::last_write_time(root / program, modified + std::chrono::seconds(1));
    CHECK(key() != first);
    fs::last_write_time(root / program, modified);
    CHECK(key() == first);
  }
  CHECK(grade_cache_key(build, build, chapter, tests, {.time = std::chrono::seconds(5)}) != first);
  CHECK(grade_cache_key(build, build, chapter, {tests[0]}, limits) != first);

  INFO("Step 4: results with a test that timed out are not stored: a quieter run may pass it");
  std::vector<TestResult> slow = results;
  slow[0].outcome = Outcome::timed_out;
  store_cached_grade(build, "01-x", "another key", slow);
  CHECK_FALSE(load_cached_grade(build, "01-x", "another key"));
  CHECK(load_cached_grade(build, "01-x", first));
}
