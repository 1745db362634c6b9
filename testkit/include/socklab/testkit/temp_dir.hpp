#pragma once
/// \file
/// A temporary folder for a test, removed with everything in it at the end
/// of its scope: also when a REQUIRE fails, or a test throws.

#include <filesystem>
#include <string_view>

namespace socklab::testkit {

/// A fresh, empty folder under the system's temporary folder (`TMPDIR`, else
/// /tmp), made by mkdtemp(3), so two tests running at once never share one.
class TempDir {
 public:
  /// Makes the folder, named \p prefix followed by six random characters.
  /// \throws std::system_error naming mkdtemp when it cannot.
  explicit TempDir(std::string_view prefix = "socklab-tmp-");
  /// Removes the folder and everything in it; never throws.
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  /// Where the folder is (an absolute path).
  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace socklab::testkit
