// expect-status: failed
// expect-message: left 1 process running
// Starts a child that leaves the test's process group and session, listens on
// a loopback port and waits; the test itself then passes its checks.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cstdio>
static void misbehave() {
  static bool started = false;
  if (started) {
    return;
  }
  started = true;
  if (::fork() != 0) {
    return;
  }
  ::setsid();
  for (int fd = 3; fd < 1024; ++fd) {
    ::close(fd);  // as a daemon does: the test's pipes to its oracle close with the test
  }
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  ::bind(listener, reinterpret_cast<sockaddr*>(&address), size);
  ::listen(listener, 8);
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &size);
  std::printf("listening-port=%d\n", ntohs(address.sin_port));
  std::fflush(stdout);
  for (;;) {
    ::pause();
  }
}
