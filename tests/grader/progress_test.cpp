// The build's progress line: what a student sees while a first build runs
// for minutes, and what a log must never get (carriage returns, escapes).

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <stdlib.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <stdexcept>
#include <fstream>
#include <string>
#include <vector>

#include "build.hpp"
#include "process.hpp"
#include "progress_line.hpp"
#include "socklab/file_descriptor.hpp"
#include "socklab/system_error.hpp"
#include "socklab/testkit/temp_dir.hpp"

using namespace socklab::cli;

namespace {

bool same(const std::optional<BuildProgress>& got, int done, int total) {
  return got && got->done == done && got->total == total && !got->finished;
}

// Every report a handler heard, as "done/total" and "end done/total".
struct Heard {
  std::vector<std::string> reports;
  BuildProgressHandler handler() {
    return [this](const BuildProgress& p) {
      reports.push_back((p.finished ? "end " : "") + std::to_string(p.done) + "/" + std::to_string(p.total));
    };
  }
};

// A pseudo-terminal: `slave` is a terminal for isatty(3); what is written to
// it is read back from the master side.
struct Terminal {
  socklab::FileDescriptor master;
  std::FILE* slave = nullptr;

  Terminal() : master(socklab::check("posix_openpt", ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC))) {
    socklab::check("grantpt", ::grantpt(master.get()));
    socklab::check("unlockpt", ::unlockpt(master.get()));
    const char* name = ::ptsname(master.get());
    REQUIRE(name != nullptr);
    slave = std::fopen(name, "w");
    REQUIRE(slave != nullptr);
  }
  ~Terminal() { std::fclose(slave); }
  Terminal(const Terminal&) = delete;
  Terminal& operator=(const Terminal&) = delete;

  // What was written so far (waits up to 2 s for the first byte, then takes
  // what is there).
  std::string written() const {
    std::string text;
    pollfd ready{master.get(), POLLIN, 0};
    for (int timeout = 2000; ::poll(&ready, 1, timeout) == 1 && (ready.revents & POLLIN) != 0; timeout = 50) {
      char chunk[4096];
      const ssize_t got = ::read(master.get(), chunk, sizeof chunk);
      if (got <= 0) {
        break;
      }
      text.append(chunk, static_cast<std::size_t>(got));
    }
    return text;
  }
};

// Sets an environment variable for one test, and puts it back after.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) {
      old_ = old;
    }
    ::setenv(name, value, 1);
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

}  // namespace

TEST_CASE("ninja_progress reads Ninja's [done/total] at a line's start, and nothing else", "[units][progress]") {
  CHECK(same(ninja_progress("[1/141] Building CXX object cli/CMakeFiles/a.o"), 1, 141));
  CHECK(same(ninja_progress("[141/141] Linking CXX executable socklab-cli"), 141, 141));
  CHECK(same(ninja_progress("[0/3] Re-running CMake..."), 0, 3));
  for (const char* other : {"", "ninja: no work to do.", "[ 45%] Building CXX object a.o", "[3/2] past the end",
                            "[1/0] nothing in all", "[-1/2] negative", "[a/2] letters", "[1/2]no space",
                            "[/2] no count", "[1/] no total", "[1/2/3] three", " [1/2] indented",
                            "[99999999999999999999/2] too big", "FAILED: [1/2] a.o"}) {
    INFO(other);
    CHECK_FALSE(ninja_progress(other));
  }
}

TEST_CASE("BuildProgressReader reports each step however the output is cut, and the end once", "[units][progress]") {
  const std::string output = "[1/3] Building CXX object a.o\nwarning: a compiler's line\n[2/3] Building CXX object "
                             "b.o\n" + std::string(100000, 'x') + "[9/9] inside a long line\n[3/3] Linking\n";
  for (const std::size_t cut : {std::size_t{1}, std::size_t{7}, std::size_t{4096}, output.size()}) {
    INFO("pieces of " << cut << " bytes");
    Heard heard;
    BuildProgressReader reader(heard.handler());
    for (std::size_t at = 0; at < output.size(); at += cut) {
      reader.read(std::string_view(output).substr(at, cut));
    }
    reader.finish();
    reader.finish();
    CHECK(heard.reports == std::vector<std::string>{"1/3", "2/3", "3/3", "end 3/3"});
  }
  Heard none;
  BuildProgressReader quiet(none.handler());
  quiet.read("ninja: no work to do.\n");
  quiet.finish();
  CHECK(none.reports.empty());
}

TEST_CASE("run hands on_output all the output as it comes, and goes on when it throws", "[units][progress]") {
  std::string heard;
  RunOptions options;
  options.on_output = [&](std::string_view piece) { heard.append(piece); };
  const RunResult ran = run({"sh", "-c", "echo one; sleep 0.1; echo two >&2; head -c 100000 /dev/zero"}, options);
  CHECK(ran.exit_code == 0);
  CHECK(heard.size() == 8 + 100000);
  CHECK(heard.starts_with("one\ntwo\n"));

  int calls = 0;
  options.on_output = [&](std::string_view) {
    ++calls;
    throw std::runtime_error("a listener that fails");
  };
  const RunResult went_on = run({"sh", "-c", "echo one; sleep 0.1; echo two; exit 3"}, options);
  CHECK(calls == 1);
  CHECK(went_on.exit_code == 3);
  CHECK(went_on.output == "one\ntwo\n");
}

