// Every program's command line, as a user meets it: --help answers with the
// usage and exit status 0; an option it does not know, or a missing argument,
// gets one message that names the program and where its help is, and exit
// status 2 (a usage error, as in most Unix tools), never a crash.

#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "socklab/testkit/process.hpp"

using namespace std::chrono_literals;
using socklab::testkit::Process;
using socklab::testkit::SpawnOptions;

namespace {

struct Program {
  std::string name;  ///< as its messages call it
  std::string path;
  /// A valid command line: its first word is a subcommand when `subcommand`.
  /// Loopback only, so that a program that wrongly accepted more would still
  /// send nothing off this machine.
  std::vector<std::string> valid;
  bool subcommand = false;
  bool needs_arguments = false;  ///< an empty command line is a usage error
};

const std::vector<Program>& programs() {
  static const std::vector<Program> all{
      {.name = "socket-types", .path = SOCKET_TYPES, .valid = {}},
      {.name = "port-table", .path = PORT_TABLE, .valid = {}},
      {.name = "resolve", .path = RESOLVE, .valid = {"127.0.0.1"}},
      {.name = "echo-server", .path = ECHO_SERVER, .valid = {"--port", "0"}},
      {.name = "echo-client", .path = ECHO_CLIENT, .valid = {"127.0.0.1", "1"}, .needs_arguments = true},
      {.name = "sockcalls", .path = SOCKCALLS, .valid = {"free-port"}, .subcommand = true, .needs_arguments = true},
      {.name = "chat", .path = CHAT, .valid = {"connect", "127.0.0.1", "1"}, .subcommand = true,
       .needs_arguments = true},
      {.name = "socklab", .path = SOCKLAB_CLI, .valid = {"hint", "01-socket-types"}, .subcommand = true},
  };
  return all;
}

struct Ran {
  int status = -1;  ///< the exit status, or -1 when it did not exit (a signal, or still running)
  std::string output;
  std::string errors;
};

Ran run(const Program& program, std::vector<std::string> args) {
  args.insert(args.begin(), program.path);
  SpawnOptions options;
  options.pipe_stdin = false;
  Process process(std::move(args), options);
  Ran ran;
  ran.output = process.rest(10s);
  const auto status = process.wait(10s);
  ran.errors = process.errors();
  if (status && WIFEXITED(*status)) {
    ran.status = WEXITSTATUS(*status);
  }
  return ran;
}

}  // namespace

TEST_CASE("every program answers --help with its usage and exit status 0", "[command_line]") {
  for (const Program& program : programs()) {
    INFO(program.name);
    const Ran help = run(program, {"--help"});
    INFO("its output: " << help.output << "\nits errors: " << help.errors);
    CHECK(help.status == 0);
    CHECK(help.output.find("Usage:") != std::string::npos);
    CHECK(help.output.find("--help") != std::string::npos);
  }
}

TEST_CASE("every program refuses an unknown option with exit status 2 and one message naming its help",
          "[command_line]") {
  for (const Program& program : programs()) {
    std::vector<std::string> args = program.valid;
    args.emplace_back("--no-such-option");
    const std::string help = "See " + program.name + (program.subcommand ? " " + args.front() : "") + " --help\n";
    INFO(program.name << " with " << args.size() << " arguments; expected: " << help);
    const Ran bad = run(program, args);
    INFO("its errors: " << bad.errors);
    CHECK(bad.status == 2);
    CHECK(bad.errors.starts_with(program.name + ": "));
    CHECK(bad.errors.find("--no-such-option") != std::string::npos);
    CHECK(bad.errors.ends_with(help));
  }
}

TEST_CASE("a program that needs arguments says so, with exit status 2, when it gets none", "[command_line]") {
  for (const Program& program : programs()) {
    if (!program.needs_arguments) {
      continue;
    }
    INFO(program.name);
    const Ran bad = run(program, {});
    INFO("its errors: " << bad.errors);
    CHECK(bad.status == 2);
    CHECK(bad.errors.starts_with(program.name + ": "));
    CHECK(bad.errors.ends_with("See " + program.name + " --help\n"));
  }
}
