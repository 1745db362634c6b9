// Lab 03, part 1 — addresses as text and as bytes.  Your code goes here; the
// task is in address_text.hpp.  Each function is a starter stub: it compiles,
// and its tests fail until you replace its body.

#include "address_text.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <stdexcept>
#include <system_error>

namespace socklab::resolver {

std::optional<Ipv4Bytes> inet_aton(std::string_view text) {
  (void)text;
  return std::nullopt;  // TODO: parse by hand, exactly as glibc does
}

std::string inet_ntoa(const Ipv4Bytes& address) {
  (void)address;
  return {};  // TODO
}

std::optional<std::vector<std::uint8_t>> inet_pton(int family, const std::string& text) {
  (void)family;
  (void)text;
  return std::nullopt;  // TODO: ::inet_pton
}

std::string inet_ntop(int family, std::span<const std::uint8_t> bytes) {
  (void)family;
  (void)bytes;
  return {};  // TODO: ::inet_ntop
}

}  // namespace socklab::resolver
