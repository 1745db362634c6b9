#pragma once
// Grading a whole class: every submission in a folder, several at once.

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "grading.hpp"
#include "manifest.hpp"
#include "submission.hpp"

namespace socklab::cli {

/// One student's submission in a class folder.
struct ClassSubmission {
  std::string name;             ///< the folder's name, or the archive's without its extension
  std::filesystem::path path;   ///< the folder or archive
};

/// The submissions in \p folder: each folder in it (not a dot folder) and each
/// archive (see is_archive), sorted by name.  Other files are ignored.
/// \throws std::runtime_error when two have the same name ("ana/" and "ana.zip").
std::vector<ClassSubmission> find_submissions(const std::filesystem::path& folder);

/// What grading one student gave.
struct StudentGrade {
  std::string name;
  std::optional<Grade> grade;  ///< empty when the submission could not be graded
  std::string error;           ///< why not, when it could not
  std::filesystem::path report;  ///< the report file written for the student
};

/// How a class is graded.
struct ClassOptions {
  unsigned parallel = 2;               ///< submissions graded at once
  std::filesystem::path work_root;     ///< each submission is built in work_root/<name>
  std::filesystem::path reports;       ///< each student's report goes here
  std::string format = "table";        ///< the reports' format (see write_report)
  SubmissionOptions submission{};
  /// Called as each submission is done (from one thread at a time): how many
  /// are done, of how many, and the one just done.
  std::function<void(std::size_t, std::size_t, const StudentGrade&)> progress{};
};

/// Grades every submission of \p submissions, \p options.parallel at a time,
/// each with its tests one at a time under \p grading's limits, and writes
/// each student's report.  The project build is built once, first; a
/// submission that cannot be graded (a refused archive, a build that cannot
/// be configured) gets an error, and the others are graded still.
/// \throws std::runtime_error when the project's own code does not build.
std::vector<StudentGrade> grade_class(const Manifest& project, const std::vector<Chapter>& chapters,
                                      const std::vector<ClassSubmission>& submissions, const GradeOptions& grading,
                                      const ClassOptions& options);

/// The class as CSV: a header (`student`, each chapter with its points,
/// `total`, `possible`, `notes`), then one row per student: points per
/// chapter, total, and notes on chapters that did not compile, tests that
/// timed out or broke a limit, and submissions that could not be graded.
std::string class_csv(const std::vector<Chapter>& chapters, const std::vector<int>& possible,
                      const std::vector<StudentGrade>& students);

/// \p text as one CSV field: quoted when it holds a comma, quote or line
/// break, and with a leading `'` when a spreadsheet would take it for a
/// formula (=, +, -, @).
std::string csv_field(const std::string& text);

/// \p grade in \p format: table (no colour), gradescope, junit or markdown.
std::string format_report(const Grade& grade, const std::string& format);

/// The file extension for reports in \p format (".txt", ".json", ".xml", ".md").
std::string report_extension(const std::string& format);

}  // namespace socklab::cli
