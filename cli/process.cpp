#include "process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string_view>

#include "socklab/file_descriptor.hpp"
#include "socklab/system_error.hpp"

extern char** environ;

namespace socklab::cli {
namespace {

std::vector<char*> c_strings(const std::vector<std::string>& argv) {
  std::vector<char*> pointers;
  for (const auto& arg : argv) {
    pointers.push_back(const_cast<char*>(arg.c_str()));  // NOLINT: exec's signature
  }
  pointers.push_back(nullptr);
  return pointers;
}

// posix_spawn rather than fork: the grader runs tests from several threads,
// and a forked child of a threaded process may only make async-signal-safe calls.
pid_t spawn(const std::vector<std::string>& argv, int output_fd, const RunOptions& options) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, output_fd, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, output_fd, STDERR_FILENO);
  if (options.working_directory) {
    posix_spawn_file_actions_addchdir_np(&actions, options.working_directory->c_str());
  }
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                            POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup(&attributes, 0);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attributes, &none);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigdefault(&attributes, &defaults);

  // This process's environment, with options.environment's entries in place of any of the same name.
  std::vector<std::string> variables;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string_view variable(*entry);
    const bool replaced = std::any_of(options.environment.begin(), options.environment.end(), [&](const std::string& set) {
      return set.substr(0, set.find('=') + 1) == variable.substr(0, variable.find('=') + 1);
    });
    if (!replaced) {
      variables.emplace_back(variable);
    }
  }
  variables.insert(variables.end(), options.environment.begin(), options.environment.end());
  auto envp = c_strings(variables);

  pid_t pid = -1;
  auto args = c_strings(argv);
  const int error = ::posix_spawnp(&pid, args[0], &actions, &attributes, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (error != 0) {
    errno = error;
    throw_errno("cannot start " + argv.at(0));
  }
  return pid;
}

}  // namespace

RunResult run(const std::vector<std::string>& argv, const RunOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + options.time_limit;
  int pipe_fds[2];
  check("pipe2", ::pipe2(pipe_fds, O_CLOEXEC));
  FileDescriptor reader(pipe_fds[0]);
  FileDescriptor writer(pipe_fds[1]);
  const pid_t pid = spawn(argv, writer.get(), options);
  writer.close();

  RunResult result;
  // Past the limit, the last bytes are kept too: that is where a test
  // program's summary line is, however much it printed before.
  constexpr std::size_t kTailLimit = 4096;
  std::string tail;
  int status = 0;
  bool reaped = false;
  bool open = true;
  char chunk[16384];
  // Read until end of output *and* the child has ended.  A grandchild may keep
  // the pipe open after the child exits; the group is killed then, so that
  // cannot stall the grader.
  while (open || !reaped) {
    if (!reaped && ::waitpid(pid, &status, WNOHANG) == pid) {
      reaped = true;
      ::kill(-pid, SIGKILL);
    }
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline && !reaped) {
      result.timed_out = true;
      ::kill(-pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      reaped = true;
    }
    if (!open) {
      if (!reaped) {
        ::usleep(5000);
      }
      continue;
    }
    pollfd waiting{reader.get(), POLLIN, 0};
    const int ready = ::poll(&waiting, 1, reaped ? 0 : 50);
    if (ready <= 0) {
      if (reaped) {
        open = false;  // child gone and nothing left to read now
      }
      continue;
    }
    const ssize_t got = ::read(reader.get(), chunk, sizeof chunk);
    if (got == -1 && errno == EINTR) {
      continue;
    }
    if (got <= 0) {
      open = false;
      continue;
    }
    const auto size = static_cast<std::size_t>(got);
    const std::size_t room = options.output_limit - std::min(options.output_limit, result.output.size());
    result.output.append(chunk, std::min(room, size));
    if (size > room) {
      result.output_cut = true;
      tail.append(chunk + room, size - room);
      if (tail.size() > 2 * kTailLimit) {
        tail.erase(0, tail.size() - kTailLimit);
      }
    }
  }
  if (result.output_cut) {
    result.output += "\n[... output cut ...]\n" + tail.substr(tail.size() - std::min(tail.size(), kTailLimit));
  }
  if (!result.timed_out) {
    if (WIFEXITED(status)) {
      result.exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
      result.signal = WTERMSIG(status);
    }
  }
  result.elapsed = std::chrono::steady_clock::now() - start;
  return result;
}

void exec(const std::vector<std::string>& argv) {
  auto args = c_strings(argv);
  ::execv(args[0], args.data());
}

}  // namespace socklab::cli
