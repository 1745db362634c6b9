#include "socklab/testkit/loopback.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "socklab/system_error.hpp"
#include "socklab/testkit/process_facts.hpp"

namespace socklab::testkit {
namespace {

using namespace std::chrono_literals;

sockaddr_storage loopback(int family, std::uint16_t port, socklen_t& length) {
  sockaddr_storage storage{};
  if (family == AF_INET6) {
    auto& ipv6 = reinterpret_cast<sockaddr_in6&>(storage);
    ipv6.sin6_family = AF_INET6;
    ipv6.sin6_addr = in6addr_loopback;
    ipv6.sin6_port = htons(port);
    length = sizeof ipv6;
  } else {
    auto& ipv4 = reinterpret_cast<sockaddr_in&>(storage);
    ipv4.sin_family = AF_INET;
    ipv4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ipv4.sin_port = htons(port);
    length = sizeof ipv4;
  }
  return storage;
}

std::uint16_t port_of(const sockaddr_storage& address) {
  return ntohs(address.ss_family == AF_INET6 ? reinterpret_cast<const sockaddr_in6&>(address).sin6_port
                                             : reinterpret_cast<const sockaddr_in&>(address).sin_port);
}

LoopbackPort bound(int family) {
  FileDescriptor fd(check("socket", ::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0)));
  socklen_t length = 0;
  const sockaddr_storage address = loopback(family, 0, length);
  check("bind", ::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), length));
  const std::uint16_t port = local_port(fd.get());
  return {std::move(fd), port};
}

}  // namespace

LoopbackPort listen_on_loopback(int family, int backlog) {
  LoopbackPort listener = bound(family);
  check("listen", ::listen(listener.socket.get(), backlog));
  set_io_timeout(listener.socket.get(), 5s);
  return listener;
}

LoopbackPort refused_loopback_port() { return bound(AF_INET); }

FileDescriptor accept_one(const LoopbackPort& listener, sockaddr_storage* peer) {
  sockaddr_storage ignored{};
  socklen_t length = sizeof ignored;
  FileDescriptor fd(check("accept", ::accept4(listener.socket.get(), reinterpret_cast<sockaddr*>(peer ? peer : &ignored),
                                              &length, SOCK_CLOEXEC)));
  set_io_timeout(fd.get(), 5s);
  return fd;
}

FileDescriptor start_connect(std::uint16_t port) {
  FileDescriptor fd(check("socket", ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)));
  socklen_t length = 0;
  const sockaddr_storage address = loopback(AF_INET, port, length);
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), length) == -1 && errno != EINPROGRESS) {
    throw_errno("connect");
  }
  return fd;
}

ConnectedPair unix_pair(int type) {
  int fds[2];
  check("socketpair", ::socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, fds));
  ConnectedPair pair{FileDescriptor(fds[0]), FileDescriptor(fds[1])};
  set_io_timeout(pair.a.get(), std::chrono::seconds(5));
  set_io_timeout(pair.b.get(), std::chrono::seconds(5));
  return pair;
}

ConnectedPair tcp_pair(int family, const std::function<void(int)>& before_connect) {
  const LoopbackPort listener = listen_on_loopback(family);
  FileDescriptor client(check("socket", ::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0)));
  set_io_timeout(client.get(), std::chrono::seconds(5));  // also bounds connect()
  if (before_connect) {
    before_connect(client.get());
  }
  socklen_t length = 0;
  const sockaddr_storage address = loopback(family, listener.port, length);
  check("connect", ::connect(client.get(), reinterpret_cast<const sockaddr*>(&address), length));
  return {std::move(client), accept_one(listener)};
}

int time_wait_count(std::uint16_t port, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  char wanted[8];
  (void)std::snprintf(wanted, sizeof wanted, ":%04X", port);  // fits: a 16-bit port is 4 hex digits
  for (;;) {
    std::ifstream table("/proc/net/tcp");
    std::string line;
    int count = 0;
    std::getline(table, line);  // the header
    while (std::getline(table, line)) {
      std::istringstream fields(line);
      std::string slot, local, remote, state;
      fields >> slot >> local >> remote >> state;
      if (local.size() >= 5 && local.substr(local.size() - 5) == wanted && state == "06") {
        ++count;
      }
    }
    if (count > 0 || std::chrono::steady_clock::now() >= deadline) {
      return count;
    }
    std::this_thread::sleep_for(10ms);
  }
}

std::uint16_t local_port(int fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  check("getsockname", ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length));
  return port_of(address);
}

std::uint16_t peer_port(int fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  check("getpeername", ::getpeername(fd, reinterpret_cast<sockaddr*>(&address), &length));
  return port_of(address);
}

}  // namespace socklab::testkit
