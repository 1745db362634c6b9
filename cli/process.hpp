#pragma once
// Running other programs: the build, the graded tests, the lab programs.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
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
  bool output_overflow = false;     ///< killed for printing more than RunOptions::output_kill
  bool too_many_processes = false;  ///< killed for running more than RunOptions::process_limit
  int left_behind = 0;  ///< its processes still running when it ended (all killed since)
  std::chrono::duration<double> elapsed{};
};

/// Limits set with setrlimit(2) in the child before it starts the program,
/// so that they hold for it and for every process it starts.  0: no limit.
struct ResourceLimits {
  std::uint64_t cpu_seconds = 0;    ///< RLIMIT_CPU: SIGXCPU, then SIGKILL a second later
  std::uint64_t address_space = 0;  ///< RLIMIT_AS, bytes: allocations past it fail
  std::uint64_t file_size = 0;      ///< RLIMIT_FSIZE, bytes: writing past it raises SIGXFSZ
  /// RLIMIT_NPROC, as processes *on top of* what this user runs already
  /// (the kernel counts all of a user's processes).  The kernel does not
  /// apply it to root; RunOptions::process_limit holds for everyone.
  std::uint64_t processes = 0;
};

/// What to run and how.
struct RunOptions {
  std::chrono::milliseconds time_limit{std::chrono::minutes(10)};
  std::size_t output_limit = 64 * 1024;          ///< bytes of output kept
  std::optional<std::string> working_directory{};  ///< else the current one
  std::vector<std::string> environment{};          ///< "NAME=value" entries set on top of this process's
  ResourceLimits limits{};
  std::size_t output_kill = 0;    ///< kill the program once it has printed more bytes than this (0: never)
  std::size_t process_limit = 0;  ///< kill it once it runs more processes than this at once (0: never)
  /// Called with each piece of output as it is read, before any limit cuts
  /// it (for a live progress line); pieces split lines anywhere.  If it
  /// throws, it is not called again, and the run goes on.
  std::function<void(std::string_view)> on_output{};
};

/// Runs \p argv (argv[0] looked up on PATH) with standard input from
/// /dev/null, in a process group of its own, under \p options' limits.
///
/// Nothing it starts lives on: once it has ended (or been killed at its time
/// limit), its process group is killed, and so is every process it started
/// that left the group (setsid) — found as this process's descendants
/// carrying the run's mark in their environment, which works once
/// become_subreaper() has made orphans this process's children.  Those still
/// running when it ended are counted in RunResult::left_behind.
/// \throws std::system_error when the program cannot be started.
RunResult run(const std::vector<std::string>& argv, const RunOptions& options = {});

/// Makes this process the parent of orphans among its descendants
/// (PR_SET_CHILD_SUBREAPER), so that a process that leaves its group and
/// outlives its parent can still be found and ended.  \throws std::system_error.
void become_subreaper();

/// Kills every process descended from this one, and reaps those that were its
/// children; for the end of grading, when nothing should be left.  Returns how
/// many processes it killed.
int kill_descendants();

/// Replaces this process with \p argv (for `socklab run`).  Returns only on
/// failure, with errno set.
void exec(const std::vector<std::string>& argv);

}  // namespace socklab::cli
