// Chapter 02: parse_services() and parse_port_range() on any bytes at all.
//
// Both are compared with a model written here from the rules in
// labs/02-port-table/port_table.hpp, one byte at a time (the reference splits
// with find() and string_views), and the look-ups are checked on what was parsed.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "check.hpp"
#include "port_table.hpp"

namespace {

using socklab::port_table::PortRange;
using socklab::port_table::ServiceEntry;
using socklab::port_table::ServicesTable;

bool is_blank(char c) { return c == ' ' || c == '\t'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Digits only, at most 65535, any number of leading zeros: drop the zeros,
// then at most five digits are left.
std::optional<int> model_port(std::string_view digits) {
  if (digits.empty()) {
    return std::nullopt;
  }
  for (const char c : digits) {
    if (!is_digit(c)) {
      return std::nullopt;
    }
  }
  while (digits.size() > 1 && digits.front() == '0') {
    digits.remove_prefix(1);
  }
  if (digits.size() > 5) {
    return std::nullopt;
  }
  int value = 0;
  for (const char c : digits) {
    value = value * 10 + (c - '0');
  }
  return value <= 65535 ? std::optional<int>(value) : std::nullopt;
}

// The rules of port_table.hpp, in order, for one line without its LF.
// Returns false for a malformed line; a blank line gives true and no fields.
bool model_line(std::string_view line, std::vector<std::string>& fields) {
  fields.clear();
  if (line.size() > socklab::port_table::max_line_length) {  // rule 2
    return false;
  }
  std::string field;
  bool in_comment = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '\0') {  // rule 3, even inside a comment
      return false;
    }
    if (in_comment) {
      continue;
    }
    if (c == '\r' && i + 1 == line.size()) {  // rule 4: one CR at the very end
      continue;
    }
    if (c == '#') {  // rule 5
      in_comment = true;
    } else if (is_blank(c)) {  // rule 6
      if (!field.empty()) {
        fields.push_back(field);
        field.clear();
      }
    } else {
      field += c;
    }
  }
  if (!field.empty()) {
    fields.push_back(field);
  }
  return true;
}

ServicesTable model_services(std::string_view text) {
  ServicesTable table;
  std::vector<std::string> fields;
  std::size_t number = 0;
  std::size_t begin = 0;
  while (begin < text.size()) {  // rule 1: the last line needs no LF
    ++number;
    std::size_t end = begin;
    while (end < text.size() && text[end] != '\n') {
      ++end;
    }
    const std::string_view line = text.substr(begin, end - begin);
    begin = end + 1;
    if (!model_line(line, fields)) {
      table.malformed_lines.push_back(number);
      continue;
    }
    if (fields.empty()) {  // rule 7
      continue;
    }
    // Rule 8.
    const std::string& port_protocol = fields.size() >= 2 ? fields[1] : fields[0];
    const std::size_t slash = port_protocol.find('/');
    std::optional<int> port;
    std::string protocol;
    if (fields.size() >= 2 && slash != std::string::npos) {
      port = model_port(std::string_view(port_protocol).substr(0, slash));
      protocol = port_protocol.substr(slash + 1);
    }
    if (!port || protocol.empty() || protocol.find('/') != std::string::npos) {
      table.malformed_lines.push_back(number);
      continue;
    }
    ServiceEntry entry;
    entry.name = fields[0];
    entry.port = *port;
    entry.protocol = protocol;
    entry.aliases.assign(fields.begin() + 2, fields.end());  // rule 9
    entry.line = number;
    table.entries.push_back(entry);
  }
  return table;
}

bool same_entry(const ServiceEntry& a, const ServiceEntry& b) {
  return a.name == b.name && a.port == b.port && a.protocol == b.protocol && a.aliases == b.aliases &&
         a.line == b.line;
}

// parse_port_range's rules: trim spaces, tabs, CRs and LFs; then exactly
// digits, one or more spaces or tabs, digits; each 1-65535; low <= high.
std::optional<PortRange> model_range(std::string_view text) {
  const auto is_space = [](char c) { return is_blank(c) || c == '\r' || c == '\n'; };
  while (!text.empty() && is_space(text.front())) {
    text.remove_prefix(1);
  }
  while (!text.empty() && is_space(text.back())) {
    text.remove_suffix(1);
  }
  std::size_t at = 0;
  const auto run = [&](auto&& belongs) {
    const std::size_t start = at;
    while (at < text.size() && belongs(text[at])) {
      ++at;
    }
    return text.substr(start, at - start);
  };
  const std::string_view low = run(is_digit);
  const std::string_view gap = run(is_blank);
  const std::string_view high = run(is_digit);
  if (at != text.size() || low.empty() || gap.empty() || high.empty()) {
    return std::nullopt;
  }
  const auto low_port = model_port(low);
  const auto high_port = model_port(high);
  if (!low_port || !high_port || *low_port < 1 || *high_port < 1 || *low_port > *high_port) {
    return std::nullopt;
  }
  return PortRange{*low_port, *high_port};
}

bool names(const ServiceEntry& entry, std::string_view name) {
  if (entry.name == name) {
    return true;
  }
  for (const std::string& alias : entry.aliases) {
    if (alias == name) {
      return true;
    }
  }
  return false;
}

void check_lookups(const ServicesTable& table, std::string_view input) {
  namespace pt = socklab::port_table;
  const std::size_t checked = table.entries.size() < 8 ? table.entries.size() : 8;
  for (std::size_t i = 0; i < checked; ++i) {
    const ServiceEntry& entry = table.entries[i];
    // The first entry, in file order, with that name (or alias) and protocol.
    const ServiceEntry* by_name = pt::find_by_name(table, entry.name, entry.protocol);
    FUZZ_CHECK(by_name != nullptr && by_name <= &entry, input);
    FUZZ_CHECK(names(*by_name, entry.name) && by_name->protocol == entry.protocol, input);
    for (const ServiceEntry* before = table.entries.data(); before < by_name; ++before) {
      FUZZ_CHECK(!(names(*before, entry.name) && before->protocol == entry.protocol), input);
    }
    const ServiceEntry* by_port = pt::find_by_port(table, entry.port, entry.protocol);
    FUZZ_CHECK(by_port != nullptr && by_port <= &entry, input);
    FUZZ_CHECK(by_port->port == entry.port && by_port->protocol == entry.protocol, input);
    for (const ServiceEntry* before = table.entries.data(); before < by_port; ++before) {
      FUZZ_CHECK(!(before->port == entry.port && before->protocol == entry.protocol), input);
    }
    // An empty protocol matches every protocol.
    const ServiceEntry* any = pt::find_by_port(table, entry.port);
    FUZZ_CHECK(any != nullptr && any <= by_port && any->port == entry.port, input);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input = socklab::fuzz::as_text(data, size);

  const ServicesTable table = socklab::port_table::parse_services(input);
  const ServicesTable model = model_services(input);
  FUZZ_CHECK(table.malformed_lines == model.malformed_lines, input);
  FUZZ_CHECK(table.entries.size() == model.entries.size(), input);
  for (std::size_t i = 0; i < table.entries.size(); ++i) {
    FUZZ_CHECK(same_entry(table.entries[i], model.entries[i]), input);
  }
  check_lookups(table, input);

  const auto range = socklab::port_table::parse_port_range(input);
  FUZZ_CHECK(range == model_range(input), input);
  if (range) {
    FUZZ_CHECK(1 <= range->low && range->low <= range->high && range->high <= 65535, input);
  }
  return 0;
}
