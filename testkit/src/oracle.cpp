#include "socklab/testkit/oracle.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <iostream>
#include <stdexcept>
#include <system_error>
#include <thread>

#include "socklab/system_error.hpp"

extern char** environ;

namespace socklab::testkit {
namespace {

// Student output may hold any bytes; JSON text must be valid UTF-8.
std::string dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

constexpr auto kAnswerLimit = std::chrono::seconds(20);

}  // namespace

json invoke(const Call& call, const json& input) {
  try {
    return call(input);
  } catch (const std::system_error& error) {
    return {{"throws", "std::system_error"}, {"errno", error.code().value()}};
  } catch (const std::exception&) {
    return {{"throws", "exception"}};
  } catch (...) {
    return {{"throws", "something that is not a std::exception"}};
  }
}

int serve_oracle(const CallTable& calls) {
  std::string line;
  while (std::getline(std::cin, line)) {
    json answer;
    try {
      const json request = json::parse(line);
      const auto name = request.at("call").get<std::string>();
      const auto found = calls.find(name);
      if (found == calls.end()) {
        answer = {{"error", "the oracle has no call named '" + name + "'"}};
      } else {
        json outputs = json::array();
        for (const json& input : request.at("inputs")) {
          outputs.push_back(invoke(found->second, input));
        }
        answer = {{"outputs", std::move(outputs)}};
      }
    } catch (const std::exception& error) {
      answer = {{"error", std::string("bad request: ") + error.what()}};
    }
    std::cout << dump(answer) << '\n' << std::flush;
  }
  return 0;
}

Oracle::Oracle(const std::string& path) {
  // A dead oracle must show up as an error from write(), not kill the test.
  (void)::signal(SIGPIPE, SIG_IGN);  // cannot fail for SIGPIPE and SIG_IGN
  int request_pipe[2];
  int answer_pipe[2];
  check("pipe2", ::pipe2(request_pipe, O_CLOEXEC));
  FileDescriptor request_read(request_pipe[0]);
  to_oracle_ = FileDescriptor(request_pipe[1]);
  check("pipe2", ::pipe2(answer_pipe, O_CLOEXEC));
  from_oracle_ = FileDescriptor(answer_pipe[0]);
  FileDescriptor answer_write(answer_pipe[1]);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, request_read.get(), STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, answer_write.get(), STDOUT_FILENO);
  std::string program = path;
  char* argv[] = {program.data(), nullptr};
  const int error = ::posix_spawn(&pid_, program.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (error != 0) {
    throw std::runtime_error("cannot start the reference oracle " + path + ": " +
                             std::generic_category().message(error) +
                             " (is the project built? run ./socklab)");
  }
}

Oracle::~Oracle() {
  to_oracle_ = FileDescriptor();  // end of input: the oracle exits
  for (int tries = 0; tries < 200; ++tries) {
    if (::waitpid(pid_, nullptr, WNOHANG) != 0) {
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
}

json Oracle::ask(const std::string& call, const json& inputs) {
  const std::string request = dump({{"call", call}, {"inputs", inputs}}) + '\n';
  std::string_view rest = request;
  while (!rest.empty()) {
    const ssize_t sent = ::write(to_oracle_.get(), rest.data(), rest.size());
    if (sent == -1 && errno == EINTR) {
      continue;
    }
    if (sent == -1) {
      throw std::runtime_error("the reference oracle stopped taking requests");
    }
    rest.remove_prefix(static_cast<std::size_t>(sent));
  }

  const auto deadline = std::chrono::steady_clock::now() + kAnswerLimit;
  std::size_t end_of_line;
  while ((end_of_line = buffered_.find('\n')) == std::string::npos) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd waiting{from_oracle_.get(), POLLIN, 0};
    if (left.count() <= 0 || ::poll(&waiting, 1, static_cast<int>(left.count())) == 0) {
      throw std::runtime_error("the reference oracle did not answer in time");
    }
    char chunk[65536];
    const ssize_t got = ::read(from_oracle_.get(), chunk, sizeof chunk);
    if (got == -1 && errno == EINTR) {
      continue;
    }
    if (got <= 0) {
      throw std::runtime_error("the reference oracle ended without an answer");
    }
    buffered_.append(chunk, static_cast<std::size_t>(got));
  }
  json answer = json::parse(buffered_.substr(0, end_of_line));
  buffered_.erase(0, end_of_line + 1);
  if (answer.contains("error")) {
    throw std::runtime_error("the reference oracle says: " + answer["error"].get<std::string>());
  }
  return std::move(answer.at("outputs"));
}

std::optional<Difference> first_difference(Oracle& oracle, const CallTable& calls,
                                           const std::string& call, const json& inputs) {
  const json reference = oracle.ask(call, inputs);
  const Call& yours = calls.at(call);
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    json mine = invoke(yours, inputs[i]);
    if (mine != reference.at(i)) {
      return Difference{inputs[i], std::move(mine), reference.at(i), i, inputs.size()};
    }
  }
  return std::nullopt;
}

std::string describe(const std::string& call, const std::optional<Difference>& difference) {
  if (!difference) {
    return call + ": your code and the reference agree on every input";
  }
  return call + " differs from the reference on input " + std::to_string(difference->index + 1) +
         " of " + std::to_string(difference->of) + ":\n  input:     " + dump(difference->input) +
         "\n  yours:     " + dump(difference->yours) + "\n  reference: " +
         dump(difference->reference);
}

}  // namespace socklab::testkit
