// socket-types: which of the article's socket kinds this machine lets you create.
//
// Built twice: from your lab (`./socklab run socket-types`) and from the
// reference (`./socklab run --ref socket-types`).  Prints one row per kind:
// the socket(2) call, and "created" or the errno it failed with and why.

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include <fmt/color.h>
#include <fmt/core.h>

#include "socket_types.hpp"
#include "socklab/command_line.hpp"
#include "socklab/terminal.hpp"

namespace {

using socklab::socket_types::SocketKind;

std::string protocol_text(int protocol) {
  switch (protocol) {
    case 0: return "0";
    case IPPROTO_TCP: return "IPPROTO_TCP";
    case IPPROTO_UDP: return "IPPROTO_UDP";
    case IPPROTO_ICMP: return "IPPROTO_ICMP";
    default: return std::to_string(protocol);
  }
}

// Why the kernel says no, in the words of this chapter.
std::string why(int error) {
  switch (error) {
    case EPERM: return "needs the CAP_NET_RAW capability (root)";
    case EACCES: return "not allowed for this user";
    case ESOCKTNOSUPPORT: return "this family has no such socket type";
    case EPROTONOSUPPORT: return "no such protocol for this family and type";
    case EAFNOSUPPORT: return "no such address family in this kernel";
    case EINVAL: return "the kernel rejects these arguments";
    default: return "";
  }
}

void print_rows(const std::vector<SocketKind>& kinds, bool colour) {
  for (const SocketKind& kind : kinds) {
    const auto result = socklab::socket_types::probe(kind);
    const std::string call = fmt::format(
        "socket({}, {}, {})", socklab::socket_types::family_name(kind.family),
        socklab::socket_types::type_name(kind.type), protocol_text(kind.protocol));
    std::string outcome;
    fmt::text_style style;
    if (result.error == 0) {
      outcome = "created";
      style = fmt::fg(fmt::terminal_color::green);
    } else {
      const char* name = ::strerrorname_np(result.error);
      outcome = fmt::format("{} ({})", name != nullptr ? name : "?", std::strerror(result.error));
      if (const std::string reason = why(result.error); !reason.empty()) {
        outcome += ": " + reason;
      }
      style = fmt::fg(fmt::terminal_color::red);
    }
    fmt::print("  {:<32} {:<44} {}\n", kind.label, call,
               colour ? fmt::format(style, "{}", outcome) : outcome);
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "socket-types: tries each socket kind that section 二.1 of the article lists, and a few\n"
      "related ones, and tells which this machine lets you create and why not."};
  bool only_article = false;
  app.add_flag("--article-only", only_article, "Show only the article's six kinds");
  if (const auto status = socklab::parse_command_line(app, argc, argv)) {
    return *status;
  }

  try {
    const bool colour = socklab::colour_enabled(STDOUT_FILENO);
    fmt::print("The article's kinds (section 二.1):\n");
    print_rows({socklab::socket_types::article_kinds.begin(),
                socklab::socket_types::article_kinds.end()},
               colour);
    if (!only_article) {
      fmt::print("\nRelated kinds the chapter discusses:\n");
      print_rows({{"reliable packets, local", AF_UNIX, SOCK_SEQPACKET, 0},
                  {"raw without a protocol", AF_INET, SOCK_RAW, 0},
                  {"IPv6 datagram", AF_INET6, SOCK_DGRAM, 0},
                  {"unprivileged ping", AF_INET, SOCK_DGRAM, IPPROTO_ICMP}},
                 colour);
    }
  } catch (const std::exception& error) {
    // The lab's code may throw anything; a program for people still says what.
    fmt::print(stderr, "socket-types: {}\n", error.what());
    return 1;
  }
  return 0;
}
