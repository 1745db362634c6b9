#pragma once
/// \file
/// Lab 03, part 1 — addresses as text and as bytes (article section 二.3:
/// `inet_aton`, `inet_ntoa`, and the modern `inet_pton` / `inet_ntop`).
///
/// Python's `socket.inet_aton('127.0.0.1')` gives the four bytes 7f 00 00 01,
/// and `inet_ntoa` turns them back.  The C functions of the same names are
/// older than they look: `inet_aton` accepts far more than dotted quads, and
/// `inet_ntoa` returns a pointer into a static buffer that its next call
/// overwrites (glibc keeps one per thread; POSIX does not even promise that).
/// You write both by hand, exactly as glibc behaves, then wrap the modern
/// pair that also handles IPv6.
///
/// Do not change the declarations; write the code in `address_text.cpp`.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace socklab::resolver {

/// An IPv4 address as four bytes in network order (most significant first),
/// as Python's `inet_aton` returns it: 127.0.0.1 is {127, 0, 0, 1}.
using Ipv4Bytes = std::array<std::uint8_t, 4>;

/// Parses \p text the way glibc's `inet_aton(3)` does, by hand: no call of
/// `inet_aton`, `inet_addr`, `inet_pton` or `strtoul` (they would do the
/// lesson for you).  Returns the address, or nothing when glibc would reject.
///
/// The rules, all of them:
/// - the text is one to four *parts* separated by '.'; a NUL character ends
///   the text, as it would for a C string;
/// - each part must start with a digit (no sign, no space) and is a number
///   in C notation: `0x` or `0X` then hexadecimal digits, or `0` then octal
///   digits, else decimal (so "010" is 8, and "0x" alone is the number 0
///   followed by the stray letter 'x');
/// - a part's value may not exceed 0xFFFFFFFF;
/// - a.b.c.d: each part is one byte (at most 255);
///   a.b.c: a and b are bytes, c fills the last 16 bits (at most 65535);
///   a.b: a is a byte, b fills the last 24 bits (at most 16777215);
///   a: fills all 32 bits;
/// - after the last part, the text must end, or go on with a whitespace
///   character (' ', '\\t', '\\n', '\\v', '\\f', '\\r'), after which anything
///   at all may follow and is ignored;
/// - anything else (an empty part, a fifth part, a stray character) rejects.
///
/// Examples: "127.1" is 127.0.0.1; "0x7f.1" too; "017700000001" too;
/// "1.2.3.4 junk" is 1.2.3.4; "1.2.3.256", "1..2", " 1.2.3.4" are rejected.
/// \param text  any bytes; only those before the first NUL count.
/// \return the four bytes, most significant first; std::nullopt when glibc
///   would reject \p text.
[[nodiscard]] std::optional<Ipv4Bytes> inet_aton(std::string_view text);

/// The dotted-quad text of \p address, "a.b.c.d" in decimal without leading
/// zeros: what glibc's `inet_ntoa(3)` prints, by hand.  Python: `inet_ntoa`.
/// \param address  four bytes, most significant first.
/// \return a new string, 7 to 15 characters long, such as "127.0.0.1".
[[nodiscard]] std::string inet_ntoa(const Ipv4Bytes& address);

/// The bytes of \p text, an IPv4 (`AF_INET`, 4 bytes) or IPv6 (`AF_INET6`,
/// 16 bytes) address, through `inet_pton(3)`; nothing when the text is not
/// a valid address of that family.  Stricter than inet_aton: IPv4 must be
/// four decimal parts.  Python: `socket.inet_pton(family, text)`.
/// \param family  `AF_INET` or `AF_INET6`.
/// \param text  the address as text, such as "127.0.0.1" or "::1".
/// \return 4 bytes for `AF_INET` or 16 for `AF_INET6`, in network order;
///   std::nullopt when \p text is not an address of \p family.
/// \throws std::system_error naming "inet_pton" (`EAFNOSUPPORT`) for any other family.
[[nodiscard]] std::optional<std::vector<std::uint8_t>> inet_pton(int family, const std::string& text);

/// The text of the address \p bytes of \p family, through `inet_ntop(3)`
/// (IPv6 in its shortest form, "::1").  Python: `socket.inet_ntop`.
/// \param family  `AF_INET` or `AF_INET6`.
/// \param bytes  the address in network order: 4 bytes for `AF_INET`, 16 for
///   `AF_INET6`.
/// \return the address as text, such as "127.0.0.1" or "::1".
/// \throws std::invalid_argument when \p bytes is not 4 (AF_INET) or 16
///   (AF_INET6) bytes long.
/// \throws std::system_error naming "inet_ntop" (`EAFNOSUPPORT`) for any other family.
[[nodiscard]] std::string inet_ntop(int family, std::span<const std::uint8_t> bytes);

}  // namespace socklab::resolver
