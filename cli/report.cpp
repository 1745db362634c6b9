#include "report.hpp"

#include <fmt/color.h>
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "text.hpp"

namespace socklab::cli {
namespace {

std::string paint(const std::string& text, fmt::text_style style, bool colour) {
  return colour ? fmt::format(style, "{}", text) : text;
}

std::string indent(const std::string& text, const std::string& by) {
  std::string out;
  for (const auto& line : lines_of(text)) {
    out += by + line + "\n";
  }
  return out;
}

std::string full_name(const ChapterGrade& chapter, const TestResult& result) {
  return chapter.slug + ": " + result.test.shown_name();
}

// One chapter: its points, then each test, or the compiler's first error.
// Failures' messages: every one, or only the first (the one to work on).
std::string chapter_table(const ChapterGrade& chapter, bool colour, bool every_message) {
  std::string out = fmt::format("{}  {}  {}/{} points\n", paint(chapter.slug, fmt::emphasis::bold, colour),
                                chapter.title, chapter.earned(), chapter.possible());
  if (!chapter.built) {
    out += paint("  does not compile:\n", fmt::fg(fmt::terminal_color::red), colour);
    return out + indent(chapter.build_error, "    ");
  }
  bool message_shown = false;
  for (const auto& result : chapter.results) {
    const bool passed = result.outcome == Outcome::passed;
    const std::string mark = passed ? paint("pass", fmt::fg(fmt::terminal_color::green), colour)
                                    : paint("FAIL", fmt::fg(fmt::terminal_color::red), colour);
    out += fmt::format("  {}  {}/{}  {}\n", mark, result.earned(), result.test.points, result.test.shown_name());
    if (!passed && (every_message || !message_shown)) {
      out += indent(result.message, "          ");
      message_shown = true;
    }
  }
  return out;
}

}  // namespace

std::string table_report(const Grade& grade, bool colour) {
  std::string out;
  for (const auto& chapter : grade.chapters) {
    out += chapter_table(chapter, colour, true);
  }
  out += fmt::format("Total: {}/{} points\n", grade.earned(), grade.possible());
  for (const auto& note : grade.notes) {
    out += "note: " + note + "\n";
  }
  return out;
}

std::string chapter_report(const ChapterGrade& chapter, bool colour) {
  return chapter_table(chapter, colour, false);
}

std::string gradescope_report(const Grade& grade) {
  using nlohmann::json;
  json tests = json::array();
  for (const auto& chapter : grade.chapters) {
    for (const auto& result : chapter.results) {
      std::string output = result.message;
      if (!chapter.built) {
        output += "\n" + chapter.build_error;
      }
      tests.push_back({{"name", full_name(chapter, result)},
                       {"score", result.earned()},
                       {"max_score", result.test.points},
                       {"status", result.outcome == Outcome::passed ? "passed" : "failed"},
                       {"output", output}});
      if (result.test.hidden) {
        tests.back()["visibility"] = "after_published";  // the instructor's hidden tests
      }
    }
  }
  std::string summary;
  for (const auto& chapter : grade.chapters) {
    summary += fmt::format("{} {}: {}/{}{}\n", chapter.slug, chapter.title, chapter.earned(),
                           chapter.possible(), chapter.built ? "" : " (does not compile)");
  }
  for (const auto& note : grade.notes) {
    summary += note + "\n";
  }
  const json report{{"score", grade.earned()},
                    {"max_score", grade.possible()},
                    {"output", summary},
                    {"tests", tests}};
  // Student output may hold any bytes: invalid UTF-8 becomes U+FFFD.
  return report.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string markdown_cell(const std::string& text, std::size_t limit) {
  std::string out;
  std::size_t shown = 0;
  for (std::size_t i = 0; i < text.size() && shown < limit; ++i, ++shown) {
    const char c = text[i];
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '\n': out += "<br>"; break;
      case '\r': break;
      case '|': case '\\': case '`': case '*': case '_': case '[': case ']': case '~': case '#': case '!':
      case '(': case ')':
        out += '\\';
        out += c;
        break;
      default: out += static_cast<unsigned char>(c) < 0x20 || c == 0x7F ? ' ' : c;
    }
  }
  if (shown < text.size() && shown == limit) {
    out += " […]";
  }
  return out;
}

std::string markdown_report(const Grade& grade) {
  std::string out = fmt::format("## socklab: {}/{} points\n\n", grade.earned(), grade.possible());
  out += "| Chapter | Points | |\n|---|---:|---|\n";
  for (const auto& chapter : grade.chapters) {
    int failing = 0;
    for (const auto& result : chapter.results) {
      failing += result.outcome == Outcome::passed ? 0 : 1;
    }
    const std::string state = !chapter.built  ? "does not compile"
                              : failing == 0 ? "all tests pass"
                                             : fmt::format("{} of {} tests fail", failing, chapter.results.size());
    out += fmt::format("| {} {} | {}/{} | {} |\n", chapter.slug, markdown_cell(chapter.title), chapter.earned(),
                       chapter.possible(), state);
  }
  for (const auto& chapter : grade.chapters) {
    if (!chapter.built) {
      out += fmt::format("\n### {} does not compile\n\n| First error |\n|---|\n| {} |\n", chapter.slug,
                         markdown_cell(chapter.build_error, 1000));
      continue;
    }
    std::string rows;
    for (const auto& result : chapter.results) {
      if (result.outcome != Outcome::passed) {
        rows += fmt::format("| {} | 0/{} | {} | {} |\n", markdown_cell(result.test.shown_name()), result.test.points,
                            to_string(result.outcome), markdown_cell(result.message));
      }
    }
    if (!rows.empty()) {
      out += fmt::format("\n### {}: tests that fail\n\n| Test | Points | Outcome | Why |\n|---|---:|---|---|\n{}",
                         chapter.slug, rows);
    }
  }
  if (!grade.notes.empty()) {
    out += "\n<details><summary>Notes</summary>\n\n";
    for (const auto& note : grade.notes) {
      out += "- " + markdown_cell(note) + "\n";
    }
    out += "\n</details>\n";
  }
  return out;
}

std::string xml_escape(const std::string& text) {
  std::string out;
  // Valid UTF-8 sequences pass through; XML 1.0 forbids most control
  // characters outright, so those (and broken UTF-8) become U+FFFD.
  for (std::size_t i = 0; i < text.size();) {
    const auto byte = static_cast<unsigned char>(text[i]);
    std::size_t length = byte < 0x80 ? 1 : (byte >> 5) == 0x6 ? 2 : (byte >> 4) == 0xE ? 3
                                         : (byte >> 3) == 0x1E ? 4 : 0;
    bool valid = length != 0 && i + length <= text.size();
    for (std::size_t k = 1; valid && k < length; ++k) {
      valid = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
    }
    if (!valid) {
      out += "\xEF\xBF\xBD";
      ++i;
      continue;
    }
    if (length == 1) {
      switch (byte) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&apos;"; break;
        case '\t': case '\n': case '\r': out += static_cast<char>(byte); break;
        default: out += byte < 0x20 || byte == 0x7F ? std::string("\xEF\xBF\xBD") : std::string(1, static_cast<char>(byte));
      }
    } else {
      out.append(text, i, length);
    }
    i += length;
  }
  return out;
}

