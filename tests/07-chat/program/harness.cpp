// The test side of the chat program tests; see harness.hpp.

#include "harness.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <thread>

#include <catch2/catch.hpp>

#include "socklab/system_error.hpp"
#include "socklab/testkit/process_facts.hpp"


namespace chat_test {

namespace fs = std::filesystem;
using socklab::check;
using socklab::FileDescriptor;

namespace {

// A test writing to a pipe or socket whose reader has gone must fail, not die.
const bool sigpipe_ignored = [] {
  ::signal(SIGPIPE, SIG_IGN);
  return true;
}();

int milliseconds_left(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
  return left <= 0 ? 0 : static_cast<int>(left);
}

// The value of \p key (such as "VmRSS:") in /proc/PID/status, as text.
std::string status_field(pid_t pid, std::string_view key) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with(key)) {
      std::istringstream rest(line.substr(key.size()));
      std::string value;
      rest >> value;
      return value;
    }
  }
  return {};
}

}  // namespace

std::vector<std::string> list_tree(const fs::path& folder) {
  std::vector<std::string> names;
  for (const auto& entry : fs::recursive_directory_iterator(folder)) {
    names.push_back(fs::relative(entry.path(), folder).string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

bool has_sanitizer_report(std::string_view text) {
  return text.find("Sanitizer") != std::string_view::npos || text.find("runtime error:") != std::string_view::npos;
}

// ---------------------------------------------------------------- ChatServer

namespace {

std::vector<std::string> serve_arguments(std::vector<std::string> options) {
  std::vector<std::string> argv{CHAT_PROGRAM, "serve", "--host", "127.0.0.1", "--port", "0"};
  argv.insert(argv.end(), options.begin(), options.end());
  return argv;
}

// Under ASan, freed memory waits in a quarantine (256 MiB by default) that
// VmRSS counts: keep it small, so that a bound on the server's memory is a
// bound on what the server keeps.  (Other programs ignore the variable.)
std::string asan_options() {
  const char* given = std::getenv("ASAN_OPTIONS");
  return std::string("ASAN_OPTIONS=") + (given != nullptr && *given != '\0' ? std::string(given) + ":" : "") +
         "quarantine_size_mb=8";
}

}  // namespace

ChatServer::ChatServer(std::vector<std::string> options)
    : process_(serve_arguments(std::move(options)),
               {.pipe_stdin = false, .directory = directory_.path(), .environment = {asan_options()}}) {
  const auto first = process_.line(10s);
  INFO("chat serve's first line: " << first.value_or("(none)") << "\nits errors: " << process_.errors());
  const std::string prefix = "listening on 127.0.0.1:";
  REQUIRE(first.has_value());
  REQUIRE(first->starts_with(prefix));
  port_ = static_cast<std::uint16_t>(std::stoi(first->substr(prefix.size())));
}

std::size_t ChatServer::rss_kib() const {
  const std::string value = status_field(pid(), "VmRSS:");
  return value.empty() ? 0 : std::stoul(value);
}

std::size_t ChatServer::open_fds() const {
  std::size_t count = 0;
  std::error_code error;
  for (fs::directory_iterator entry("/proc/" + std::to_string(pid()) + "/fd", error), end; !error && entry != end;
       entry.increment(error)) {
    ++count;
  }
  return count;
}

bool ChatServer::ignores_sigpipe() const {
  const std::string mask = status_field(pid(), "SigIgn:");
  return !mask.empty() && ((std::stoull(mask, nullptr, 16) >> (SIGPIPE - 1)) & 1U) != 0;
}

bool ChatServer::alive() const {
  const std::string state = status_field(pid(), "State:");
  return !state.empty() && state != "Z" && state != "X";
}

void ChatServer::stop_cleanly(int signal) {
  INFO("Finally: the server is stopped with signal " << signal << " and must exit 0, clean");
  process_.signal(signal);
  const auto status = process_.wait(10s);
  const std::string errors = process_.errors();
  INFO("the server's standard error:\n" << errors);
  REQUIRE(status.has_value());
  CHECK(WIFEXITED(*status));
  CHECK(WEXITSTATUS(*status) == 0);
  CHECK_FALSE(has_sanitizer_report(errors));
}

// ---------------------------------------------------------------- Peer

Peer::Peer(std::uint16_t port, int receive_buffer)
    : fd_(check("socket", ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0))) {
  socklab::testkit::set_io_timeout(fd_.get(), 5s);
  if (receive_buffer > 0) {
    check("setsockopt", ::setsockopt(fd_.get(), SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer));
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  check("connect", ::connect(fd_.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address));
}

void Peer::send(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd_.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      socklab::throw_errno("send (" + name + ")");
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

bool Peer::receive_some() {
  if (at_end || !fd_) {
    return false;
  }
  std::array<char, 65536> chunk{};
  const ssize_t got = ::recv(fd_.get(), chunk.data(), chunk.size(), MSG_DONTWAIT);
  if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
    return false;
  }
  if (got <= 0) {
    at_end = true;  // end of stream, or reset
    if (!partial_.empty()) {
      partial_ += '\n';
    }
  } else {
    partial_.append(chunk.data(), static_cast<std::size_t>(got));
  }
  std::size_t start = 0;
  for (auto end = partial_.find('\n'); end != std::string::npos; end = partial_.find('\n', start)) {
    const std::string_view text(partial_.data() + start, end - start);
    if (on_line) {
      on_line(text);
    } else {
      inbox.emplace_back(text);
      history_.emplace_back(text);
    }
    start = end + 1;
  }
  partial_.erase(0, start);
  return true;
}

void Peer::send_some() {
  if (outbox.empty() || at_end) {
    return;
  }
  const ssize_t n = ::send(fd_.get(), outbox.data(), outbox.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  if (n > 0) {
    outbox.erase(0, static_cast<std::size_t>(n));
  } else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
    outbox.clear();
    at_end = true;
  }
}

std::optional<std::string> Peer::line(milliseconds limit) {
  const auto deadline = Clock::now() + limit;
  while (inbox.empty() && !at_end) {
    pollfd waiting{fd_.get(), POLLIN, 0};
    if (::poll(&waiting, 1, milliseconds_left(deadline)) <= 0) {
      break;
    }
    receive_some();
  }
  if (inbox.empty()) {
    return std::nullopt;
  }
  std::string text = std::move(inbox.front());
  inbox.pop_front();
  return text;
}

std::optional<std::string> Peer::line_where(const std::function<bool(std::string_view)>& wanted, milliseconds limit) {
  const auto deadline = Clock::now() + limit;
  while (auto text = line(std::chrono::duration_cast<milliseconds>(deadline - Clock::now()))) {
    if (wanted(*text)) {
      return text;
    }
  }
  return std::nullopt;
}

std::optional<std::string> Peer::line_starting(std::string_view prefix, milliseconds limit) {
  return line_where([&](std::string_view text) { return text.starts_with(prefix); }, limit);
}

bool Peer::expect(std::string_view text, milliseconds limit) {
  return line_where([&](std::string_view got) { return got == text; }, limit).has_value();
}

bool Peer::ends_within(milliseconds limit) {
  const auto deadline = Clock::now() + limit;
  while (!at_end) {
    pollfd waiting{fd_.get(), POLLIN, 0};
    if (::poll(&waiting, 1, milliseconds_left(deadline)) <= 0) {
      return false;
    }
    receive_some();
  }
  return true;
}

void Peer::reset() {
  const linger abrupt{1, 0};
  check("setsockopt", ::setsockopt(fd_.get(), SOL_SOCKET, SO_LINGER, &abrupt, sizeof abrupt));
  fd_.close();
}

std::string Peer::recent() const {
  std::string text = "last lines " + (name.empty() ? std::string("of a client") : name) + " received:";
  const std::size_t from = history_.size() > 12 ? history_.size() - 12 : 0;
  for (std::size_t i = from; i < history_.size(); ++i) {
    text += "\n  " + history_[i].substr(0, 200);
  }
  return text;
}

std::unique_ptr<Peer> join(std::uint16_t port, const std::string& name, int receive_buffer) {
  auto peer = std::make_unique<Peer>(port, receive_buffer);
  INFO("joining as " << name << "; " << peer->recent());
  REQUIRE(peer->line_starting("* welcome ", 5s).has_value());
  peer->send("/nick " + name + "\n");
  REQUIRE(peer->expect("* you are now " + name, 5s));
  peer->name = name;
  return peer;
}

bool pump(std::span<Peer* const> peers, milliseconds limit, const std::function<bool()>& done) {
  const auto deadline = Clock::now() + limit;
  std::vector<pollfd> fds(peers.size());
  while (!done()) {
    if (Clock::now() >= deadline) {
      return false;
    }
    for (std::size_t i = 0; i < peers.size(); ++i) {
      const Peer& peer = *peers[i];
      const bool open = !peer.at_end && peer.fd() >= 0;
      fds[i] = {.fd = open ? peer.fd() : -1,
                .events = static_cast<short>(POLLIN | (peer.outbox.empty() ? 0 : POLLOUT)),
                .revents = 0};
    }
    if (::poll(fds.data(), fds.size(), std::min(milliseconds_left(deadline), 50)) < 0 && errno != EINTR) {
      socklab::throw_errno("poll");
    }
    for (std::size_t i = 0; i < peers.size(); ++i) {
      if ((fds[i].revents & POLLOUT) != 0) {
        peers[i]->send_some();
      }
      if ((fds[i].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
        peers[i]->receive_some();
      }
    }
  }
  return true;
}

void expect_healthy(ChatServer& server, std::span<Peer* const> bystanders, std::size_t rss_before_kib,
                    std::size_t growth_kib) {
  static int probes = 0;
  const std::string name = "probe" + std::to_string(++probes);
  INFO("Afterwards: the server is alive, a fresh client (" << name << ") joins and chats with every bystander");
  REQUIRE(server.alive());
  const auto probe = join(server.port(), name);
  probe->send("ping from " + name + "\n");
  for (Peer* bystander : bystanders) {
    bystander->on_line = nullptr;
    INFO(bystander->recent());
    REQUIRE(bystander->expect("<" + name + "> ping from " + name, 5s));
  }
  for (Peer* bystander : bystanders) {
    bystander->send("pong from " + bystander->name + "\n");
    INFO(probe->recent());
    REQUIRE(probe->expect("<" + bystander->name + "> pong from " + bystander->name, 5s));
  }
  probe->send("/who\n");
  const auto who = probe->line_starting("* here (", 5s);
  REQUIRE(who.has_value());
  for (const Peer* bystander : bystanders) {
    CHECK(who->find(bystander->name) != std::string::npos);
  }
  CHECK(server.files_written().empty());
  const std::size_t rss = server.rss_kib();
  INFO("the server's VmRSS: " << rss_before_kib << " KiB before, " << rss << " KiB after");
  CHECK(rss <= rss_before_kib + growth_kib);
  probe->send("/quit\n");
  CHECK(probe->ends_within(5s));
}

std::optional<std::u32string> decode_utf8(std::string_view text) {
  std::u32string points;
  for (std::size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t length = 1;
    char32_t point = lead;
    char32_t least = 0;
    if (lead >= 0xF0 && lead < 0xF8) {
      length = 4;
      point = lead & 0x07U;
      least = 0x10000;
    } else if (lead >= 0xE0 && lead < 0xF0) {
      length = 3;
      point = lead & 0x0FU;
      least = 0x800;
    } else if (lead >= 0xC0 && lead < 0xE0) {
      length = 2;
      point = lead & 0x1FU;
      least = 0x80;
    } else if (lead >= 0x80) {
      return std::nullopt;  // a continuation byte, or 0xF8 and above
    }
    if (i + length > text.size()) {
      return std::nullopt;
    }
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0U) != 0x80) {
        return std::nullopt;
      }
      point = (point << 6U) | (next & 0x3FU);
    }
    if (point < least || point > 0x10FFFF || (point >= 0xD800 && point <= 0xDFFF)) {
      return std::nullopt;
    }
    points += point;
    i += length;
  }
  return points;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const std::filesystem::path& path, std::string_view bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

std::string random_bytes(std::size_t size, unsigned seed) {
  std::mt19937 generator(seed);
  std::uniform_int_distribution<int> byte(0, 255);
  std::string bytes(size, '\0');
  for (char& c : bytes) {
    c = static_cast<char>(byte(generator));
  }
  return bytes;
}

std::string sha256_hex(std::string_view bytes) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  REQUIRE(EVP_Digest(bytes.data(), bytes.size(), digest.data(), &size, EVP_sha256(), nullptr) == 1);
  static constexpr std::string_view hex = "0123456789abcdef";
  std::string text;
  for (unsigned int i = 0; i < size; ++i) {
    text += hex[digest[i] >> 4];
    text += hex[digest[i] & 0xF];
  }
  return text;
}

std::string base64(std::string_view bytes) {
  std::string text(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(text.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  text.resize(static_cast<std::size_t>(n));
  return text;
}

}  // namespace chat_test
