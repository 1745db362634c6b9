// resolve: names, addresses and services, through lab 03's functions.
//
//   resolve HOST [PORT]        every address, like `getent ahosts HOST`
//   resolve --reverse ADDRESS  the name of a numeric address (getnameinfo)
//   resolve --service NAME|PORT
//   resolve --aton TEXT        how inet_aton and inet_pton read an IPv4 text
//   resolve --interfaces | --hostname
//
// Built twice: from your lab (`./socklab run resolve`) and from the reference
// (`./socklab run --ref resolve`).

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <system_error>

#include <fmt/core.h>

#include "address_text.hpp"
#include "resolver.hpp"
#include "socklab/command_line.hpp"

namespace {

using namespace socklab::resolver;

const char* socktype_name(int socktype) {
  switch (socktype) {
    case SOCK_STREAM: return "STREAM";
    case SOCK_DGRAM: return "DGRAM";
    case SOCK_RAW: return "RAW";
    default: return "?";
  }
}

void print_addresses(const std::string& host, const std::string& port, int family) {
  const auto results = get_address_info(host, port, {.family = family, .flags = AI_CANONNAME});
  for (std::size_t i = 0; i < results.size(); ++i) {
    const auto& result = results[i];
    fmt::print("{:<15} {:<6}{}{}\n", result.address, socktype_name(result.socktype),
               port.empty() ? "" : fmt::format(" port {}", result.port),
               i == 0 && !result.canonical_name.empty() ? " " + result.canonical_name : "");
  }
}

void print_service(const std::string& service) {
  const bool numeric = !service.empty() && service.find_first_not_of("0123456789") == std::string::npos;
  if (numeric) {
    const unsigned long port = std::stoul(service);
    if (port > 65535) {
      throw std::out_of_range("a port is a number from 0 to 65535");
    }
    for (const int flags : {0, NI_DGRAM}) {
      const auto names = get_name_info("127.0.0.1", static_cast<std::uint16_t>(port), NI_NUMERICHOST | flags);
      fmt::print("{}/{} is {}\n", port, flags == 0 ? "tcp" : "udp", names.service);
    }
    return;
  }
  for (const int socktype : {SOCK_STREAM, SOCK_DGRAM}) {
    try {
      const auto results = get_address_info("", service, {.family = AF_INET, .socktype = socktype});
      fmt::print("{}/{} is port {}\n", service, socktype == SOCK_STREAM ? "tcp" : "udp", results.at(0).port);
    } catch (const std::system_error& error) {
      fmt::print("{}/{}: {}\n", service, socktype == SOCK_STREAM ? "tcp" : "udp", error.code().message());
    }
  }
}

void print_aton(const std::string& text) {
  const auto lenient = inet_aton(text);
  fmt::print("inet_aton: {}\n", lenient ? inet_ntoa(*lenient) : "rejected");
  fmt::print("inet_pton: {}\n", inet_pton(AF_INET, text) ? "accepted" : "rejected (it takes only a.b.c.d in decimal)");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"resolve: names, addresses and services, through the resolver calls of chapter 03"};
  std::string host;
  std::string port;
  std::optional<std::string> reverse;
  std::optional<std::string> service;
  std::optional<std::string> aton;
  bool list_interfaces = false;
  bool show_hostname = false;
  int family_number = 0;
  app.add_option("host", host, "A host name or numeric address to look up");
  app.add_option("port", port, "A port number or service name to look up with it");
  app.add_option("-f,--family", family_number, "4 or 6: only IPv4 or only IPv6 answers")->check(CLI::IsMember({0, 4, 6}));
  app.add_option("--reverse", reverse, "Name a numeric address (getnameinfo)");
  app.add_option("--service", service, "A service name (the port) or a port number (the name)");
  app.add_option("--aton", aton, "Show how inet_aton and inet_pton read an IPv4 text");
  app.add_flag("--interfaces", list_interfaces, "List the network interfaces (if_nameindex)");
  app.add_flag("--hostname", show_hostname, "This machine's name and its canonical name");
  if (const auto status = socklab::parse_command_line(app, argc, argv)) {
    return *status;
  }

  try {
    if (list_interfaces) {
      for (const auto& interface : interfaces()) {
        fmt::print("{:>3}  {}\n", interface.index, interface.name);
      }
    } else if (show_hostname) {
      const std::string name = host_name();
      fmt::print("host name: {}\ncanonical: {}\nIPv6 sockets: {}\n", name, fully_qualified_name(name),
                 has_ipv6() ? "yes" : "no");
    } else if (reverse) {
      const auto names = get_name_info(*reverse, 0, 0);
      fmt::print("{} is {}\n", *reverse, names.host);
    } else if (service) {
      print_service(*service);
    } else if (aton) {
      print_aton(*aton);
    } else if (!host.empty()) {
      print_addresses(host, port, family_number == 4 ? AF_INET : family_number == 6 ? AF_INET6 : AF_UNSPEC);
    } else {
      fmt::print(stderr, "resolve: name a host, or use an option (see --help)\n");
      return 2;
    }
  } catch (const std::exception& error) {
    fmt::print(stderr, "resolve: {}\n", error.what());
    return 1;
  }
  return 0;
}
