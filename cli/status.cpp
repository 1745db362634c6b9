#include "status.hpp"

#include <fmt/color.h>
#include <fmt/format.h>

#include <map>

#include "hints.hpp"
#include "text.hpp"

namespace socklab::cli {
namespace {

std::string bar(int earned, int possible, bool colour) {
  constexpr int width = 20;
  const int full = possible == 0 ? 0 : earned * width / possible;
  const std::string done = fmt::format("{:\u2588>{}}", "", full);
  const std::string left = fmt::format("{:\u2591>{}}", "", width - full);
  return colour ? fmt::format(fmt::fg(fmt::terminal_color::green), "{}", done) + left : done + left;
}

std::map<int, std::string> task_titles(const std::filesystem::path& hints_file) {
  std::map<int, std::string> titles;
  try {
    for (const Hint& hint : load_hints(hints_file)) {
      titles[hint.number] = hint.title;
    }
  } catch (const std::exception&) {
    // A chapter without hints still has a status; its tasks go by number.
  }
  return titles;
}

std::string next_step(const Grade& grade, const std::filesystem::path& source_dir, bool colour) {
  for (const auto& chapter : grade.chapters) {
    if (!chapter.built) {
      return fmt::format("Next: chapter {} does not compile; fix the first error:\n{}\n",
                         chapter.slug, fmt::format("    {}", replace_all(chapter.build_error, "\n", "\n    ")));
    }
    for (const auto& result : chapter.results) {
      if (result.outcome == Outcome::passed) {
        continue;
      }
      const auto titles = task_titles(source_dir / "chapters" / chapter.slug / "hints.md");
      const auto title = titles.find(result.test.task);
      std::string text = fmt::format(
          "Next: {}, task {}{}\n  {} {}\n", chapter.slug, result.test.task,
          title == titles.end() ? "" : " (" + title->second + ")",
          colour ? fmt::format(fmt::fg(fmt::terminal_color::red), "FAIL") : "FAIL", result.test.name);
      text += fmt::format("       {}\n", replace_all(result.message, "\n", "\n       "));
      text += fmt::format("  Stuck?       ./socklab hint {} {}\n", chapter.slug, result.test.task);
      text += fmt::format("  All tests:   ./socklab grade {}\n", chapter.slug);
      return text;
    }
  }
  return "Every test of every chapter passes. Well done.\n";
}

}  // namespace

std::string status_report(const Grade& grade, const std::filesystem::path& source_dir, bool colour) {
  std::string out = "socklab: your progress\n\n";
  for (const auto& chapter : grade.chapters) {
    const std::string points = chapter.built ? fmt::format("{:>3}/{:<3}", chapter.earned(), chapter.possible())
                                             : std::string("does not compile");
    out += fmt::format("  {:<20} {:<24} {} {}\n", chapter.slug, chapter.title,
                       bar(chapter.earned(), chapter.possible(), colour), points);
  }
  out += fmt::format("  {:<45} {} {:>3}/{:<3}\n\n", "Total", bar(grade.earned(), grade.possible(), colour),
                     grade.earned(), grade.possible());
  return out + next_step(grade, source_dir, colour);
}

}  // namespace socklab::cli
