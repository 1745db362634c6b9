#pragma once
// Generated inputs for lab 02's differential tests: services databases (clean
// ones, and ones full of garbage), hand-made tables with queries, and texts
// for ip_local_port_range.  A fixed seed makes every run the same, so a
// failure can be reproduced.

#include <climits>
#include <cstdint>
#include <iterator>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "calls.hpp"

namespace socklab::port_table::testing {

using namespace std::string_view_literals;

/// A small deterministic source of choices.
class Random {
 public:
  explicit Random(std::uint32_t seed) : engine_(seed) {}

  /// A number from 0 to \p n - 1.
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(engine_()) % n; }
  /// True \p percent times in 100.
  bool chance(std::size_t percent) { return below(100) < percent; }
  /// One of \p items.
  std::string_view pick(const std::vector<std::string_view>& items) { return items[below(items.size())]; }
  /// One byte, any of the 256.
  char byte() { return static_cast<char>(below(256)); }

 private:
  std::mt19937 engine_;
};

// --- Services databases -----------------------------------------------------

inline const std::vector<std::string_view> service_names{
    "ssh", "ftp", "ftp-data", "domain", "http", "www", "smtp", "mail", "pop3", "pop-3", "mysql",
    "tftp", "telnet", "https", "SSH", "Http", "x", "a-b_c.d", "9pfs", "mongodb", "kerberos5",
    "\xe5\x90\x8d\xe5\xad\x97",  // 名字, UTF-8
    "\xff\xfe"};                 // not UTF-8 at all

inline const std::vector<std::string_view> good_ports{
    "0", "1", "7", "20", "21", "22", "53", "80", "443", "1023", "1024", "3306", "27017", "49151",
    "49152", "60999", "65535", "00022", "000000000000000000000053"};

// Each of these makes its line malformed.
inline const std::vector<std::string_view> bad_ports{
    "", "65536", "70000", "99999", "100000", "-1", "+22", "0x16", "22a", "1e3",
    "4294967318",            // 2^32 + 22: 22 again in 32-bit arithmetic
    "18446744073709551638",  // 2^64 + 22
    "99999999999999999999999", "\xd9\xa2\xd9\xa2",  // ٢٢, Arabic-Indic digits
    "\xef\xbc\x96\xef\xbc\x95"};                    // ６５, full-width digits

inline const std::vector<std::string_view> protocol_words{
    "tcp", "udp", "sctp", "ddp", "TCP", "Udp", "t", "\xe2\x80\x8btcp"};  // zero-width space + tcp

inline const std::vector<std::string_view> blanks{" ", "\t", "  ", " \t ", "\t\t", "    "};

inline const std::vector<std::string_view> comments{
    "# comment", "#", "#ssh 22/tcp", "# \xe4\xb8\xad\xe6\x96\x87", "## twice #", "#\t"};

// Second fields that are malformed for their slash alone.
inline const std::vector<std::string_view> bad_slashes{
    "22tcp", "22/", "/tcp", "22//tcp", "22/tcp/", "22/tcp/udp", "/", "//", "22\\tcp"};

/// A well-formed entry line, maybe with a comment; no CR, NUL or over-long.
inline std::string entry_line(Random& random) {
  std::string line;
  if (random.chance(20)) {
    line += random.pick(blanks);
  }
  line += random.pick(service_names);
  line += random.pick(blanks);
  line += random.pick(good_ports);
  line += '/';
  line += random.pick(protocol_words);
  for (std::size_t aliases = random.below(4); aliases > 0; --aliases) {
    line += random.pick(blanks);
    line += random.pick(service_names);
  }
  if (random.chance(20)) {
    line += random.pick(blanks);
  }
  if (random.chance(30)) {
    if (random.chance(70)) {
      line += random.pick(blanks);
    }
    line += random.pick(comments);  // a '#' glued to the field ends it too
  }
  return line;
}

/// A line of a clean database: an entry, a comment, a blank or an empty line.
inline std::string clean_line(Random& random) {
  switch (random.below(10)) {
    case 0: return std::string(random.pick(comments));
    case 1: return std::string(random.pick(blanks)) + std::string(random.pick(comments));
    case 2: return std::string(random.pick(blanks));
    case 3: return "";
    default: return entry_line(random);
  }
}

/// A well-formed database of up to 40 lines.
inline std::string clean_database(Random& random) {
  std::string text;
  const std::size_t lines = random.below(41);
  for (std::size_t i = 0; i < lines; ++i) {
    text += clean_line(random);
    if (i + 1 < lines || random.chance(80)) {
      text += '\n';
    }
  }
  return text;
}

/// A byte likely to matter to a parser.
inline char tricky_byte(Random& random) {
  static constexpr std::string_view tricky = "\0\r\n\t \v\f#/0123456789+-\x7f\x80\xff"sv;
  return random.chance(70) ? tricky[random.below(tricky.size())] : random.byte();
}

