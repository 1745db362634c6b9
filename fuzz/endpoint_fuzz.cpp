// Chapters 04-06: socket addresses from text and from sockaddr bytes.
//
// - Chapter 04's server::endpoint_of(sockaddr*, length) reads the input's
//   bytes as a socket address of exactly that length (a heap buffer of that
//   size, so ASan sees any read past it): the family decides, a short
//   length throws std::invalid_argument, another family std::system_error
//   (EAFNOSUPPORT), and what it returns is inet_ntop's text and the port.
// - Chapter 05's client::socket_address and chapter 06's calls::socket_address
//   read the input as address text (up to its first NUL: these take C strings,
//   as the command line gives them): both agree, zero every other byte, and
//   round-trip through chapter 06's endpoint_of (and chapter 04's) and to_text.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

#include "check.hpp"
#include "client.hpp"
#include "endpoints.hpp"
#include "listener.hpp"

namespace {

std::string ntop(int family, const void* address) {
  char text[INET6_ADDRSTRLEN] = "";
  ::inet_ntop(family, address, text, sizeof text);
  return text;
}

std::uint16_t port_at(const unsigned char* bytes) {
  return static_cast<std::uint16_t>(bytes[0] << 8 | bytes[1]);
}

// Chapter 04: the input as sockaddr bytes.
void check_raw_address(std::string_view input) {
  const std::size_t length = input.size() < sizeof(sockaddr_storage) ? input.size() : sizeof(sockaddr_storage);
  // new[] memory is aligned for any type, and ASan guards its end.
  const auto buffer = std::make_unique<unsigned char[]>(length == 0 ? 1 : length);
  std::memcpy(buffer.get(), input.data(), length);
  const auto* address = reinterpret_cast<const sockaddr*>(buffer.get());
  sa_family_t family_field = 0;  // the first field, in host byte order
  std::memcpy(&family_field, buffer.get(), length >= sizeof family_field ? sizeof family_field : 0);
  const int family = length >= sizeof family_field ? family_field : -1;

  enum class Outcome { endpoint, invalid_argument, unsupported_family, other } outcome = Outcome::other;
  socklab::server::Endpoint endpoint;
  try {
    endpoint = socklab::server::endpoint_of(address, static_cast<socklen_t>(length));
    outcome = Outcome::endpoint;
  } catch (const std::invalid_argument&) {
    outcome = Outcome::invalid_argument;
  } catch (const std::system_error& error) {
    outcome = error.code() == std::error_code(EAFNOSUPPORT, std::system_category()) ? Outcome::unsupported_family
                                                                                     : Outcome::other;
  }
  if (family == AF_INET && length >= sizeof(sockaddr_in)) {
    FUZZ_CHECK(outcome == Outcome::endpoint, input);
    FUZZ_CHECK(endpoint.address == ntop(AF_INET, buffer.get() + offsetof(sockaddr_in, sin_addr)), input);
    FUZZ_CHECK(endpoint.port == port_at(buffer.get() + offsetof(sockaddr_in, sin_port)), input);
  } else if (family == AF_INET6 && length >= sizeof(sockaddr_in6)) {
    FUZZ_CHECK(outcome == Outcome::endpoint, input);
    FUZZ_CHECK(endpoint.address == ntop(AF_INET6, buffer.get() + offsetof(sockaddr_in6, sin6_addr)), input);
    FUZZ_CHECK(endpoint.port == port_at(buffer.get() + offsetof(sockaddr_in6, sin6_port)), input);
  } else if (family == AF_INET || family == AF_INET6) {
    FUZZ_CHECK(outcome == Outcome::invalid_argument, input);
  } else {
    FUZZ_CHECK(outcome == Outcome::unsupported_family, input);
  }
}

// Chapters 05 and 06: the input as address text.
void check_text_address(std::string_view input) {
  const std::string text(input.substr(0, input.find('\0')));
  const std::uint16_t port = input.size() >= 2 ? port_at(reinterpret_cast<const unsigned char*>(input.data())) : 0;

  std::optional<socklab::client::SocketAddress> from_client;
  try {
    from_client = socklab::client::socket_address({text, port});
  } catch (const std::invalid_argument&) {
  }
  std::optional<socklab::calls::SocketAddress> from_calls;
  try {
    from_calls = socklab::calls::socket_address({text, port});
  } catch (const std::invalid_argument&) {
  }
  FUZZ_CHECK(from_client.has_value() == from_calls.has_value(), input);
  if (!from_calls) {
    unsigned char scratch[sizeof(in6_addr)];
    FUZZ_CHECK(::inet_pton(AF_INET, text.c_str(), scratch) != 1, input);
    FUZZ_CHECK(::inet_pton(AF_INET6, text.c_str(), scratch) != 1, input);
    return;
  }
  const auto& address = *from_calls;
  FUZZ_CHECK(from_client->length == address.length, input);
  FUZZ_CHECK(std::memcmp(&from_client->storage, &address.storage, sizeof address.storage) == 0, input);

  // Exactly the structure the text asks for, zeroed but for family, port and address.
  sockaddr_storage expected{};
  in_addr ipv4{};
  in6_addr ipv6{};
  if (::inet_pton(AF_INET, text.c_str(), &ipv4) == 1) {
    auto& in = reinterpret_cast<sockaddr_in&>(expected);
    in.sin_family = AF_INET;
    in.sin_port = htons(port);
    in.sin_addr = ipv4;
    FUZZ_CHECK(address.length == sizeof(sockaddr_in), input);
  } else {
    FUZZ_CHECK(::inet_pton(AF_INET6, text.c_str(), &ipv6) == 1, input);
    auto& in6 = reinterpret_cast<sockaddr_in6&>(expected);
    in6.sin6_family = AF_INET6;
    in6.sin6_port = htons(port);
    in6.sin6_addr = ipv6;
    FUZZ_CHECK(address.length == sizeof(sockaddr_in6), input);
  }
  FUZZ_CHECK(std::memcmp(&expected, &address.storage, sizeof expected) == 0, input);

  // Back to an endpoint: inet_ntop's text and the same port, by chapters 06 and 04 alike.
  const socklab::calls::Endpoint endpoint = socklab::calls::endpoint_of(address);
  FUZZ_CHECK(endpoint.port == port, input);
  FUZZ_CHECK(endpoint.address == (address.length == sizeof(sockaddr_in) ? ntop(AF_INET, &ipv4) : ntop(AF_INET6, &ipv6)),
             input);
  const socklab::server::Endpoint seen = socklab::server::endpoint_of(address.get(), address.length);
  FUZZ_CHECK(seen.address == endpoint.address && seen.port == endpoint.port, input);
  const socklab::calls::SocketAddress again = socklab::calls::socket_address(endpoint);
  FUZZ_CHECK(again.length == address.length, input);
  FUZZ_CHECK(std::memcmp(&again.storage, &address.storage, sizeof address.storage) == 0, input);

  const std::string shown = socklab::calls::to_text(endpoint);
  const std::string port_text = ":" + std::to_string(port);
  FUZZ_CHECK(shown == (address.length == sizeof(sockaddr_in) ? endpoint.address : "[" + endpoint.address + "]") +
                          port_text,
             input);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input = socklab::fuzz::as_text(data, size);
  check_raw_address(input);
  check_text_address(input);
  return 0;
}
