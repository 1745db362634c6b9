// port-table: the article's table of services and ports, checked against this
// machine's services database, and look-ups in that database.
//
// Built twice: from your lab (`./socklab run port-table`) and from the
// reference (`./socklab run --ref port-table`).  With no arguments it prints
// the article's ten rows, each verified: what the database lists for that
// port, and the port's class.  With arguments it looks each one up:
//   port-table ssh            a service name, with every protocol it is listed for
//   port-table ssh/udp        a name for one protocol
//   port-table 53             a port, with every protocol
//   port-table 443/tcp        a port for one protocol
// Exit status: 0 when everything asked for was found, 1 when something was
// not, 2 for a bad query or a database that cannot be read.

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <exception>
#include <fstream>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <fmt/color.h>
#include <fmt/core.h>
#include <fmt/ranges.h>

#include "port_table.hpp"
#include "socklab/command_line.hpp"
#include "socklab/terminal.hpp"

namespace {

using socklab::port_table::ServiceEntry;
using socklab::port_table::ServicesTable;

// One application of the article's table, one port at a time: FTP's "21,20"
// is two rows.  `service` is the name the services database uses.
struct ArticleRow {
  const char* application;
  int port;
  const char* protocol;
  const char* service;
};

constexpr ArticleRow article_rows[] = {
    {"FTP", 21, "TCP", "ftp"},       {"FTP", 20, "TCP", "ftp-data"},  {"TFTP", 69, "UDP", "tftp"},
    {"TELNET", 23, "TCP", "telnet"}, {"SMTP", 25, "TCP", "smtp"},     {"DNS", 53, "UDP", "domain"},
    {"HTTP", 80, "TCP", "http"},     {"SSH", 22, "TCP", "ssh"},       {"MYSQL", 3306, "TCP", "mysql"},
    {"POP3", 110, "TCP", "pop3"},    {"MONGO", 27017, "TCP", "mongodb"},
};

class Output {
 public:
  explicit Output(bool colour) : colour_(colour) {}
  [[nodiscard]] std::string good(const std::string& text) const {
    return paint(fmt::fg(fmt::terminal_color::green), text);
  }
  [[nodiscard]] std::string bad(const std::string& text) const {
    return paint(fmt::fg(fmt::terminal_color::red), text);
  }
  [[nodiscard]] std::string note(const std::string& text) const {
    return paint(fmt::fg(fmt::terminal_color::yellow), text);
  }
  [[nodiscard]] std::string bold(const std::string& text) const {
    return paint(fmt::emphasis::bold, text);
  }

 private:
  [[nodiscard]] std::string paint(const fmt::text_style& style, const std::string& text) const {
    return colour_ ? fmt::format(style, "{}", text) : text;
  }
  bool colour_;
};

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// The protocols the table names, each once, in order of first appearance.
std::vector<std::string> protocols_of(const ServicesTable& table) {
  std::vector<std::string> protocols;
  for (const ServiceEntry& entry : table.entries) {
    if (std::find(protocols.begin(), protocols.end(), entry.protocol) == protocols.end()) {
      protocols.push_back(entry.protocol);
    }
  }
  return protocols;
}

// "system", or "user, ephemeral here".
std::string port_class(int port, const socklab::port_table::PortRange& ephemeral) {
  std::string text(socklab::port_table::class_name(socklab::port_table::classify_port(port)));
  if (socklab::port_table::is_ephemeral(port, ephemeral)) {
    text += ", ephemeral here";
  }
  return text;
}

// Whether \p entry is the service \p name: its official name or an alias.
bool names(const ServiceEntry& entry, const std::string& name) {
  return entry.name == name ||
         std::find(entry.aliases.begin(), entry.aliases.end(), name) != entry.aliases.end();
}

// \p text with control bytes shown as \xNN: a database is any file, and its
// bytes must not drive the terminal.
std::string printable(const std::string& text) {
  std::string shown;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    shown += byte < 0x20 || byte == 0x7F ? fmt::format("\\x{:02x}", byte) : std::string(1, c);
  }
  return shown;
}

