// Lab 03, part 1 — addresses as text and as bytes: the reference solution.

#include "address_text.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <stdexcept>
#include <system_error>

namespace socklab::resolver {
namespace {

constexpr std::uint64_t kMaxPart = 0xFFFFFFFF;

bool is_c_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

// The value of digit `c` in `base`, or -1 when it is not one.
int digit_value(char c, unsigned base) {
  int value = -1;
  if (c >= '0' && c <= '9') {
    value = c - '0';
  } else if (c >= 'a' && c <= 'f') {
    value = c - 'a' + 10;
  } else if (c >= 'A' && c <= 'F') {
    value = c - 'A' + 10;
  }
  return value >= 0 && static_cast<unsigned>(value) < base ? value : -1;
}

bool is_hex_digit(char c) { return digit_value(c, 16) >= 0; }

}  // namespace

std::optional<Ipv4Bytes> inet_aton(std::string_view text) {
  text = text.substr(0, text.find('\0'));  // C strings end at NUL
  std::size_t at = 0;
  std::uint32_t parts[3] = {};
  std::size_t dotted = 0;  // parts followed by '.'
  std::uint64_t value = 0;
  for (;;) {
    if (at == text.size() || text[at] < '0' || text[at] > '9') {
      return std::nullopt;
    }
    // C notation, as strtoul(…, 0) reads it: "0x" counts as a prefix only
    // when a hexadecimal digit follows; a lone "0" starts an octal number.
    unsigned base = 10;
    if (text[at] == '0') {
      base = 8;
      if (at + 2 < text.size() && (text[at + 1] == 'x' || text[at + 1] == 'X') &&
          is_hex_digit(text[at + 2])) {
        base = 16;
        at += 2;
      }
    }
    value = 0;
    bool too_big = false;
    for (int digit; at < text.size() && (digit = digit_value(text[at], base)) >= 0; ++at) {
      value = value * base + static_cast<unsigned>(digit);
      if (value > kMaxPart) {
        too_big = true;
        value = kMaxPart + 1;  // stays too big, cannot wrap
      }
    }
    if (too_big) {
      return std::nullopt;
    }
    if (at == text.size() || text[at] != '.') {
      break;
    }
    if (dotted == 3 || value > 0xFF) {
      return std::nullopt;
    }
    parts[dotted++] = static_cast<std::uint32_t>(value);
    ++at;
  }
  if (at != text.size() && !is_c_space(text[at])) {
    return std::nullopt;
  }
  // The last part fills what the dotted ones leave: 32, 24, 16 or 8 bits.
  const std::uint64_t limit = kMaxPart >> (8 * dotted);
  if (value > limit) {
    return std::nullopt;
  }
  std::uint32_t address = static_cast<std::uint32_t>(value);
  for (std::size_t i = 0; i < dotted; ++i) {
    address |= parts[i] << (24 - 8 * i);
  }
  return Ipv4Bytes{static_cast<std::uint8_t>(address >> 24), static_cast<std::uint8_t>(address >> 16),
                   static_cast<std::uint8_t>(address >> 8), static_cast<std::uint8_t>(address)};
}

std::string inet_ntoa(const Ipv4Bytes& address) {
  return std::to_string(address[0]) + '.' + std::to_string(address[1]) + '.' + std::to_string(address[2]) +
         '.' + std::to_string(address[3]);
}

std::optional<std::vector<std::uint8_t>> inet_pton(int family, const std::string& text) {
  if (family != AF_INET && family != AF_INET6) {
    throw std::system_error(EAFNOSUPPORT, std::system_category(), "inet_pton");
  }
  std::vector<std::uint8_t> bytes(family == AF_INET ? sizeof(in_addr) : sizeof(in6_addr));
  if (::inet_pton(family, text.c_str(), bytes.data()) != 1) {
    return std::nullopt;
  }
  return bytes;
}

std::string inet_ntop(int family, std::span<const std::uint8_t> bytes) {
  if (family != AF_INET && family != AF_INET6) {
    throw std::system_error(EAFNOSUPPORT, std::system_category(), "inet_ntop");
  }
  if (bytes.size() != (family == AF_INET ? sizeof(in_addr) : sizeof(in6_addr))) {
    throw std::invalid_argument("inet_ntop: " + std::to_string(bytes.size()) +
                                " bytes are no address of this family");
  }
  char text[INET6_ADDRSTRLEN];
  if (::inet_ntop(family, bytes.data(), text, sizeof text) == nullptr) {
    throw std::system_error(errno, std::system_category(), "inet_ntop");
  }
  return text;
}

}  // namespace socklab::resolver