TEST_CASE("build_targets reports the steps of a real build, and nothing when there is nothing to do",
          "[units][progress]") {
  const socklab::testkit::TempDir dir("socklab-progress-");
  std::ofstream(dir.path() / "CMakeLists.txt")
      << "cmake_minimum_required(VERSION 3.25)\nproject(progress NONE)\n"
         "foreach(n 1 2 3)\n"
         "  add_custom_command(OUTPUT stamp${n} COMMAND ${CMAKE_COMMAND} -E touch stamp${n})\n"
         "endforeach()\n"
         "add_custom_target(stamps ALL DEPENDS stamp1 stamp2 stamp3)\n";
  const auto build = dir.path() / "build";
  const RunResult configured = run({"cmake", "-S", dir.path().string(), "-B", build.string(), "-G", "Ninja"});
  INFO(configured.output);
  REQUIRE(configured.exit_code == 0);

  Heard first;
  REQUIRE(build_targets(build, {"stamps"}, first.handler()).ok);
  REQUIRE(first.reports.size() >= 2);
  CHECK(first.reports.front().starts_with("1/"));
  const std::string last = first.reports[first.reports.size() - 2];
  CHECK(first.reports.back() == "end " + last);
  CHECK(last.substr(0, last.find('/')) == last.substr(last.find('/') + 1));  // done == total

  Heard again;
  REQUIRE(build_targets(build, {"stamps"}, again.handler()).ok);
  CHECK(again.reports.empty());
}

TEST_CASE("the progress texts show a bar and the count", "[units][progress]") {
  CHECK(build_progress_text({.done = 0, .total = 4}) == "socklab: building [........................] 0/4");
  CHECK(build_progress_text({.done = 1, .total = 4}) == "socklab: building [######..................] 1/4");
  CHECK(build_progress_text({.done = 4, .total = 4}) == "socklab: building [########################] 4/4");
  CHECK(test_progress_text({.chapter = "03-resolver", .done = 2, .total = 8}) ==
        "socklab: grading 03-resolver [######..................] 2/8");
}

TEST_CASE("ProgressLine redraws one line of a terminal and erases it at a build's end and on clear",
          "[units][progress]") {
  const ScopedEnv term("TERM", "xterm");
  Terminal terminal;
  const std::string erase = "\r\x1b[K";
  {
    ProgressLine line(terminal.slave);
    REQUIRE(line.shown());
    const BuildProgressHandler build = line.builds();
    const TestProgressHandler test = line.tests();
    REQUIRE(build);
    REQUIRE(test);
    build({.done = 1, .total = 2});
    build({.done = 1, .total = 2});  // the same again: not drawn again
    build({.done = 2, .total = 2});
    build({.done = 2, .total = 2, .finished = true});
    CHECK(terminal.written() == erase + build_progress_text({.done = 1, .total = 2}) + erase +
                                    build_progress_text({.done = 2, .total = 2}) + erase);
    test({.chapter = "01-socket-types", .done = 1, .total = 3});
    line.clear();
    line.clear();  // nothing drawn: nothing to erase
    CHECK(terminal.written() == erase + test_progress_text({.chapter = "01-socket-types", .done = 1, .total = 3}) +
                                    erase);
    build({.done = 1, .total = 5});
  }
  // Gone before its build finished (an exception, say): it still leaves a clean line.
  CHECK(terminal.written() == erase + build_progress_text({.done = 1, .total = 5}) + erase);
}

TEST_CASE("ProgressLine cuts its text to the terminal's width, so that it never wraps", "[units][progress]") {
  const ScopedEnv term("TERM", "xterm");
  Terminal terminal;
  winsize narrow{};
  narrow.ws_col = 20;
  narrow.ws_row = 24;
  REQUIRE(::ioctl(terminal.master.get(), TIOCSWINSZ, &narrow) == 0);
  ProgressLine line(terminal.slave);
  line.builds()({.done = 3, .total = 141});
  const std::string text = build_progress_text({.done = 3, .total = 141});
  REQUIRE(text.size() > 19);
  CHECK(terminal.written() == "\r\x1b[K" + text.substr(0, 19));
}

TEST_CASE("ProgressLine prints nothing to a file, a pipe or a dumb terminal", "[units][progress]") {
  std::FILE* file = std::tmpfile();
  REQUIRE(file != nullptr);
  {
    const ProgressLine line(file);
    CHECK_FALSE(line.shown());
  }
  CHECK(std::ftell(file) == 0);
  std::fclose(file);

  const ScopedEnv term("TERM", "dumb");
  const Terminal terminal;
  ProgressLine line(terminal.slave);
  CHECK_FALSE(line.shown());
  CHECK_FALSE(line.builds());
  CHECK_FALSE(line.tests());
}