std::string entry_text(const ServiceEntry& entry) {
  std::string text =
      fmt::format("{} {}/{}", printable(entry.name), entry.port, printable(entry.protocol));
  for (const std::string& alias : entry.aliases) {
    text += " " + printable(alias);
  }
  return text;
}

// The article's ten applications, one row per port, each looked up in the database.
void print_article_table(const ServicesTable& table, const socklab::port_table::PortRange& ephemeral,
                         const Output& out) {
  const std::vector<std::string> protocols = protocols_of(table);
  fmt::print("The article's table (section 二.2), checked against the database:\n");
  fmt::print("  {:<7} {:>5}  {:<8} {:<40} {}\n", "Article", "Port", "Protocol", "Database lists",
             "Class");
  for (const ArticleRow& row : article_rows) {
    std::vector<std::string> listed;  // protocols with an entry for this port
    std::vector<std::string> also;    // other protocols this same service is listed for
    std::string found;
    const std::string wanted = lower(row.protocol);
    for (const std::string& protocol : protocols) {
      if (const ServiceEntry* entry = socklab::port_table::find_by_port(table, row.port, protocol)) {
        listed.push_back(protocol);
        found += (found.empty() ? "" : ", ") + fmt::format("{} {}/{}", printable(entry->name),
                                                           entry->port, printable(entry->protocol));
        if (protocol != wanted && names(*entry, row.service)) {
          also.push_back(protocol);
        }
      }
    }
    const std::string verdict = listed.empty() ? out.bad(fmt::format("{:<40}", "not found"))
                                               : out.good(fmt::format("{:<40}", found));
    std::string remark;
    if (!listed.empty() && std::find(listed.begin(), listed.end(), wanted) == listed.end()) {
      remark = out.note(fmt::format("  (no {} entry)", wanted));
    } else if (!also.empty()) {
      remark = out.note(fmt::format("  ({} is listed for {} too)", row.service, fmt::join(also, ", ")));
    }
    fmt::print("  {:<7} {:>5}  {:<8} {} {}{}\n", row.application, row.port, row.protocol, verdict,
               port_class(row.port, ephemeral), remark);
  }
  fmt::print("\nService names the article implies (looked up by name, any protocol):\n");
  for (const ArticleRow& row : article_rows) {
    const ServiceEntry* entry = socklab::port_table::find_by_name(table, row.service);
    fmt::print("  {:<7} {:<10} {}\n", row.application, row.service,
               entry != nullptr ? out.good(entry_text(*entry)) : out.bad("not found"));
  }
}

struct Query {
  std::string text;                // as typed
  std::optional<int> port;         // set for a number
  std::string name;                // set for a name
  std::string protocol;            // empty: every protocol
};

// "ssh", "ssh/udp", "53", "443/tcp"; throws std::invalid_argument for anything else.
Query parse_query(const std::string& text) {
  Query query{text, std::nullopt, "", ""};
  const auto slash = text.find('/');
  const std::string what = text.substr(0, slash);
  if (slash != std::string::npos) {
    query.protocol = text.substr(slash + 1);
    if (query.protocol.empty() || query.protocol.find('/') != std::string::npos) {
      throw std::invalid_argument("'" + text + "': write NAME/PROTOCOL or PORT/PROTOCOL, e.g. 443/tcp");
    }
  }
  if (what.empty()) {
    throw std::invalid_argument(text.empty() ? "an empty query"
                                             : "'" + text + "': no service name or port before the '/'");
  }
  std::string_view digits = what;
  const bool negative = digits.front() == '-';
  if (negative || digits.front() == '+') {
    digits.remove_prefix(1);
  }
  const bool numeric = !digits.empty() && std::all_of(digits.begin(), digits.end(), [](char c) {
    return c >= '0' && c <= '9';
  });
  if (numeric) {
    while (digits.size() > 1 && digits.front() == '0') {
      digits.remove_prefix(1);
    }
    if (digits.size() > 5 || std::stoi(std::string(digits)) > 65535 || (negative && digits != "0")) {
      throw std::invalid_argument("'" + text + "': port " + what + " is not in 0-65535");
    }
    query.port = std::stoi(std::string(digits));
  } else {
    query.name = what;
  }
  return query;
}

