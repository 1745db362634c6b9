#pragma once
// Small text helpers the command's parts share.

#include <string>
#include <vector>

namespace socklab::cli {

/// \p text with every \p from replaced by \p to.
std::string replace_all(std::string text, const std::string& from, const std::string& to);

/// \p text split at newlines (without them).
std::vector<std::string> lines_of(const std::string& text);

}  // namespace socklab::cli
