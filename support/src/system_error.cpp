#include "socklab/system_error.hpp"

#include <cerrno>

namespace socklab {

void throw_errno(const std::string& call) {
  // Read errno first: building the message may allocate, and allocation may set errno.
  const int error = errno;
  throw std::system_error(error, std::system_category(), call);
}

}  // namespace socklab
