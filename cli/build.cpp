#include "build.hpp"

#include <fcntl.h>
#include <sys/file.h>

#include <algorithm>
#include <charconv>
#include <sstream>

#include "process.hpp"
#include "socklab/file_descriptor.hpp"
#include "socklab/system_error.hpp"

namespace socklab::cli {

std::optional<BuildProgress> ninja_progress(std::string_view line) {
  // "[done/total] ": both numbers, done at most total, and nothing else.
  if (!line.starts_with('[')) {
    return std::nullopt;
  }
  const auto slash = line.find('/');
  const auto close = line.find("] ");
  if (slash == std::string_view::npos || close == std::string_view::npos || slash > close) {
    return std::nullopt;
  }
  const auto number = [](std::string_view digits) -> std::optional<int> {
    int value = 0;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (digits.empty() || error != std::errc() || end != digits.data() + digits.size()) {
      return std::nullopt;
    }
    return value;
  };
  const auto done = number(line.substr(1, slash - 1));
  const auto total = number(line.substr(slash + 1, close - slash - 1));
  if (!done || !total || *total <= 0 || *done < 0 || *done > *total) {
    return std::nullopt;
  }
  return BuildProgress{.done = *done, .total = *total};
}

BuildProgressReader::BuildProgressReader(BuildProgressHandler on_progress) : on_progress_(std::move(on_progress)) {}

void BuildProgressReader::read(std::string_view piece) {
  // Only a line's start says anything: a long line is not kept whole.
  constexpr std::size_t kKept = 64;
  const auto keep = [&](std::string_view text) {
    line_.append(text.substr(0, kKept - std::min(kKept, line_.size())));
  };
  for (auto end = piece.find('\n'); end != std::string_view::npos; end = piece.find('\n')) {
    keep(piece.substr(0, end));
    if (const auto progress = ninja_progress(line_)) {
      last_ = progress;
      on_progress_(*progress);
    }
    line_.clear();
    piece.remove_prefix(end + 1);
  }
  keep(piece);
}

void BuildProgressReader::finish() {
  if (last_ && !last_->finished) {
    last_->finished = true;
    on_progress_(*last_);
  }
}

BuildOutcome build_targets(const std::filesystem::path& build_dir,
                           const std::vector<std::string>& targets,
                           const BuildProgressHandler& on_progress) {
  const auto lock_path = build_dir / ".socklab-build.lock";
  const FileDescriptor lock(
      check("open " + lock_path.string(),
            ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644)));
  check("flock", ::flock(lock.get(), LOCK_EX));  // released when `lock` closes

  std::vector<std::string> argv{"cmake", "--build", build_dir.string(), "--target"};
  argv.insert(argv.end(), targets.begin(), targets.end());
  RunOptions options{.time_limit = std::chrono::minutes(30), .output_limit = 256 * 1024};
  std::optional<BuildProgressReader> progress;
  if (on_progress) {
    progress.emplace(on_progress);
    options.on_output = [&](std::string_view piece) { progress->read(piece); };
  }
  const RunResult built = run(argv, options);
  if (progress) {
    progress->finish();
  }
  BuildOutcome outcome;
  outcome.ok = built.exit_code == 0;
  outcome.output = built.output;
  if (!outcome.ok) {
    outcome.first_error = built.timed_out ? "the build took over 30 minutes" : first_error(built.output);
  }
  return outcome;
}

std::string first_error(const std::string& build_output) {
  std::istringstream in(build_output);
  std::string line;
  std::string tail[4];
  int count = 0;
  while (std::getline(in, line)) {
    if (line.find("error:") != std::string::npos || line.find("undefined reference") != std::string::npos ||
        line.find("Error:") != std::string::npos) {
      std::string next;
      std::getline(in, next);
      return next.empty() ? line : line + "\n" + next;
    }
    tail[count++ % 4] = line;
  }
  std::string text;
  for (int i = count > 4 ? count - 4 : 0; i < count; ++i) {
    text += tail[i % 4] + "\n";
  }
  return text.empty() ? "the build failed without saying why" : text;
}

}  // namespace socklab::cli
