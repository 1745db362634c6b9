#include "socklab/testkit/temp_dir.hpp"

#include <cstdlib>
#include <string>
#include <system_error>

#include "socklab/system_error.hpp"

namespace socklab::testkit {

TempDir::TempDir(std::string_view prefix) {
  std::string pattern = (std::filesystem::temp_directory_path() / prefix).string() + "XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw_errno("mkdtemp");
  }
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;  // a destructor must not throw; what is left stays in /tmp
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace socklab::testkit
