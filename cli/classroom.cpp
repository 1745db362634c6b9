#include "classroom.hpp"

#include <algorithm>
#include <atomic>
#include <fstream>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "archive.hpp"
#include "build.hpp"
#include "report.hpp"

namespace socklab::cli {
namespace {

// Notes for a student's row: what went wrong beyond failed checks.
std::string row_notes(const StudentGrade& student) {
  if (!student.grade) {
    return "not graded: " + student.error;
  }
  std::vector<std::string> notes;
  std::map<Outcome, int> counts;
  for (const ChapterGrade& chapter : student.grade->chapters) {
    if (!chapter.built) {
      notes.push_back(chapter.slug + " does not compile");
      continue;
    }
    for (const TestResult& result : chapter.results) {
      ++counts[result.outcome];
    }
  }
  for (const Outcome outcome : {Outcome::timed_out, Outcome::crashed, Outcome::exited_early, Outcome::over_limit}) {
    if (const int n = counts[outcome]; n > 0) {
      notes.push_back(std::to_string(n) + (n == 1 ? " test " : " tests ") + to_string(outcome));
    }
  }
  std::string text;
  for (const auto& note : notes) {
    text += (text.empty() ? "" : "; ") + note;
  }
  return text;
}

}  // namespace

std::vector<ClassSubmission> find_submissions(const fs::path& folder) {
  if (!fs::is_directory(folder)) {
    throw std::runtime_error("the class folder " + folder.string() + " is not a folder");
  }
  std::vector<ClassSubmission> found;
  for (const auto& entry : fs::directory_iterator(folder)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with('.')) {
      continue;
    }
    if (entry.is_directory()) {
      found.push_back({name, entry.path()});
    } else if (entry.is_regular_file() && is_archive(entry.path())) {
      found.push_back({archive_stem(entry.path()), entry.path()});
    }
  }
  std::sort(found.begin(), found.end(),
            [](const ClassSubmission& a, const ClassSubmission& b) { return a.name < b.name; });
  for (std::size_t i = 1; i < found.size(); ++i) {
    if (found[i].name == found[i - 1].name) {
      throw std::runtime_error("two submissions are named " + found[i].name + ": " + found[i - 1].path.string() +
                               " and " + found[i].path.string() + "; rename one");
    }
  }
  return found;
}

std::string format_report(const Grade& grade, const std::string& format) {
  if (format == "gradescope") {
    return gradescope_report(grade);
  }
  if (format == "junit") {
    return junit_report(grade);
  }
  if (format == "markdown") {
    return markdown_report(grade);
  }
  return table_report(grade, false);
}

std::string report_extension(const std::string& format) {
  if (format == "gradescope") {
    return ".json";
  }
  if (format == "junit") {
    return ".xml";
  }
  return format == "markdown" ? ".md" : ".txt";
}

std::vector<StudentGrade> grade_class(const Manifest& project, const std::vector<Chapter>& chapters,
                                      const std::vector<ClassSubmission>& submissions, const GradeOptions& grading,
                                      const ClassOptions& options) {
  build_project(project, chapters);
  fs::create_directories(options.reports);
  GradeOptions each = grading;
  each.build_project = false;  // built once, above

  std::vector<StudentGrade> students(submissions.size());
  std::atomic<std::size_t> next{0};
  std::mutex progress_lock;
  std::size_t done = 0;
  auto worker = [&] {
    for (std::size_t i = next++; i < submissions.size(); i = next++) {
      const ClassSubmission& submission = submissions[i];
      StudentGrade& student = students[i];
      student.name = submission.name;
      student.report = options.reports / (submission.name + report_extension(options.format));
      try {
        const PreparedSubmission prepared =
            prepare_submission(project, submission.path, options.work_root / submission.name, options.submission);
        Grade grade = socklab::cli::grade(project, load_manifest(prepared.build_dir), chapters, each);
        grade.notes = prepared.notes;
        std::ofstream(student.report) << format_report(grade, options.format);
        student.grade = std::move(grade);
      } catch (const std::exception& error) {
        student.error = error.what();
        std::ofstream(student.report) << "socklab: " << submission.name << " could not be graded:\n"
                                      << student.error << "\n";
      }
      const std::lock_guard lock(progress_lock);
      ++done;
      if (options.progress) {
        options.progress(done, submissions.size(), student);
      }
    }
  };
  std::vector<std::jthread> workers;
  for (unsigned j = 1; j < std::max(1U, options.parallel); ++j) {
    workers.emplace_back(worker);
  }
  worker();
  workers.clear();  // joins
  return students;
}

std::string csv_field(const std::string& text) {
  std::string field = text;
  if (!field.empty() && std::string("=+-@").find(field.front()) != std::string::npos) {
    field.insert(0, "'");
  }
  if (field.find_first_of(",\"\r\n") == std::string::npos) {
    return field;
  }
  std::string quoted = "\"";
  for (const char c : field) {
    quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  }
  return quoted + "\"";
}

std::string class_csv(const std::vector<Chapter>& chapters, const std::vector<int>& possible,
                      const std::vector<StudentGrade>& students) {
  std::string csv = "student";
  int all = 0;
  for (std::size_t i = 0; i < chapters.size(); ++i) {
    csv += "," + csv_field(chapters[i].slug + " (" + std::to_string(possible.at(i)) + ")");
    all += possible.at(i);
  }
  csv += ",total,possible,notes\r\n";
  for (const StudentGrade& student : students) {
    csv += csv_field(student.name);
    for (std::size_t i = 0; i < chapters.size(); ++i) {
      csv += "," + std::to_string(student.grade ? student.grade->chapters.at(i).earned() : 0);
    }
    csv += "," + std::to_string(student.grade ? student.grade->earned() : 0) + "," + std::to_string(all) + "," +
           csv_field(row_notes(student)) + "\r\n";
  }
  return csv;
}

}  // namespace socklab::cli
