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

/// A bar of \p done out of \p total: '#' for what is done, '.' for the rest,
/// 24 characters wide.  A \p total of 0, or \p done past it, is all done.
std::string progress_bar(std::size_t done, std::size_t total);

/// \p text split at newlines (without them).
std::vector<std::string> lines_of(const std::string& text);

}  // namespace socklab::cli
