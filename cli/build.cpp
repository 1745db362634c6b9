#include "build.hpp"

#include <fcntl.h>
#include <sys/file.h>

#include <sstream>

#include "process.hpp"
#include "socklab/file_descriptor.hpp"
#include "socklab/system_error.hpp"

namespace socklab::cli {

BuildOutcome build_targets(const std::filesystem::path& build_dir,
                           const std::vector<std::string>& targets) {
  const auto lock_path = build_dir / ".socklab-build.lock";
  const FileDescriptor lock(
      check("open " + lock_path.string(),
            ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644)));
  check("flock", ::flock(lock.get(), LOCK_EX));  // released when `lock` closes

  std::vector<std::string> argv{"cmake", "--build", build_dir.string(), "--target"};
  argv.insert(argv.end(), targets.begin(), targets.end());
  const RunResult built = run(argv, {.time_limit = std::chrono::minutes(30),
                                     .output_limit = 256 * 1024});
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
