// echo-client: talk to a TCP server, through lab 05's functions.
//
//   echo-client HOST PORT                sends standard input, prints the replies
//   echo-client --probe HOST FIRST-LAST  which loopback ports accept connections
//
// HOST is a numeric address (127.0.0.1, ::1) or "localhost": this program
// looks no other name up.  Status lines go to standard error, so standard
// output holds exactly the bytes the server sent.
//
// Built twice: from your lab (`./socklab run echo-client`) and from the
// reference (`./socklab run --ref echo-client`).

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>

#include <fmt/color.h>
#include <fmt/core.h>

#include "client.hpp"
#include "socklab/command_line.hpp"
#include "socklab/terminal.hpp"

namespace {

using namespace socklab::client;

constexpr unsigned kMaxProbePorts = 1024;

// A port number from text: decimal digits, 1 to 65535.
std::uint16_t parse_port(const std::string& text) {
  if (text.empty() || text.size() > 5 || text.find_first_not_of("0123456789") != std::string::npos) {
    throw std::invalid_argument("\"" + text + "\" is not a port number (1 to 65535)");
  }
  const unsigned long port = std::stoul(text);
  if (port < 1 || port > 65535) {
    throw std::invalid_argument("\"" + text + "\" is not a port number (1 to 65535)");
  }
  return static_cast<std::uint16_t>(port);
}

// The numeric address of HOST: itself when numeric, or what /etc/hosts gives
// "localhost" (getaddrinfo, IPv4 only, so nothing asks a DNS server).
std::string numeric_host(const std::string& host) {
  try {
    (void)socket_address({host, 1});
    return host;
  } catch (const std::invalid_argument&) {
  }
  if (host != "localhost") {
    throw std::invalid_argument("\"" + host +
                                "\" is not a numeric address (such as 127.0.0.1 or ::1) or localhost; "
                                "echo-client looks no other name up");
  }
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (const int error = ::getaddrinfo(host.c_str(), nullptr, &hints, &found); error != 0) {
    throw std::runtime_error("cannot look up localhost: " + std::string(::gai_strerror(error)));
  }
  const std::unique_ptr<addrinfo, void (*)(addrinfo*)> owner(found, ::freeaddrinfo);
  char text[INET6_ADDRSTRLEN] = "";
  const auto* ipv4 = reinterpret_cast<const sockaddr_in*>(found->ai_addr);
  if (::inet_ntop(AF_INET, &ipv4->sin_addr, text, sizeof text) == nullptr) {
    throw std::system_error(errno, std::system_category(), "inet_ntop");
  }
  return text;
}

bool is_loopback(const std::string& address) {
  const SocketAddress parsed = socket_address({address, 1});
  if (parsed.family() == AF_INET) {
    return (ntohl(reinterpret_cast<const sockaddr_in&>(parsed.storage).sin_addr.s_addr) >> 24) == 127;
  }
  const auto& ipv6 = reinterpret_cast<const sockaddr_in6&>(parsed.storage);
  return std::memcmp(&ipv6.sin6_addr, &in6addr_loopback, sizeof in6addr_loopback) == 0;
}

int talk(const std::string& address, const std::string& port_text, std::chrono::milliseconds timeout, bool quiet) {
  const Endpoint endpoint{address, parse_port(port_text)};
  socklab::FileDescriptor fd;
  try {
    fd = connect_with_timeout(endpoint, timeout);
  } catch (const std::system_error& error) {
    fmt::print(stderr, "echo-client: cannot connect to {} port {}: {}\n", address, endpoint.port,
               error.code().message());
    return 1;
  }
  if (!quiet) {
    fmt::print(stderr, "echo-client: connected to {} port {}\n", address, endpoint.port);
  }
  const RelayTotals totals = relay(STDIN_FILENO, fd.get(), STDOUT_FILENO);
  if (!quiet) {
    fmt::print(stderr, "echo-client: the server closed the connection (sent {} bytes, received {})\n", totals.sent,
               totals.received);
  }
  return 0;
}

int probe(const std::string& address, const std::string& range, std::chrono::milliseconds timeout) {
  if (!is_loopback(address)) {
    fmt::print(stderr, "echo-client: --probe is for this machine only: {} is not 127.0.0.0/8 or ::1\n", address);
    return 2;
  }
  const auto dash = range.find('-');
  if (dash == std::string::npos) {
    throw std::invalid_argument("\"" + range + "\" is not a range of ports such as 8000-8100");
  }
  const std::uint16_t first = parse_port(range.substr(0, dash));
  const std::uint16_t last = parse_port(range.substr(dash + 1));
  if (first > last) {
    throw std::invalid_argument("the range " + range + " is empty: FIRST must not exceed LAST");
  }
  const unsigned count = static_cast<unsigned>(last - first) + 1;
  if (count > kMaxProbePorts) {
    throw std::invalid_argument(fmt::format("the range {} holds {} ports; probe at most {} at a time", range, count,
                                            kMaxProbePorts));
  }
  const bool colour = socklab::colour_enabled(STDOUT_FILENO);
  const timeval limit{static_cast<time_t>(timeout.count() / 1000),
                      static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
  unsigned open = 0;
  for (unsigned port = first; port <= last; ++port) {
    const Endpoint endpoint{address, static_cast<std::uint16_t>(port)};
    socklab::FileDescriptor fd = open_stream(endpoint);
    // A blocking connect that gives up after SO_SNDTIMEO: connect_ex then says EINPROGRESS.
    if (::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit) == -1) {
      throw std::system_error(errno, std::system_category(), "setsockopt");
    }
    const int error = connect_ex(fd.get(), endpoint);
    if (error == 0) {
      ++open;
      fmt::print("{}\n", colour ? fmt::format(fg(fmt::terminal_color::green), "{} open", port)
                                : fmt::format("{} open", port));
    } else if (error == EINPROGRESS) {
      fmt::print("{} no answer within {} ms\n", port, timeout.count());
    } else if (error != ECONNREFUSED) {
      fmt::print("{} {}\n", port, std::strerror(error));
    }
  }
  fmt::print("{} of {} ports on {} accept connections\n", open, count, address);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"echo-client: send standard input to a TCP server and print its replies (chapter 05)"};
  std::string host;
  std::string port;
  bool probe_ports = false;
  bool quiet = false;
  long timeout_ms = 0;
  app.add_option("host", host, "A numeric address (127.0.0.1, ::1) or localhost")->required();
  app.add_option("port", port, "The server's port; with --probe, a range FIRST-LAST")->required();
  app.add_flag("--probe", probe_ports, "Report which ports of a loopback address accept connections (connect_ex)");
  app.add_option("-t,--timeout", timeout_ms, "Connect time-out in milliseconds (default 5000; 200 with --probe)")
      ->check(CLI::Range(1L, 60000L));
  app.add_flag("-q,--quiet", quiet, "No status lines on standard error");
  if (const auto status = socklab::parse_command_line(app, argc, argv)) {
    return *status;
  }

  // A server that goes away must not kill us with SIGPIPE: send and write report EPIPE.
  (void)::signal(SIGPIPE, SIG_IGN);  // cannot fail for SIGPIPE and SIG_IGN
  try {
    const std::string address = numeric_host(host);
    if (probe_ports) {
      return probe(address, port, std::chrono::milliseconds(timeout_ms != 0 ? timeout_ms : 200));
    }
    return talk(address, port, std::chrono::milliseconds(timeout_ms != 0 ? timeout_ms : 5000), quiet);
  } catch (const std::system_error& error) {
    fmt::print(stderr, "echo-client: {}\n", error.what());
    return 1;
  } catch (const std::exception& error) {
    fmt::print(stderr, "echo-client: {}\n", error.what());
    return 2;
  }
}
