// The reference's answers to every chapter's differential tests: one program,
// linked with every chapter's reference, run as bin/oracle/oracle-<slug> (a
// link to it per chapter, cmake/SocklabChapter.cmake), which picks the
// chapter's calls by that name.  Seven oracles of one chapter each compiled
// nlohmann::json's templates seven times: 17-19 s of CPU, against 4-6 s here.
//
// A new chapter with differential tests adds its calls.hpp and a line below.

#include <cstdio>
#include <map>
#include <string>
#include <string_view>

#include "01-socket-types/calls.hpp"
#include "02-port-table/calls.hpp"
#include "03-resolver/calls.hpp"
#include "04-server/calls.hpp"
#include "05-client/calls.hpp"
#include "06-common-calls/calls.hpp"
#include "07-chat/calls.hpp"

int main(int argc, char** argv) {
  using CallsOf = const socklab::testkit::CallTable& (*)();
  const std::map<std::string_view, CallsOf> chapters{
      {"01-socket-types", &socklab::socket_types::testing::calls},
      {"02-port-table", &socklab::port_table::testing::calls},
      {"03-resolver", &socklab::resolver::testing::calls},
      {"04-server", &socklab::server::testing::calls},
      {"05-client", &socklab::client::testing::calls},
      {"06-common-calls", &socklab::calls::testing::calls},
      {"07-chat", &socklab::chat::testing::calls},
  };
  std::string_view name = argc > 0 ? argv[0] : "";
  name.remove_prefix(name.rfind('/') == std::string_view::npos ? 0 : name.rfind('/') + 1);
  constexpr std::string_view prefix = "oracle-";
  const auto found = name.starts_with(prefix) ? chapters.find(name.substr(prefix.size())) : chapters.end();
  if (found == chapters.end()) {
    std::fprintf(stderr, "oracle: run me as oracle-<chapter> (a link in bin/oracle), not as '%.*s'\n",
                 static_cast<int>(name.size()), name.data());
    return 2;
  }
  return socklab::testkit::serve_oracle(found->second());
}
