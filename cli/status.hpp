#pragma once
// `socklab status`: where a student stands and what to do next.

#include <filesystem>
#include <string>

#include "grading.hpp"

namespace socklab::cli {

/// Every chapter with its points and a bar, the total, then the next thing to
/// do: the first failing test of the first unfinished task, and its hint.
/// Task names come from the chapters' hints files under \p source_dir.
std::string status_report(const Grade& grade, const std::filesystem::path& source_dir, bool colour);

}  // namespace socklab::cli
