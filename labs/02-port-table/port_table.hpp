#pragma once
/// \file
/// Lab 02 — port table (article section 二.2).
///
/// The article's table says FTP is port 21, SSH port 22, MONGO port 27017.
/// Python answers such questions with `socket.getservbyname('ssh', 'tcp')`
/// and `socket.getservbyport(22, 'tcp')`; both are the C library's
/// `getservbyname(3)` and `getservbyport(3)`, and both read one text file, the
/// services database `/etc/services` (format: `man 5 services`).  In this lab
/// you write that reader and those two look-ups yourself, then sort port
/// numbers into the ranges IANA and Linux use.
///
/// What to do: implement every function declared here, in `port_table.cpp`
/// beside this file.  Do not change the declarations: the graded tests are
/// written against them.  Run `./socklab` to see your points, and
/// `./socklab hint 02-port-table` when stuck.
///
/// System calls you need (`man 2 <name>`): open, read, close.
/// Headers: `<fcntl.h>` (open, O_RDONLY, O_CLOEXEC), `<unistd.h>` (read),
/// `<cerrno>` (errno, EINTR), `<stdexcept>` (std::out_of_range).
/// Given help: `socklab::FileDescriptor` in `<socklab/file_descriptor.hpp>`
/// owns and closes a descriptor; `socklab::check` and `socklab::throw_errno`
/// in `<socklab/system_error.hpp>` turn a failed call into `std::system_error`.
///
/// # The services database, exactly
///
/// Your parser must give the same result as the reference byte for byte, on
/// any input at all: the tests feed it thousands of generated lines, many of
/// them garbage.  It never crashes and never throws: a line it cannot use is
/// *malformed*, skipped, and its number recorded.  The rules, in order:
///
/// 1. **Lines.**  The text is split at each LF byte (0x0A).  Lines are
///    numbered from 1.  The last line needs no LF.
/// 2. **Over-long.**  A line of more than `max_line_length` (1024) bytes, not
///    counting its LF, is malformed, whatever it holds, even a comment.
/// 3. **NUL.**  A line holding a NUL byte (0x00) anywhere, even in its
///    comment, is malformed.  (C code that reads lines into C strings would
///    silently cut the line there; this reader refuses it instead.)
/// 4. **CR.**  If the line ends with a CR byte (0x0D), that one CR is
///    dropped: files with Windows line endings read like Unix ones.  Only one
///    CR, and only at the end; a CR anywhere else is an ordinary byte.
/// 5. **Comments.**  A `#` starts a comment anywhere in the line, even in the
///    middle of a field: the `#` and everything after it are dropped.
/// 6. **Fields.**  What is left is split into fields at runs of spaces and
///    tabs.  Those two bytes are the only whitespace: any other byte (CR, VT,
///    a byte of 0x80 or more, …) is part of a field.
/// 7. **Blank.**  A line with no fields is blank: skipped and not recorded.
/// 8. **Fields 1 and 2.**  A line with one field is malformed.  Field 1 is the
///    service's name.  Field 2 must be `PORT/PROTOCOL`, split at its first
///    `/`.  It is malformed unless
///    - it holds a `/`;
///    - PORT is one or more ASCII digits `0`–`9` and nothing else (no sign, no
///      spaces, no `0x`), whose decimal value is at most 65535.  Leading zeros
///      are fine, however many: `0022` is 22;
///    - PROTOCOL is not empty and holds no second `/`.
/// 9. **Aliases.**  Fields 3 and on are the service's aliases, in order.
///
/// Every well-formed line becomes one ServiceEntry, in file order; duplicates
/// are kept (the look-ups take the first).  No name, protocol or alias is
/// ever changed: no case folding, no trimming beyond rules 4–6.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace socklab::port_table {

/// One well-formed line of the services database: `name port/protocol [aliases...]`.
/// Python's `getservbyname` gives you only the port of one of these; C's
/// `struct servent` holds all of it.
struct ServiceEntry {
  std::string name;                  ///< the official name, field 1 ("ssh")
  int port = 0;                      ///< 0–65535, in host byte order (22)
  std::string protocol;              ///< what follows the `/` ("tcp")
  std::vector<std::string> aliases;  ///< fields 3 and on, in file order
  std::size_t line = 0;              ///< the line it was read from, counting from 1
};

/// A parsed services database.
struct ServicesTable {
  std::vector<ServiceEntry> entries;         ///< the well-formed lines, in file order
  std::vector<std::size_t> malformed_lines;  ///< numbers of the malformed lines, ascending
};

/// Lines longer than this many bytes (not counting the LF) are malformed.
inline constexpr std::size_t max_line_length = 1024;

/// Where Linux and glibc keep the services database.
inline constexpr const char* services_path = "/etc/services";

/// Parses \p text as a services database, following the rules at the top of
/// this file.
///
/// Never throws (beyond `std::bad_alloc`) and never crashes, whatever bytes
/// \p text holds: malformed lines are skipped and their numbers recorded in
/// `malformed_lines`; blank lines are skipped and recorded nowhere.
/// \param text  the whole database: any bytes, of any length, possibly empty.
/// \return the well-formed lines and the numbers of the malformed ones; both
///   lists are empty for an empty \p text.
[[nodiscard]] ServicesTable parse_services(std::string_view text);

