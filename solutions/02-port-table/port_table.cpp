// Lab 02 — port table: the reference solution.

#include "port_table.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>

#include "socklab/file_descriptor.hpp"
#include "socklab/system_error.hpp"

namespace socklab::port_table {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Digits only, value at most 65535, however many leading zeros.  Stops as soon
// as the value is too big, so "99999999999999999999" cannot overflow.
std::optional<int> parse_port_number(std::string_view digits) {
  if (digits.empty()) {
    return std::nullopt;
  }
  int value = 0;
  for (const char c : digits) {
    if (!is_digit(c)) {
      return std::nullopt;
    }
    value = value * 10 + (c - '0');
    if (value > 65535) {
      return std::nullopt;
    }
  }
  return value;
}

// Splits at runs of spaces and tabs; no empty fields.
std::vector<std::string_view> split_fields(std::string_view text) {
  std::vector<std::string_view> fields;
  std::size_t at = 0;
  while (at < text.size()) {
    while (at < text.size() && is_blank(text[at])) {
      ++at;
    }
    const std::size_t start = at;
    while (at < text.size() && !is_blank(text[at])) {
      ++at;
    }
    if (at > start) {
      fields.push_back(text.substr(start, at - start));
    }
  }
  return fields;
}

enum class LineKind { blank, entry, malformed };

// Rules 2–9 of the header, for one line without its LF.
LineKind parse_line(std::string_view line, ServiceEntry& entry) {
  if (line.size() > max_line_length || line.find('\0') != std::string_view::npos) {
    return LineKind::malformed;
  }
  if (!line.empty() && line.back() == '\r') {
    line.remove_suffix(1);
  }
  if (const auto comment = line.find('#'); comment != std::string_view::npos) {
    line = line.substr(0, comment);
  }
  const std::vector<std::string_view> fields = split_fields(line);
  if (fields.empty()) {
    return LineKind::blank;
  }
  if (fields.size() < 2) {
    return LineKind::malformed;
  }
  const std::string_view port_protocol = fields[1];
  const auto slash = port_protocol.find('/');
  if (slash == std::string_view::npos) {
    return LineKind::malformed;
  }
  const std::optional<int> port = parse_port_number(port_protocol.substr(0, slash));
  const std::string_view protocol = port_protocol.substr(slash + 1);
  if (!port || protocol.empty() || protocol.find('/') != std::string_view::npos) {
    return LineKind::malformed;
  }
  entry.name = fields[0];
  entry.port = *port;
  entry.protocol = protocol;
  entry.aliases.assign(fields.begin() + 2, fields.end());
  return LineKind::entry;
}

// The whole file, read until read(2) says end of file: /proc files report a
// size of 0, so the size from fstat would be wrong.
std::string read_file(const std::string& path) {
  const FileDescriptor file(check("open", ::open(path.c_str(), O_RDONLY | O_CLOEXEC)));
  std::string content;
  char buffer[65536];
  for (;;) {
    const ssize_t got = ::read(file.get(), buffer, sizeof buffer);
    if (got == -1 && errno == EINTR) {
      continue;
    }
    check("read", got);
    if (got == 0) {
      return content;
    }
    content.append(buffer, static_cast<std::size_t>(got));
  }
}

void check_port(int port) {
  if (port < 0 || port > 65535) {
    throw std::out_of_range("port " + std::to_string(port) + " is not in 0-65535");
  }
}

bool protocol_matches(const ServiceEntry& entry, std::string_view protocol) {
  return protocol.empty() || entry.protocol == protocol;
}

}  // namespace

ServicesTable parse_services(std::string_view text) {
  ServicesTable table;
  std::size_t number = 0;
  while (!text.empty()) {
    ++number;
    const auto end = text.find('\n');
    const std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);

    ServiceEntry entry;
    switch (parse_line(line, entry)) {
      case LineKind::blank: break;
      case LineKind::malformed: table.malformed_lines.push_back(number); break;
      case LineKind::entry:
        entry.line = number;
        table.entries.push_back(std::move(entry));
        break;
    }
  }
  return table;
}

ServicesTable load_services(const std::string& path) { return parse_services(read_file(path)); }

const ServiceEntry* find_by_name(const ServicesTable& table, std::string_view name,
                                 std::string_view protocol) {
  for (const ServiceEntry& entry : table.entries) {
    if (protocol_matches(entry, protocol) &&
        (entry.name == name ||
         std::find(entry.aliases.begin(), entry.aliases.end(), name) != entry.aliases.end())) {
      return &entry;
    }
  }
  return nullptr;
}

const ServiceEntry* find_by_port(const ServicesTable& table, int port, std::string_view protocol) {
  check_port(port);
  for (const ServiceEntry& entry : table.entries) {
    if (entry.port == port && protocol_matches(entry, protocol)) {
      return &entry;
    }
  }
  return nullptr;
}

PortClass classify_port(int port) {
  check_port(port);
  if (port <= 1023) {
    return PortClass::system;
  }
  return port <= 49151 ? PortClass::user : PortClass::dynamic;
}

std::string_view class_name(PortClass port_class) {
  switch (port_class) {
    case PortClass::system: return "system";
    case PortClass::user: return "user";
    case PortClass::dynamic: return "dynamic";
  }
  return "unknown";
}

std::optional<PortRange> parse_port_range(std::string_view text) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!text.empty() && is_space(text.front())) {
    text.remove_prefix(1);
  }
  while (!text.empty() && is_space(text.back())) {
    text.remove_suffix(1);
  }
  const auto gap = std::find_if(text.begin(), text.end(), is_blank);
  const auto second = std::find_if_not(gap, text.end(), is_blank);
  if (gap == text.end()) {
    return std::nullopt;
  }
  const auto low = parse_port_number({text.begin(), gap});
  const auto high = parse_port_number({second, text.end()});
  if (!low || !high || *low < 1 || *high < 1 || *low > *high) {
    return std::nullopt;
  }
  return PortRange{*low, *high};
}

PortRange ephemeral_range(const std::string& path) {
  try {
    return parse_port_range(read_file(path)).value_or(default_ephemeral_range);
  } catch (const std::system_error&) {
    return default_ephemeral_range;  // unreadable: the documented fallback
  }
}

bool is_ephemeral(int port, PortRange range) {
  check_port(port);
  return port >= range.low && port <= range.high;
}

}  // namespace socklab::port_table
