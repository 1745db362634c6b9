#pragma once
// Small text helpers the command's parts share.

#include <filesystem>
#include <string>
#include <vector>

namespace socklab::cli {

/// \p text with every \p from replaced by \p to.
std::string replace_all(std::string text, const std::string& from, const std::string& to);

/// The whole content of the file at \p path, as bytes.
/// \throws std::runtime_error when it cannot be opened.
std::string read_file(const std::filesystem::path& path);

/// \p text split at newlines (without them).
std::vector<std::string> lines_of(const std::string& text);

}  // namespace socklab::cli