/// A line exactly \p length bytes long, not counting an LF; an entry (one long
/// alias) or a comment; with a CR as its last byte when \p crlf.
inline std::string long_line(Random& random, std::size_t length, bool crlf) {
  std::string line = random.chance(50) ? "svc 80/tcp " : "#";
  line.resize(length - (crlf ? 1 : 0), random.chance(50) ? 'a' : ' ');
  if (crlf) {
    line += '\r';
  }
  return line;
}

/// A line that is often malformed, sometimes blank or fine.
inline std::string garbage_line(Random& random) {
  switch (random.below(12)) {
    case 0: return entry_line(random);
    case 1: {  // one byte overwritten
      std::string line = entry_line(random);
      line[random.below(line.size())] = tricky_byte(random);
      return line;
    }
    case 2: {  // one byte inserted
      std::string line = entry_line(random);
      line.insert(line.begin() + static_cast<std::ptrdiff_t>(random.below(line.size() + 1)),
                  tricky_byte(random));
      return line;
    }
    case 3:
      return std::string(random.pick(service_names)) + std::string(random.pick(blanks)) +
             std::string(random.pick(bad_ports)) + "/" + std::string(random.pick(protocol_words));
    case 4:
      return std::string(random.pick(service_names)) + std::string(random.pick(blanks)) +
             std::string(random.pick(bad_slashes));
    case 5: {  // one field only
      std::string line(random.pick(service_names));
      if (random.chance(50)) {
        line += std::string(random.pick(blanks)) + std::string(random.pick(comments));
      }
      return random.chance(20) ? "22/tcp" : line;
    }
    case 6: {  // short runs of tricky bytes
      std::string line;
      for (std::size_t n = random.below(40); n > 0; --n) {
        line += tricky_byte(random);
      }
      return line;
    }
    case 7: {  // around the length limit (not too often: these are big)
      if (random.chance(70)) {
        return entry_line(random);
      }
      static constexpr std::size_t lengths[] = {1, 2, 1023, 1024, 1024, 1025, 1025, 1026, 4000};
      const std::size_t length = lengths[random.below(std::size(lengths))];
      return long_line(random, length, random.chance(50));
    }
    case 8: {  // CRs
      std::string line = random.chance(80) ? entry_line(random) : "";
      switch (random.below(4)) {
        case 0: return line + "\r";
        case 1: return line + "\r\r";
        case 2: return "\r" + line;
        default: return line + " \r ";
      }
    }
    case 9: {  // NULs, in the comment or the fields
      std::string line = entry_line(random);
      return random.chance(50) ? line + " #" + std::string(1, '\0') + "x"
                               : line.insert(random.below(line.size() + 1), 1, '\0');
    }
    case 10: {  // any bytes at all
      std::string line;
      for (std::size_t n = random.below(60); n > 0; --n) {
        line += random.byte();
      }
      return line;
    }
    default: return clean_line(random);
  }
}

/// A database of up to 40 lines of mixed garbage; LF or CRLF line ends.
inline std::string garbage_database(Random& random) {
  std::string text;
  const std::size_t lines = random.below(41);
  const bool crlf = random.chance(20);
  for (std::size_t i = 0; i < lines; ++i) {
    text += garbage_line(random);
    if (i + 1 < lines || random.chance(70)) {
      text += crlf ? "\r\n" : "\n";
    }
  }
  return text;
}

/// \p count clean databases, as hex for the oracle.
inline json clean_inputs(std::uint32_t seed, std::size_t count) {
  Random random(seed);
  json inputs = json::array();
  for (std::size_t i = 0; i < count; ++i) {
    inputs.push_back(to_hex(clean_database(random)));
  }
  return inputs;
}

/// Some fixed hard cases, then \p count garbage databases, as hex.
inline json garbage_inputs(std::uint32_t seed, std::size_t count) {
  json inputs = json::array();
  for (const std::string& text :
       {std::string(), std::string("\n"), std::string("\n\n\n"), std::string("\r\n"),
        std::string(1, '\0'), std::string("ssh 22/tcp\0", 11), std::string("#"),
        std::string(100000, 'x'), "ssh 22/tcp " + std::string(100000, 'a'),
        std::string(5000, '\n'), std::string(3000, '/'), std::string("\xff\xfe\xfd\n\x80/1")}) {
    inputs.push_back(to_hex(text));
  }
  Random random(seed);
  for (std::size_t i = 0; i < count; ++i) {
    inputs.push_back(to_hex(garbage_database(random)));
  }
  return inputs;
}

// --- Hand-made tables and queries --------------------------------------------

inline const std::vector<std::string_view> table_names{"ssh", "ftp", "domain", "www", "http",
                                                       "mail", "smtp", "SSH", "a", "b"};
