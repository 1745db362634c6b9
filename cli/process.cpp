#include "process.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <set>
#include <sstream>
#include <string_view>
#include <unordered_map>

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

// The main processes of the runs in progress.  fork() happens with the lock
// held, so a sweep never takes a run's own child for an orphan.
std::mutex registry_lock;
std::set<pid_t> registry;

struct ProcessInfo {
  pid_t pid = 0;
  pid_t ppid = 0;
  pid_t pgrp = 0;
  char state = '?';
  [[nodiscard]] bool alive() const { return state != 'Z' && state != 'X'; }
};

// Up to `limit` bytes of a /proc file; "" when it is gone or unreadable.
std::string read_proc(const std::string& path, std::size_t limit) {
  const FileDescriptor in(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  std::string text;
  if (in.get() < 0) {
    return text;
  }
  char chunk[4096];
  while (text.size() < limit) {
    const ssize_t got = ::read(in.get(), chunk, sizeof chunk);
    if (got <= 0) {
      break;
    }
    text.append(chunk, static_cast<std::size_t>(got));
  }
  return text;
}

std::vector<ProcessInfo> all_processes() {
  std::vector<ProcessInfo> processes;
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) {
    throw_errno("opendir /proc");
  }
  while (const dirent* entry = ::readdir(proc)) {
    const std::string_view name = entry->d_name;
    if (name.empty() || name.find_first_not_of("0123456789") != std::string_view::npos) {
      continue;
    }
    // "pid (comm) S ppid pgrp ...": comm may hold anything, so parse after its last ')'.
    const std::string stat = read_proc("/proc/" + std::string(name) + "/stat", 1024);
    const auto close = stat.rfind(')');
    ProcessInfo info;
    std::from_chars(name.data(), name.data() + name.size(), info.pid);  // all digits, checked above
    if (close == std::string::npos) {
      continue;  // ended while we looked
    }
    std::istringstream fields(stat.substr(close + 1));
    if (!(fields >> info.state >> info.ppid >> info.pgrp)) {
      continue;  // ended while we looked
    }
    processes.push_back(info);
  }
  ::closedir(proc);
  return processes;
}

bool has_mark(pid_t pid, const std::string& mark) {
  const std::string environment = read_proc("/proc/" + std::to_string(pid) + "/environ", 1024 * 1024);
  for (auto at = environment.find(mark); at != std::string::npos; at = environment.find(mark, at + 1)) {
    const bool starts_entry = at == 0 || environment[at - 1] == '\0';
    const bool ends_entry = at + mark.size() == environment.size() || environment[at + mark.size()] == '\0';
    if (starts_entry && ends_entry) {
      return true;
    }
  }
  return false;
}

// The direct child of this process that `pid` descends from, or 0 when it
// does not descend from this process.
pid_t top_ancestor(pid_t pid, const std::unordered_map<pid_t, ProcessInfo>& by_pid, pid_t self) {
  for (int depth = 0; depth < 4096; ++depth) {
    const auto found = by_pid.find(pid);
    if (found == by_pid.end()) {
      return 0;
    }
    if (found->second.ppid == self) {
      return pid;
    }
    pid = found->second.ppid;
  }
  return 0;
}

// The living processes of the run whose main process (and group) is `main`:
// its group, the main process's subtree, and orphaned subtrees whose
// processes carry the run's mark.  The main process itself only if asked.
std::vector<pid_t> processes_of_run(pid_t main, const std::string& mark, bool with_main) {
  const pid_t self = ::getpid();
  const auto processes = all_processes();
  std::unordered_map<pid_t, ProcessInfo> by_pid;
  for (const auto& info : processes) {
    by_pid[info.pid] = info;
  }
  std::set<pid_t> others;
  {
    const std::lock_guard lock(registry_lock);
    others = registry;
  }
  others.erase(main);
  std::vector<pid_t> ours;
  for (const auto& info : processes) {
    if (!info.alive() || info.pid == self || (info.pid == main && !with_main)) {
      continue;
    }
    const pid_t top = top_ancestor(info.pid, by_pid, self);
    const bool mine = info.pgrp == main || top == main ||
                      (top != 0 && !others.contains(top) && has_mark(info.pid, mark));
    if (mine) {
      ours.push_back(info.pid);
    }
  }
  return ours;
}

