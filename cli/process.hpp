#pragma once
// Running other programs: the build, the graded tests, the lab programs.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace socklab::cli {

/// How a program run ended.
struct RunResult {
  int exit_code = -1;      ///< when it exited normally, else -1
  int signal = 0;          ///< the signal that ended it, or 0
  bool timed_out = false;  ///< killed because it ran past its time
  std::string output{};    ///< standard output and error, interleaved; past the limit,
                           ///< its start and its last 4 KiB (where summaries are)
  bool output_cut = false; ///< more was printed than the limit kept
  std::chrono::duration<double> elapsed{};
};

/// What to run and how.
struct RunOptions {
  std::chrono::milliseconds time_limit{std::chrono::minutes(10)};
  std::size_t output_limit = 64 * 1024;          ///< bytes of output kept
  std::optional<std::string> working_directory{};  ///< else the current one
  std::vector<std::string> environment{};          ///< "NAME=value" entries set on top of this process's
};

/// Runs \p argv (argv[0] looked up on PATH) with standard input from
/// /dev/null, in a process group of its own.  On time-out, or once the
/// program has ended, the whole group is killed, so nothing it started lives
/// on.  \throws std::system_error when the program cannot be started.
RunResult run(const std::vector<std::string>& argv, const RunOptions& options = {});

/// Replaces this process with \p argv (for `socklab run`).  Returns only on
/// failure, with errno set.
void exec(const std::vector<std::string>& argv);

}  // namespace socklab::cli
