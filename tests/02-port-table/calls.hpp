#pragma once
// The deterministic calls of lab 02, for differential tests: compiled into the
// oracle (with the reference) and into the graded tests (with the student's
// code).  See socklab/testkit/oracle.hpp.
//
// Parser inputs are any bytes (NUL, CR, 0xFF, ...), but JSON text must be
// UTF-8, so texts travel as hex and names come back made visible (\xNN).

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>

#include "port_table.hpp"
#include "socklab/file_descriptor.hpp"
#include "socklab/system_error.hpp"
#include "socklab/testkit/oracle.hpp"
#include "socklab/testkit/temp_dir.hpp"

namespace socklab::port_table::testing {

using testkit::json;

/// Bytes as hex digits, two per byte.
inline std::string to_hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(bytes.size() * 2);
  for (const char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    hex += digits[byte >> 4U];
    hex += digits[byte & 0xFU];
  }
  return hex;
}

/// The bytes that to_hex() wrote.
inline std::string from_hex(std::string_view hex) {
  const auto value = [](char c) {
    return c <= '9' ? c - '0' : c - 'a' + 10;
  };
  std::string bytes;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    bytes += static_cast<char>(value(hex[i]) * 16 + value(hex[i + 1]));
  }
  return bytes;
}

/// Printable ASCII stays; a backslash and every other byte become \\ and \xNN.
inline std::string visible(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string text;
  for (const char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte == '\\') {
      text += "\\\\";
    } else if (byte >= 0x20 && byte < 0x7F) {
      text += c;
    } else {
      text += "\\x";
      text += digits[byte >> 4U];
      text += digits[byte & 0xFU];
    }
  }
  return text;
}

inline json entry_json(const ServiceEntry& entry) {
  json aliases = json::array();
  for (const std::string& alias : entry.aliases) {
    aliases.push_back(visible(alias));
  }
  return {{"name", visible(entry.name)}, {"port", entry.port}, {"protocol", visible(entry.protocol)},
          {"aliases", aliases}, {"line", entry.line}};
}

inline json table_json(const ServicesTable& table) {
  json entries = json::array();
  for (const ServiceEntry& entry : table.entries) {
    entries.push_back(entry_json(entry));
  }
  return {{"entries", entries}, {"malformed_lines", table.malformed_lines}};
}

/// A table made by the test, not by the parser: entries are
/// [name, port, protocol, [aliases...]], numbered as lines 1, 2, ...
inline ServicesTable table_from(const json& rows) {
  ServicesTable table;
  for (const json& row : rows) {
    table.entries.push_back(ServiceEntry{row.at(0).get<std::string>(), row.at(1).get<int>(),
                                         row.at(2).get<std::string>(),
                                         row.at(3).get<std::vector<std::string>>(),
                                         table.entries.size() + 1});
  }
  return table;
}

/// Which entry of \p table a look-up returned: its index, null, or a complaint.
inline json index_of(const ServicesTable& table, const ServiceEntry* found) {
  if (found == nullptr) {
    return nullptr;
  }
  for (std::size_t i = 0; i < table.entries.size(); ++i) {
    if (&table.entries[i] == found) {
      return i;
    }
  }
  return "a pointer that is not into table.entries";
}

/// A file in the temporary folder holding the given bytes, removed again when
/// this goes out of scope.
class TempFile {
 public:
  explicit TempFile(std::string_view content) {
    const char* dir = std::getenv("TMPDIR");
    path_ = std::string(dir != nullptr && *dir != '\0' ? dir : "/tmp") + "/socklab-02-XXXXXX";
    const FileDescriptor file(check("mkstemp", ::mkostemp(path_.data(), O_CLOEXEC)));
    while (!content.empty()) {
      const auto wrote = check("write", ::write(file.get(), content.data(), content.size()));
      content.remove_prefix(static_cast<std::size_t>(wrote));
    }
  }
  ~TempFile() { ::unlink(path_.c_str()); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  /// Where the file is.
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline const testkit::CallTable& calls() {
  static const testkit::CallTable call_table{
      {"parse_services",
       [](const json& input) {
         return table_json(parse_services(from_hex(input.get<std::string>())));
       }},
      {"load_services",
       [](const json& input) {
         const TempFile file(from_hex(input.get<std::string>()));
         return table_json(load_services(file.path()));
       }},
      {"find_by_name",
       [](const json& input) {
         const ServicesTable table = table_from(input.at("table"));
         return index_of(table, find_by_name(table, input.at("name").get<std::string>(),
                                             input.at("protocol").get<std::string>()));
       }},
      {"find_by_port",
       [](const json& input) {
         const ServicesTable table = table_from(input.at("table"));
         return index_of(table, find_by_port(table, input.at("port").get<int>(),
                                             input.at("protocol").get<std::string>()));
       }},
      {"classify_port",
       [](const json& input) { return json(static_cast<int>(classify_port(input.get<int>()))); }},
      {"class_name",
       [](const json& input) {
         return json(visible(class_name(static_cast<PortClass>(input.get<int>()))));
       }},
      {"parse_port_range",
       [](const json& input) {
         const auto range = parse_port_range(from_hex(input.get<std::string>()));
         return range ? json{range->low, range->high} : json(nullptr);
       }},
      {"ephemeral_range",
       [](const json& input) {
         PortRange range;
         if (input.contains("text")) {
           const TempFile file(from_hex(input.at("text").get<std::string>()));
           range = ephemeral_range(file.path());
         } else {
           const testkit::TempDir dir;
           range = ephemeral_range((input.at("missing").get<bool>() ? dir.path() / "missing" : dir.path()).string());
         }
         return json{range.low, range.high};
       }},
      {"is_ephemeral",
       [](const json& input) {
         return json(is_ephemeral(input.at("port").get<int>(),
                                  PortRange{input.at("low").get<int>(), input.at("high").get<int>()}));
       }},
  };
  return call_table;
}

}  // namespace socklab::port_table::testing