// Reaps the dead orphans that were handed to this process (as subreaper):
// its children that are no run's main process.
void reap_orphans() {
  const pid_t self = ::getpid();
  const auto processes = all_processes();
  const std::lock_guard lock(registry_lock);
  for (const auto& info : processes) {
    if (info.ppid == self && !info.alive() && !registry.contains(info.pid)) {
      ::waitpid(info.pid, nullptr, WNOHANG);
    }
  }
}

// Kills the run's group and every process of the run, until none is left.
void end_run(pid_t main, const std::string& mark) {
  for (int round = 0; round < 500; ++round) {
    ::kill(-main, SIGKILL);
    const auto left = processes_of_run(main, mark, true);
    if (left.empty()) {
      break;
    }
    for (const pid_t pid : left) {
      ::kill(pid, SIGKILL);
    }
    ::usleep(1000);
  }
  reap_orphans();
}

// argv[0] found on PATH, as execvp would, but before fork: after it, only
// async-signal-safe calls are allowed.
std::string find_program(const std::string& name) {
  if (name.find('/') != std::string::npos) {
    return name;
  }
  const char* path = std::getenv("PATH");
  const std::string dirs = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
  for (std::size_t start = 0; start <= dirs.size();) {
    const auto end = std::min(dirs.find(':', start), dirs.size());
    const std::string dir = dirs.substr(start, end - start);
    start = end + 1;
    std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    struct stat info {};
    if (::stat(candidate.c_str(), &info) == 0 && S_ISREG(info.st_mode) && ::access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
  }
  errno = ENOENT;
  throw_errno("cannot start " + name);
}

std::size_t processes_of_this_user() {
  std::size_t count = 0;
  for (const auto& info : all_processes()) {
    struct stat owner {};
    if (::stat(("/proc/" + std::to_string(info.pid)).c_str(), &owner) == 0 && owner.st_uid == ::getuid()) {
      ++count;
    }
  }
  return count;
}

struct Limit {
  int resource;
  rlimit value;
};

std::vector<Limit> limits_for(const ResourceLimits& limits) {
  std::vector<Limit> set;
  auto add = [&](int resource, std::uint64_t soft, std::uint64_t hard) {
    rlimit current{};
    ::getrlimit(resource, &current);  // a soft limit may not exceed the hard one
    set.push_back({resource, {std::min<rlim_t>(soft, current.rlim_max), std::min<rlim_t>(hard, current.rlim_max)}});
  };
  if (limits.cpu_seconds != 0) {
    add(RLIMIT_CPU, limits.cpu_seconds, limits.cpu_seconds + 1);  // SIGXCPU, then SIGKILL
  }
  if (limits.address_space != 0) {
    add(RLIMIT_AS, limits.address_space, limits.address_space);
  }
  if (limits.file_size != 0) {
    add(RLIMIT_FSIZE, limits.file_size, limits.file_size);
  }
  if (limits.processes != 0 && ::geteuid() != 0) {
    const auto allowed = processes_of_this_user() + limits.processes;
    add(RLIMIT_NPROC, allowed, allowed);
  }
  return set;
}

// What a child that could not exec tells its parent.
struct StartError {
  int step;  // index into kSteps
  int error;
};
constexpr const char* kSteps[] = {"execve", "setrlimit", "chdir", "open /dev/null", "dup2"};

// fork and exec rather than posix_spawn, which cannot set resource limits.
// The grader runs tests from several threads, so between fork and exec the
// child makes only async-signal-safe calls, on data prepared before the fork.
pid_t spawn(const std::vector<std::string>& argv, int output_fd, const RunOptions& options, const std::string& mark) {
  const std::string program = find_program(argv.at(0));
  // This process's environment, with options.environment's entries in place of any of the same name.
  std::vector<std::string> variables;
  auto entries = options.environment;
  entries.push_back(mark);
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string_view variable(*entry);
    const bool replaced = std::any_of(entries.begin(), entries.end(), [&](const std::string& set) {
      return set.substr(0, set.find('=') + 1) == variable.substr(0, variable.find('=') + 1);
    });
    if (!replaced) {
      variables.emplace_back(variable);
    }
  }
  variables.insert(variables.end(), entries.begin(), entries.end());
  auto envp = c_strings(variables);
  auto args = c_strings(argv);
  const std::vector<Limit> limits = limits_for(options.limits);
  const char* directory = options.working_directory ? options.working_directory->c_str() : nullptr;

  int error_pipe[2];
  check("pipe2", ::pipe2(error_pipe, O_CLOEXEC));
  FileDescriptor error_read(error_pipe[0]);
  FileDescriptor error_write(error_pipe[1]);

  pid_t pid = -1;
  {
    const std::lock_guard lock(registry_lock);
    pid = ::fork();
    if (pid == 0) {
      auto fail = [&](int step) {
        const StartError report{step, errno};
        [[maybe_unused]] const auto ignored = ::write(error_write.get(), &report, sizeof report);
        ::_exit(127);
      };
      ::setpgid(0, 0);
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // if the grader dies, so does the test
      const int null_fd = ::open("/dev/null", O_RDONLY);
      if (null_fd < 0) {
        fail(3);
      }
      if (::dup2(null_fd, STDIN_FILENO) < 0 || ::dup2(output_fd, STDOUT_FILENO) < 0 ||
          ::dup2(output_fd, STDERR_FILENO) < 0) {
        fail(4);
      }
      if (directory != nullptr && ::chdir(directory) != 0) {
        fail(2);
      }
      for (const Limit& limit : limits) {
        if (::setrlimit(limit.resource, &limit.value) != 0) {
          fail(1);
        }
      }
      struct sigaction default_action {};
      default_action.sa_handler = SIG_DFL;
      for (int signal = 1; signal < NSIG; ++signal) {
        ::sigaction(signal, &default_action, nullptr);  // fails harmlessly for SIGKILL, SIGSTOP
      }
      sigset_t none;
      sigemptyset(&none);
      ::sigprocmask(SIG_SETMASK, &none, nullptr);
      ::execve(program.c_str(), args.data(), envp.data());
      fail(0);
    }
    if (pid == -1) {
      throw_errno("fork");
    }
    registry.insert(pid);
  }
  error_write.close();
  StartError report{};
  ssize_t got = 0;
  do {
    got = ::read(error_read.get(), &report, sizeof report);
  } while (got == -1 && errno == EINTR);
  if (got == static_cast<ssize_t>(sizeof report)) {
    ::waitpid(pid, nullptr, 0);
    {
      const std::lock_guard lock(registry_lock);
      registry.erase(pid);
    }
    errno = report.error;
    throw_errno("cannot start " + argv.at(0) + " (" + kSteps[report.step] + ")");
  }
  return pid;
}

