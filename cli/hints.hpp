#pragma once
// A chapter's hints: chapters/<slug>/hints.md, one "## Hint N: title" section per task.

#include <filesystem>
#include <string>
#include <vector>

namespace socklab::cli {

struct Hint {
  int number = 0;     ///< the task it helps with
  std::string title;  ///< also the task's name in `socklab status`
  std::string body;   ///< Markdown text
};

/// The hints in \p file, in order.  \throws std::runtime_error if unreadable.
std::vector<Hint> load_hints(const std::filesystem::path& file);

}  // namespace socklab::cli
