#include "socklab/testkit/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <utility>

#include "socklab/system_error.hpp"
#include "socklab/testkit/process_facts.hpp"

extern char** environ;

namespace socklab::testkit {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
namespace fs = std::filesystem;

// A test writing to a pipe or socket whose reader has gone must fail, not die.
void ignore_sigpipe() {
  static const bool ignored = ::signal(SIGPIPE, SIG_IGN) != SIG_ERR;
  (void)ignored;
}

int milliseconds_left(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
  return left <= 0 ? 0 : static_cast<int>(left);
}

}  // namespace

Process::Process(std::vector<std::string> argv, SpawnOptions options) {
  ignore_sigpipe();  // before the first write to a child
  int out[2];
  check("pipe2", ::pipe2(out, O_CLOEXEC));
  stdout_ = FileDescriptor(out[0]);
  FileDescriptor child_out(out[1]);
  FileDescriptor child_in;
  if (options.pipe_stdin) {
    int in[2];
    check("pipe2", ::pipe2(in, O_CLOEXEC));
    child_in = FileDescriptor(in[0]);
    stdin_ = FileDescriptor(in[1]);
    check("fcntl", ::fcntl(stdin_.get(), F_SETFL, O_NONBLOCK));
  } else {
    child_in = FileDescriptor(check("open /dev/null", ::open("/dev/null", O_RDONLY | O_CLOEXEC)));
  }
  const int errors = ::open(fs::temp_directory_path().c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  stderr_ = FileDescriptor(check("open an unnamed file for standard error", errors));

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, child_in.get(), STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, child_out.get(), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, stderr_.get(), STDERR_FILENO);
  if (!options.directory.empty()) {
    posix_spawn_file_actions_addchdir_np(&actions, options.directory.c_str());
  }
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  // Its own process group (so it can be killed with everything it started),
  // and the signal state of a fresh program: nothing blocked, nothing ignored.
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup(&attributes, 0);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attributes, &none);
  sigset_t all;
  sigfillset(&all);
  posix_spawnattr_setsigdefault(&attributes, &all);
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (auto& arg : argv) {
    args.push_back(arg.data());
  }
  args.push_back(nullptr);
  std::vector<char*> variables;
  for (char** variable = environ; *variable != nullptr; ++variable) {
    const std::string_view entry(*variable);
    const bool replaced = std::any_of(options.environment.begin(), options.environment.end(), [&](const auto& mine) {
      return entry.starts_with(mine.substr(0, mine.find('=') + 1));
    });
    if (!replaced) {
      variables.push_back(*variable);
    }
  }
  for (auto& mine : options.environment) {
    variables.push_back(mine.data());
  }
  variables.push_back(nullptr);
  const int error = ::posix_spawnp(&pid_, args[0], &actions, &attributes, args.data(), variables.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (error != 0) {
    pid_ = -1;
    throw std::system_error(error, std::system_category(), "posix_spawn " + argv[0]);
  }
}

Process::~Process() {
  if (pid_ > 0 && !ended_) {
    ::kill(-pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
}

void Process::write(std::string_view text) {
  if (!write_within(stdin_.get(), text, std::chrono::seconds(5))) {
    throw std::runtime_error("the program did not take its input within 5 s");
  }
}

void Process::close_input() { stdin_.close(); }

bool Process::fill(Clock::time_point deadline) {
  if (!stdout_) {
    return false;
  }
  pollfd waiting{stdout_.get(), POLLIN, 0};
  const int ready = ::poll(&waiting, 1, milliseconds_left(deadline));
  if (ready <= 0) {
    return false;
  }
  std::array<char, 65536> chunk{};
  const ssize_t got = ::read(stdout_.get(), chunk.data(), chunk.size());
  if (got <= 0) {
    stdout_.close();  // end of output
    return false;
  }
  buffered_.append(chunk.data(), static_cast<std::size_t>(got));
  output_.append(chunk.data(), static_cast<std::size_t>(got));
  return true;
}

std::optional<std::string> Process::line(milliseconds limit) {
  const auto deadline = Clock::now() + limit;
  for (;;) {
    if (const auto end = buffered_.find('\n'); end != std::string::npos) {
      std::string text = buffered_.substr(0, end);
      buffered_.erase(0, end + 1);
      return text;
    }
    if (!fill(deadline) && (!stdout_ || Clock::now() >= deadline)) {
      return std::nullopt;
    }
  }
}

std::optional<std::string> Process::line_containing(std::string_view needle, milliseconds limit) {
  const auto deadline = Clock::now() + limit;
  while (auto text = line(std::chrono::duration_cast<milliseconds>(deadline - Clock::now()))) {
    if (text->find(needle) != std::string::npos) {
      return text;
    }
  }
  return std::nullopt;
}

std::string Process::rest(milliseconds limit) {
  const auto deadline = Clock::now() + limit;
  while (stdout_ && Clock::now() < deadline) {
    fill(deadline);
  }
  return std::exchange(buffered_, {});
}

std::string Process::errors() const {
  struct stat facts{};
  if (::fstat(stderr_.get(), &facts) < 0) {
    return {};
  }
  std::string text(static_cast<std::size_t>(facts.st_size), '\0');
  const ssize_t got = ::pread(stderr_.get(), text.data(), text.size(), 0);
  text.resize(got < 0 ? 0 : static_cast<std::size_t>(got));
  return text;
}

std::optional<int> Process::wait(milliseconds limit) {
  const auto deadline = Clock::now() + limit;
  for (;;) {
    int status = 0;
    if (!ended_ && ::waitpid(pid_, &status, WNOHANG) == pid_) {
      ended_ = true;
      return status;
    }
    if (ended_ || Clock::now() >= deadline) {
      return std::nullopt;
    }
    std::this_thread::sleep_for(milliseconds(10));
  }
}

void Process::signal(int number) const {
  if (!ended_) {
    ::kill(pid_, number);
  }
}

}  // namespace socklab::testkit