/// Reads the file at \p path with `open(2)` and `read(2)` and parses it with
/// parse_services().
///
/// Open it read-only and close-on-exec.  Read until `read(2)` returns 0: do
/// not trust the file's size (files in `/proc` say 0).  A `read(2)` that
/// fails with `EINTR` is retried.  The descriptor is closed on every path,
/// the exceptional ones included.
/// \throws std::system_error when `open(2)` or `read(2)` fails: `code()` holds
///   `errno` in `std::system_category()`, and `what()` names the call, "open"
///   or "read" (reading a directory fails in `read(2)`, with `EISDIR`).
/// \param path  the file to read; `/etc/services` by default.
/// \return what parse_services() gives for the file's whole contents.
[[nodiscard]] ServicesTable load_services(const std::string& path = services_path);

/// The first entry of \p table, in file order, whose name or one of whose
/// aliases is \p name, and whose protocol is \p protocol; nullptr if none.
///
/// Python: `socket.getservbyname(name, protocol)`; C: `getservbyname(3)`.
/// Comparisons are byte for byte and so case-sensitive: "SSH" is not "ssh",
/// "TCP" is not "tcp" (glibc agrees).  An empty \p protocol matches every
/// protocol, like Python's `None` and C's `NULL`.  The pointer points into
/// `table.entries`.
/// \param table  the database to search.
/// \param name  the official name or an alias, such as "ssh".
/// \param protocol  such as "tcp"; empty for any protocol.
/// \return the first match, which \p table still owns (valid while
///   `table.entries` is neither destroyed nor changed); nullptr when none.
[[nodiscard]] const ServiceEntry* find_by_name(const ServicesTable& table, std::string_view name,
                                               std::string_view protocol = {});

/// The first entry of \p table, in file order, whose port is \p port and
/// whose protocol is \p protocol; nullptr if none.
///
/// Python: `socket.getservbyport(port, protocol)`; C: `getservbyport(3)`,
/// which, unlike this function and Python, wants the port in network byte
/// order.  An empty \p protocol matches every protocol.  The pointer points
/// into `table.entries`.
/// \throws std::out_of_range when \p port is outside 0–65535 (Python raises
///   OverflowError there).
/// \param table  the database to search.
/// \param port  the port number in host byte order, 0–65535.
/// \param protocol  such as "tcp"; empty for any protocol.
/// \return the first match, which \p table still owns (valid while
///   `table.entries` is neither destroyed nor changed); nullptr when none.
[[nodiscard]] const ServiceEntry* find_by_port(const ServicesTable& table, int port,
                                               std::string_view protocol = {});

/// IANA's three ranges of port numbers (RFC 6335, section 6).
enum class PortClass {
  system,   ///< 0–1023: "system" or "well-known" ports
  user,     ///< 1024–49151: "user" or "registered" ports
  dynamic,  ///< 49152–65535: "dynamic" or "private" ports
};

/// The IANA range \p port lies in.
/// \param port  a port number, 0–65535.
/// \return PortClass::system, PortClass::user or PortClass::dynamic.
/// \throws std::out_of_range when \p port is outside 0–65535.
[[nodiscard]] PortClass classify_port(int port);

/// "system", "user" or "dynamic"; "unknown" for any other value.
/// \param port_class  a PortClass, or any other value cast to one.
/// \return the enumerator's name; it views a string literal, so it stays
///   valid for the whole program.
[[nodiscard]] std::string_view class_name(PortClass port_class);

/// An inclusive range of port numbers.
struct PortRange {
  int low = 0;   ///< the first port of the range
  int high = 0;  ///< the last port of the range

  /// Ranges are equal when both ends are.
  /// \return true when `low` and `high` are both equal.
  bool operator==(const PortRange&) const = default;
};

/// Linux's default ephemeral range, and what ephemeral_range() falls back to.
inline constexpr PortRange default_ephemeral_range{32768, 60999};

/// Where Linux shows this network namespace's ephemeral range.
inline constexpr const char* ip_local_port_range_path = "/proc/sys/net/ipv4/ip_local_port_range";

/// Reads a range in the format of `ip_local_port_range`: two port numbers
/// separated by spaces or tabs (the kernel writes 32768, a tab, 60999 and an
/// LF).
///
/// Leading and trailing spaces, tabs, CRs and LFs are ignored; what remains
/// must be exactly: digits, one or more spaces or tabs, digits.  Each number
/// is ASCII digits only (leading zeros fine), from 1 to 65535, and the first
/// is not greater than the second.  Anything else gives std::nullopt.
/// \param text  the file's contents, such as "32768\t60999\n"; any bytes.
/// \return the range, `low` ≤ `high`, both 1–65535; std::nullopt when \p text
///   is not a range.
[[nodiscard]] std::optional<PortRange> parse_port_range(std::string_view text);

/// The ephemeral range in the file at \p path: ports Linux picks from when a
/// socket needs a port and none was given (a `bind` to port 0, a `connect`
/// without `bind`).
///
/// Reads the whole file (until `read(2)` returns 0) and parses it with
/// parse_port_range().  Never throws for I/O: when the file cannot be opened
/// or read, or what it holds is not a range, returns
/// `default_ephemeral_range`.
/// \param path  the file to read; `/proc/sys/net/ipv4/ip_local_port_range`
///   by default.
/// \return the range the file holds, or `default_ephemeral_range` (32768–60999).
[[nodiscard]] PortRange ephemeral_range(const std::string& path = ip_local_port_range_path);

/// Whether \p port lies in \p range, both ends included.
/// \param port  a port number, 0–65535.
/// \param range  the ephemeral range, usually from ephemeral_range().
/// \return true when `range.low` ≤ \p port ≤ `range.high`.
/// \throws std::out_of_range when \p port is outside 0–65535.
[[nodiscard]] bool is_ephemeral(int port, PortRange range);

}  // namespace socklab::port_table
