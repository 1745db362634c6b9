// `chat connect`: the lab's full-duplex loop, with what the chat adds around
// it: commands typed by the user, files in both directions, and colour.

#include "client.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <deque>
#include <memory>

#include <fmt/color.h>
#include <fmt/core.h>

#include "duplex.hpp"
#include "files.hpp"
#include "protocol.hpp"
#include "socklab/file_descriptor.hpp"
#include "socklab/system_error.hpp"
#include "socklab/terminal.hpp"

namespace socklab::chat {

namespace {

FileDescriptor connect_to(const std::string& host, std::uint16_t port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  if (const int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found); rc != 0) {
    throw std::runtime_error(fmt::format("cannot find {}: {}", host, ::gai_strerror(rc)));
  }
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> owner(found, ::freeaddrinfo);
  int last_error = 0;
  for (const addrinfo* a = found; a != nullptr; a = a->ai_next) {
    FileDescriptor fd(::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol));
    if (!fd) {
      last_error = errno;
      continue;
    }
    int rc = 0;
    do {
      rc = ::connect(fd.get(), a->ai_addr, a->ai_addrlen);
    } while (rc < 0 && errno == EINTR);
    if (rc == 0) {
      const int on = 1;
      ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
      return fd;
    }
    last_error = errno;
  }
  errno = last_error;
  throw_errno(fmt::format("connect to {} port {}", host, port));
}

void send_everything(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      throw_errno("send");
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

class ChatClient {
 public:
  explicit ChatClient(const ClientOptions& options)
      : options_(options), colour_(socklab::colour_enabled(STDOUT_FILENO)) {}

  std::string typed(std::string_view line);
  std::string received(std::string_view line);
  std::string refill();
  [[nodiscard]] bool quitting() const { return quitting_; }

 private:
  std::string start_upload(std::string_view args);
  std::string show(std::string_view line) const;
  Downloads& downloads();

  const ClientOptions& options_;
  bool colour_;
  bool quitting_ = false;
  std::deque<std::unique_ptr<Upload>> uploads_;
  bool started_front_ = false;  // the first upload's /file line has gone
  std::uint64_t next_upload_ = 1;
  std::unique_ptr<Downloads> downloads_;
};

Downloads& ChatClient::downloads() {
  if (!downloads_) {
    downloads_ = std::make_unique<Downloads>(options_.downloads);  // made when first needed
  }
  return *downloads_;
}

std::string ChatClient::typed(std::string_view line) {
  const auto [command, args] = split_command(line);
  if (line.starts_with("/") && !line.starts_with("//")) {
    if (command == "quit") {
      quitting_ = true;
    } else if (command == "send") {
      return start_upload(args);
    } else if (command == "help") {
      fmt::print(
          "  text              say it to everyone (//text: text starting with /)\n"
          "  /nick NAME        change your name        /who            who is here\n"
          "  /msg NAME text    say it to NAME alone    /quit           leave\n"
          "  /send PATH        send a file to everyone\n"
          "  /send NAME PATH   send a file to NAME alone\n");
      (void)std::fflush(stdout);
      return {};
    }
  }
  return std::string(line) + "\n";
}

std::string ChatClient::start_upload(std::string_view args) {
  auto [first, rest] = first_word(args);
  std::string to = "*";
  std::string path(trim(args));
  std::error_code error;
  if (!rest.empty() && valid_name(first) && !std::filesystem::exists(path, error)) {
    to = first;
    path = rest;
  }
  if (path.empty()) {
    fmt::print("! usage: /send PATH or /send NAME PATH\n");
    (void)std::fflush(stdout);
    return {};
  }
  try {
    uploads_.push_back(std::make_unique<Upload>(path, to, next_upload_));
    next_upload_ = next_upload_ % 999999 + 1;
  } catch (const std::exception& problem) {
    fmt::print("! cannot send {}: {}\n", path, problem.what());
    (void)std::fflush(stdout);
  }
  return {};  // refill() sends it, a part at a time, while the chat goes on
}

std::string ChatClient::refill() {
  while (!uploads_.empty()) {
    Upload& upload = *uploads_.front();
    std::string lines;
    if (!started_front_) {
      started_front_ = true;
      lines = upload.header_line();
    }
    lines += upload.next_lines(48 * 1024);
    if (upload.finished()) {
      uploads_.pop_front();
      started_front_ = false;
    }
    return lines;
  }
  return {};
}

std::string ChatClient::received(std::string_view line) {
  if (!line.starts_with("%")) {
    return show(line);
  }
  const auto [kind, args] = split_command(line);
  Downloads::Event event;
  if (kind == "%file") {
    const auto header = parse_file_header(args);
    if (!header) {
      return show("! a file offer from the server could not be read");
    }
    event = downloads().start(*header);
  } else {
    const auto [from, rest] = first_word(args);
    const auto [id_text, data] = first_word(rest);
    const auto id = parse_number(id_text);
    if (!id || !downloads_) {
      return {};
    }
    if (kind == "%data") {
      event = downloads_->data(*id, data);
    } else if (kind == "%done") {
      event = downloads_->done(*id);
    } else if (kind == "%abort") {
      event = downloads_->abort(*id);
    }
  }
  return event.message.empty() ? std::string() : show(event.message);
}

std::string ChatClient::show(std::string_view line) const {
  if (!colour_ || line.empty()) {
    return std::string(line) + "\n";
  }
  switch (line.front()) {
    case '<': {
      const auto end = line.find("> ");
      if (end == std::string_view::npos) {
        break;
      }
      return fmt::format(fmt::emphasis::bold | fg(fmt::terminal_color::cyan), "{}", line.substr(0, end + 1)) +
             std::string(line.substr(end + 1)) + "\n";
    }
    case '[':
      return fmt::format(fg(fmt::terminal_color::magenta), "{}", line) + "\n";
    case '*':
      return fmt::format(fg(fmt::terminal_color::yellow), "{}", line) + "\n";
    case '!':
      return fmt::format(fg(fmt::terminal_color::red), "{}", line) + "\n";
    default:
      break;
  }
  return std::string(line) + "\n";
}

}  // namespace

int run_client(const ClientOptions& options) {
  (void)::signal(SIGPIPE, SIG_IGN);  // cannot fail for SIGPIPE and SIG_IGN
  FileDescriptor socket = connect_to(options.host, options.port);
  std::string hello = "/caps files\n";
  if (!options.name.empty()) {
    hello += "/nick " + options.name + "\n";
  }
  send_everything(socket.get(), hello);

  //! [duplex_hooks]
  ChatClient chat(options);
  const DuplexHooks hooks{
      .typed = [&](std::string_view line) { return chat.typed(line); },
      .received = [&](std::string_view line) { return chat.received(line); },
      .refill = [&] { return chat.refill(); },
      .quitting = [&] { return chat.quitting(); },
  };
  const DuplexEnd end = run_duplex(STDIN_FILENO, STDOUT_FILENO, socket.get(), hooks);
  //! [duplex_hooks]
  if (end == DuplexEnd::server_closed) {
    fmt::print(stderr, "chat: the server closed the connection\n");
  }
  return 0;
}

}  // namespace socklab::chat