inline const std::vector<std::string_view> table_protocols{"tcp", "udp", "sctp", "TCP"};
inline const std::vector<int> table_ports{0, 20, 21, 22, 53, 80, 443, 1024, 65535};

/// Up to 8 rows for table_from(), drawn from small pools so names, aliases
/// and ports collide.
inline json generated_table(Random& random) {
  json rows = json::array();
  for (std::size_t n = random.below(9); n > 0; --n) {
    json aliases = json::array();
    for (std::size_t a = random.below(4); a > 0; --a) {
      aliases.push_back(std::string(random.pick(table_names)));
    }
    rows.push_back({std::string(random.pick(table_names)),
                    table_ports[random.below(table_ports.size())],
                    std::string(random.pick(table_protocols)), aliases});
  }
  return rows;
}

inline const std::vector<std::string_view> query_protocols{"", "tcp", "udp", "TCP", "sctp", "xyz"};

/// \p count name queries, each with its own table.
inline json name_queries(std::uint32_t seed, std::size_t count) {
  Random random(seed);
  std::vector<std::string_view> names = table_names;
  names.insert(names.end(), {"", "nothing", "Ssh", "ss"});
  json inputs = json::array();
  for (std::size_t i = 0; i < count; ++i) {
    inputs.push_back({{"table", generated_table(random)},
                      {"name", std::string(random.pick(names))},
                      {"protocol", std::string(random.pick(query_protocols))}});
  }
  return inputs;
}

/// \p count port queries, each with its own table; some ports out of range.
inline json port_queries(std::uint32_t seed, std::size_t count) {
  Random random(seed);
  std::vector<int> ports = table_ports;
  ports.insert(ports.end(), {1, 23, 65534, -1, 65536, 100000, INT_MIN, INT_MAX});
  json inputs = json::array();
  for (std::size_t i = 0; i < count; ++i) {
    inputs.push_back({{"table", generated_table(random)},
                      {"port", ports[random.below(ports.size())]},
                      {"protocol", std::string(random.pick(query_protocols))}});
  }
  return inputs;
}

// --- ip_local_port_range texts --------------------------------------------------

inline const std::vector<std::string_view> range_numbers{
    "32768", "60999", "1", "0", "1024", "65535", "65536", "49152", "000032768", "", "+1", "-5",
    "0x10", "4294968320", "99999999999999999999", "5000", "6\xd9\xa2"};

inline const std::vector<std::string_view> range_gaps{"\t", " ", "  \t ", "", "\n", "\r", ",",
                                                      "\v", "-", " \0 "sv};

inline const std::vector<std::string_view> good_range_numbers{
    "32768", "60999", "1", "1024", "49152", "65535", "000032768", "5000", "5000"};

inline const std::vector<std::string_view> good_range_gaps{"\t", " ", "  \t ", "\t\t"};

inline const std::vector<std::string_view> range_ends{"", "\n", "\r\n", " ", "\t\n", "\n\n", " \r\n\t"};

/// A text like the kernel's "32768\t60999\n", often subtly wrong.
inline std::string range_text(Random& random) {
  std::string text;
  switch (random.below(8)) {
    case 0:  // any bytes at all
      for (std::size_t n = random.below(20); n > 0; --n) {
        text += random.chance(50) ? random.byte() : "0123456789 \t\n"[random.below(13)];
      }
      return text;
    case 1:  // three numbers, or one
      text = std::string(random.pick(range_numbers)) + " " + std::string(random.pick(range_numbers));
      return random.chance(50) ? text + "\t" + std::string(random.pick(range_numbers))
                               : std::string(random.pick(range_numbers));
    default: {  // mostly the right shape, so that many are ranges
      const auto number = [&] {
        return random.chance(60) ? random.pick(good_range_numbers) : random.pick(range_numbers);
      };
      text += random.pick(range_ends);
      text += number();
      text += random.chance(70) ? random.pick(good_range_gaps) : random.pick(range_gaps);
      text += number();
      text += random.pick(range_ends);
      return text;
    }
  }
}

/// \p count texts for parse_port_range(), as hex, after some fixed ones.
inline json range_inputs(std::uint32_t seed, std::size_t count) {
  json inputs = json::array();
  for (const std::string_view text :
       {"32768\t60999\n", "1024 65535", "1 1", "60999\t32768\n", "0\t60999\n", "32768\t65536\n",
        "", "\n", "32768", "32768\t60999\t\n\n", " 32768 60999 "}) {
    inputs.push_back(to_hex(text));
  }
  Random random(seed);
  for (std::size_t i = 0; i < count; ++i) {
    inputs.push_back(to_hex(range_text(random)));
  }
  return inputs;
}

}  // namespace socklab::port_table::testing