std::string new_mark() {
  static std::atomic<unsigned long> runs{0};
  return "SOCKLAB_RUN=" + std::to_string(::getpid()) + "." + std::to_string(++runs);
}

}  // namespace

RunResult run(const std::vector<std::string>& argv, const RunOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + options.time_limit;
  int pipe_fds[2];
  check("pipe2", ::pipe2(pipe_fds, O_CLOEXEC));
  FileDescriptor reader(pipe_fds[0]);
  FileDescriptor writer(pipe_fds[1]);
  const std::string mark = new_mark();
  const pid_t pid = spawn(argv, writer.get(), options, mark);
  writer.close();

  RunResult result;
  // Past the limit, the last bytes are kept too: that is where a test
  // program's summary line is, however much it printed before.
  constexpr std::size_t kTailLimit = 4096;
  constexpr auto kWatchEvery = std::chrono::milliseconds(100);
  std::string tail;
  std::size_t printed = 0;
  int status = 0;
  bool reaped = false;
  bool open = true;
  auto next_watch = start + kWatchEvery;
  bool listening = static_cast<bool>(options.on_output);
  char chunk[16384];

  // Whether the main process has ended, leaving it a zombie: until it is
  // reaped, its process ID and so its group's cannot be reused, and killing
  // the group cannot hit an unrelated process.
  auto ended = [&] {
    siginfo_t info{};
    return ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid;
  };
  auto reap = [&] {
    while (::waitpid(pid, &status, 0) == -1 && errno == EINTR) {
    }
    reaped = true;
    const std::lock_guard lock(registry_lock);
    registry.erase(pid);
  };
  // Ends the run early: everything it started, the main process included.
  auto stop = [&] {
    ::kill(-pid, SIGKILL);
    ::kill(pid, SIGKILL);
    end_run(pid, mark);
    reap();
  };

  // Read until end of output *and* the child has ended.  A grandchild may keep
  // the pipe open after the child exits; it is killed then, so that cannot
  // stall the grader.
  while (open || !reaped) {
    if (!reaped && ended()) {
      result.left_behind = static_cast<int>(processes_of_run(pid, mark, false).size());
      end_run(pid, mark);
      reap();
    }
    const auto now = std::chrono::steady_clock::now();
    if (!reaped && now >= deadline) {
      result.timed_out = true;
      stop();
    }
    if (!reaped && options.process_limit != 0 && now >= next_watch) {
      next_watch = now + kWatchEvery;
      if (processes_of_run(pid, mark, true).size() > options.process_limit) {
        result.too_many_processes = true;
        stop();
      }
    }
    if (!reaped && options.output_kill != 0 && printed > options.output_kill) {
      result.output_overflow = true;
      stop();
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
    printed += size;
    if (listening) {
      try {
        options.on_output(std::string_view(chunk, size));
      } catch (...) {
        // Thrown on, it would leave the program running and unreaped: the
        // listener (a progress line) is dropped instead, and the run goes on.
        listening = false;
      }
    }
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
    result.output += "\n[... output cut: " + std::to_string(printed) + " bytes in all ...]\n" +
                     tail.substr(tail.size() - std::min(tail.size(), kTailLimit));
  }
  if (!result.timed_out && !result.too_many_processes && !result.output_overflow) {
    if (WIFEXITED(status)) {
      result.exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
      result.signal = WTERMSIG(status);
    }
  }
  result.elapsed = std::chrono::steady_clock::now() - start;
  return result;
}

void become_subreaper() { check("prctl PR_SET_CHILD_SUBREAPER", ::prctl(PR_SET_CHILD_SUBREAPER, 1)); }

int kill_descendants() {
  const pid_t self = ::getpid();
  std::set<pid_t> killed;
  for (int round = 0; round < 500; ++round) {
    const auto processes = all_processes();
    std::unordered_map<pid_t, ProcessInfo> by_pid;
    for (const auto& info : processes) {
      by_pid[info.pid] = info;
    }
    int alive = 0;
    for (const auto& info : processes) {
      if (info.alive() && info.pid != self && top_ancestor(info.pid, by_pid, self) != 0) {
        ::kill(info.pid, SIGKILL);
        killed.insert(info.pid);
        ++alive;
      }
    }
    reap_orphans();
    if (alive == 0) {
      break;
    }
    ::usleep(1000);
  }
  return static_cast<int>(killed.size());
}

void exec(const std::vector<std::string>& argv) {
  auto args = c_strings(argv);
  ::execv(args[0], args.data());
}

}  // namespace socklab::cli
