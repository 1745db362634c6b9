#pragma once
/// \file
/// A program run by a test: in a process group of its own, with pipes to its
/// standard input and output and its standard error kept in a file.  The
/// destructor kills the group and reaps the child, so nothing a test starts
/// outlives it, also when a REQUIRE fails.  Every read and wait has a limit.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "socklab/file_descriptor.hpp"

namespace socklab::testkit {

/// How a Process is started.
struct SpawnOptions {
  bool pipe_stdin = true;                ///< false: standard input is /dev/null
  std::filesystem::path directory;       ///< its working directory ("" for ours)
  std::vector<std::string> environment;  ///< NAME=VALUE to set on top of ours
};

/// A child process; see the file's comment.  A test that writes to it after
/// it has gone gets an error, not SIGPIPE (this file's code ignores SIGPIPE).
class Process {
 public:
  using milliseconds = std::chrono::milliseconds;

  /// Starts \p argv (argv[0] is looked up on PATH when it has no "/").
  /// \throws std::system_error naming the call that failed.
  explicit Process(std::vector<std::string> argv, SpawnOptions options = {});
  /// Kills the process group (SIGKILL) and reaps the child, unless it was reaped.
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  [[nodiscard]] pid_t pid() const noexcept { return pid_; }
  /// Writes all of \p text to its standard input.
  /// \throws std::runtime_error when it takes none for 5 s; std::system_error on an error.
  void write(std::string_view text);
  /// Closes its standard input: end of input.
  void close_input();
  /// Stops reading its standard output: its next write there fails (EPIPE).
  void close_output() { stdout_.close(); }
  /// Its next line of output (without "\n"), or nothing at the limit or the end.
  std::optional<std::string> line(milliseconds limit);
  /// Output lines up to the first that contains \p needle; that line, or nothing.
  std::optional<std::string> line_containing(std::string_view needle, milliseconds limit);
  /// Reads the output to its end (or the limit); returns what was not yet taken.
  std::string rest(milliseconds limit);
  /// Everything it has written to standard output so far (what was read).
  [[nodiscard]] const std::string& output() const noexcept { return output_; }
  /// What it has written to standard error so far.
  [[nodiscard]] std::string errors() const;
  /// Its wait status, if it ends within \p limit.
  std::optional<int> wait(milliseconds limit);
  /// Sends \p number to the process (not its group), unless it was reaped.
  void signal(int number) const;

 private:
  using Clock = std::chrono::steady_clock;
  bool fill(Clock::time_point deadline);

  pid_t pid_ = -1;
  FileDescriptor stdin_;
  FileDescriptor stdout_;
  FileDescriptor stderr_;  // an unnamed file the child writes to
  std::string buffered_;   // read but not yet taken
  std::string output_;     // everything read
  bool ended_ = false;
};

}  // namespace socklab::testkit