// Prints what the database has for one query; false when it has nothing.
bool answer(const Query& query, const ServicesTable& table,
            const socklab::port_table::PortRange& ephemeral, const Output& out) {
  const std::vector<std::string> protocols =
      query.protocol.empty() ? protocols_of(table) : std::vector<std::string>{query.protocol};
  bool found = false;
  for (const std::string& protocol : protocols) {
    const ServiceEntry* entry = query.port
                                    ? socklab::port_table::find_by_port(table, *query.port, protocol)
                                    : socklab::port_table::find_by_name(table, query.name, protocol);
    if (entry != nullptr) {
      // Pad before colouring: escape codes have no width on screen, but fmt counts them.
      fmt::print("  {:<16} {} line {:<5} {}\n", found ? "" : query.text,
                 out.good(fmt::format("{:<36}", entry_text(*entry))), entry->line,
                 port_class(entry->port, ephemeral));
      found = true;
    }
  }
  if (!found) {
    std::string text = out.bad("not found");
    if (query.port) {
      text += "  (" + port_class(*query.port, ephemeral) + ")";
    }
    fmt::print("  {:<16} {}\n", query.text, text);
  }
  return found;
}

// Where the ephemeral range came from, for people.
std::string range_source(const std::string& path) {
  std::ifstream in(path);
  const std::string content{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in && socklab::port_table::parse_port_range(content)) {
    return "read from " + path;
  }
  return "not a range in " + path + ": the fallback";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "port-table: the article's table of applications and ports (section 二.2), checked\n"
      "against this machine's services database, and look-ups in that database.\n"
      "Each QUERY is a service name (ssh), a port (53), or either with a protocol\n"
      "(ssh/udp, 443/tcp). Exit status: 0 all found, 1 something not found, 2 bad input."};
  std::string file = socklab::port_table::services_path;
  std::string range_file = socklab::port_table::ip_local_port_range_path;
  std::vector<std::string> queries;
  app.add_option("--file", file, "The services database to read")->capture_default_str();
  app.add_option("--range-file", range_file, "Where to read the ephemeral port range")
      ->capture_default_str();
  app.add_option("query", queries, "What to look up: NAME, NAME/PROTOCOL, PORT or PORT/PROTOCOL");
  if (const auto status = socklab::parse_command_line(app, argc, argv)) {
    return *status;
  }

  const Output out(socklab::colour_enabled(STDOUT_FILENO));
  try {
    std::vector<Query> parsed;
    parsed.reserve(queries.size());
    for (const std::string& text : queries) {
      parsed.push_back(parse_query(text));
    }

    ServicesTable table;
    try {
      table = socklab::port_table::load_services(file);
    } catch (const std::system_error& error) {
      fmt::print(stderr, "port-table: cannot read the services database {}: {}\n", file,
                 error.what());
      return 2;
    }
    const auto ephemeral = socklab::port_table::ephemeral_range(range_file);

    fmt::print("Services database: {} ({} {}; {} malformed {} skipped)\n", file,
               table.entries.size(), table.entries.size() == 1 ? "entry" : "entries",
               table.malformed_lines.size(), table.malformed_lines.size() == 1 ? "line" : "lines");
    fmt::print("Ephemeral ports: {}-{} ({})\n\n", ephemeral.low, ephemeral.high,
               range_source(range_file));

    if (parsed.empty()) {
      print_article_table(table, ephemeral, out);
      return 0;
    }
    bool all_found = true;
    for (const Query& query : parsed) {
      all_found = answer(query, table, ephemeral, out) && all_found;
    }
    return all_found ? 0 : 1;
  } catch (const std::invalid_argument& error) {
    fmt::print(stderr, "port-table: {}\n", error.what());
    return 2;
  } catch (const std::exception& error) {
    // The lab's code may throw anything; a program for people still says what.
    fmt::print(stderr, "port-table: {}\n", error.what());
    return 2;
  }
}
