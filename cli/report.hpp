#pragma once
// The forms a grade is reported in.

#include <string>

#include "grading.hpp"

namespace socklab::cli {

/// For people, on a terminal: each chapter, each test, why it failed.
/// Colour only when \p colour (see socklab::colour_enabled).
std::string table_report(const Grade& grade, bool colour);

/// One chapter, as table_report shows it, but with only the first failing
/// test's message: the one to work on (for `socklab watch`).
std::string chapter_report(const ChapterGrade& chapter, bool colour);

/// Gradescope's results.json: top-level `score`, `max_score`, `output` and
/// `tests`, each test with `name`, `score`, `max_score`, `status`, `output`.
std::string gradescope_report(const Grade& grade);

/// JUnit XML, as CI systems read it: a testsuite per chapter, a testcase per
/// test; a failed assertion is a <failure>, a crash, time-out or build
/// failure an <error>.
std::string junit_report(const Grade& grade);

/// GitHub-flavoured Markdown, for a CI job's summary ($GITHUB_STEP_SUMMARY):
/// the total, a table of chapters, and each chapter's failing tests with why.
std::string markdown_report(const Grade& grade);

/// \p text as the content of one Markdown table cell: on one line, at most
/// \p limit characters, with markup, HTML and table syntax made literal, so
/// that what a test printed cannot change the page (no links, no HTML).
std::string markdown_cell(const std::string& text, std::size_t limit = 300);

/// \p text made safe for XML 1.0 character data and attribute values:
/// markup escaped, characters XML cannot hold replaced by U+FFFD.
std::string xml_escape(const std::string& text);

}  // namespace socklab::cli
