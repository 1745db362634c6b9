#pragma once
/// \file
/// The command line of every socklab program: `--help`, and what a usage
/// error prints and returns.  Header-only on top of CLI11: link
/// `socklab::command_line`, which brings CLI11.

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>

#include <fmt/core.h>

namespace socklab {

/// What a usage error does: prints "<program>: <what is wrong>" and where the
/// help is on standard error, and gives exit status 2, the status of most Unix
/// tools (and of the programs' own checks) for a command line they refuse.
/// `--help` (a CLI11 "error" whose exit code is 0) prints the help on standard
/// output and gives 0.
/// \param app  the parser the error came from, or its parent.
/// \param error  what CLI11 threw, while parsing or (a CLI::ValidationError)
///   from the program's own checks after it.
/// \param program  the program's name as the user calls it, as in "chat".
/// \return the program's exit status.
inline int usage_status(const CLI::App& app, const CLI::Error& error, const std::string& program) {
  if (error.get_exit_code() == 0) {
    return app.exit(error);
  }
  // The subcommand the user was in, so that the pointer names its own help.
  std::string command = program;
  for (const CLI::App* in = &app; !in->get_subcommands().empty();) {
    in = in->get_subcommands().front();
    command += " " + in->get_name();
  }
  fmt::print(stderr, "{}: {}\nSee {} --help\n", program, error.what(), command);
  return 2;
}

/// Parses \p argv into \p app, in place of CLI11's `CLI11_PARSE`, whose exit
/// statuses for a usage error (105 to 109) would say nothing to a shell.
/// \param app  the parser, with every option declared.
/// \param argc, argv  main()'s arguments.
/// \param program  the name for messages; by default the file name of argv[0].
/// \return nothing when the program goes on; else its exit status, after
///   usage_status() has printed the help or the error.
inline std::optional<int> parse_command_line(CLI::App& app, int argc, const char* const* argv,
                                             std::string program = {}) {
  if (program.empty()) {
    program = argc > 0 ? std::filesystem::path(argv[0]).filename().string() : app.get_name();
  }
  try {
    app.parse(argc, argv);
    return std::nullopt;
  } catch (const CLI::ParseError& error) {
    return usage_status(app, error, program);
  }
}

}  // namespace socklab
