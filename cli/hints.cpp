#include "hints.hpp"

#include <fstream>
#include <regex>
#include <stdexcept>

namespace socklab::cli {

std::vector<Hint> load_hints(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) {
    throw std::runtime_error("cannot read the hints in " + file.string());
  }
  const std::regex heading(R"(^## Hint (\d+): (.*)$)");
  std::vector<Hint> hints;
  for (std::string line; std::getline(in, line);) {
    std::smatch match;
    if (std::regex_match(line, match, heading)) {
      hints.push_back(Hint{std::stoi(match[1]), match[2], ""});
    } else if (!hints.empty()) {
      hints.back().body += line + "\n";
    }
  }
  for (auto& hint : hints) {
    while (!hint.body.empty() && (hint.body.back() == '\n' || hint.body.back() == ' ')) {
      hint.body.pop_back();
    }
  }
  return hints;
}

}  // namespace socklab::cli