std::string junit_report(const Grade& grade) {
  int tests = 0;
  int failures = 0;
  int errors = 0;
  double seconds = 0;
  std::string suites;
  for (const auto& chapter : grade.chapters) {
    int suite_failures = 0;
    int suite_errors = 0;
    double suite_seconds = 0;
    std::string cases;
    for (const auto& result : chapter.results) {
      suite_seconds += result.seconds;
      cases += fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3f}\">\n",
                           xml_escape(chapter.slug), xml_escape(result.test.shown_name()), result.seconds);
      cases += fmt::format(
          "      <properties><property name=\"points\" value=\"{}\"/><property name=\"earned\" "
          "value=\"{}\"/></properties>\n",
          result.test.points, result.earned());
      if (result.outcome == Outcome::failed) {
        ++suite_failures;
        cases += fmt::format("      <failure message=\"{}\">{}</failure>\n", xml_escape(result.message),
                             xml_escape(result.output));
      } else if (result.outcome != Outcome::passed) {
        ++suite_errors;
        const std::string detail = chapter.built ? result.output : chapter.build_error;
        cases += fmt::format("      <error message=\"{}\" type=\"{}\">{}</error>\n",
                             xml_escape(result.message), to_string(result.outcome), xml_escape(detail));
      }
      cases += "    </testcase>\n";
    }
    const auto count = static_cast<int>(chapter.results.size());
    suites += fmt::format(
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" time=\"{:.3f}\">\n"
        "    <properties><property name=\"points\" value=\"{}\"/><property name=\"earned\" "
        "value=\"{}\"/></properties>\n{}  </testsuite>\n",
        xml_escape(chapter.slug), count, suite_failures, suite_errors, suite_seconds, chapter.possible(),
        chapter.earned(), cases);
    tests += count;
    failures += suite_failures;
    errors += suite_errors;
    seconds += suite_seconds;
  }
  return fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<testsuites name=\"socklab\" tests=\"{}\" failures=\"{}\" errors=\"{}\" time=\"{:.3f}\">\n{}"
      "</testsuites>\n",
      tests, failures, errors, seconds, suites);
}

}  // namespace socklab::cli
