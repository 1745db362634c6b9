#include "socklab/file_descriptor.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include "socklab/system_error.hpp"

namespace socklab {

FileDescriptor::~FileDescriptor() {
  // close(2) is not retried on EINTR: on Linux the descriptor is already
  // released by then, and a retry could close one another thread just opened.
  if (fd_ >= 0 && ::close(fd_) == -1) {
    (void)std::fprintf(stderr, "socklab: close(%d): %s\n", fd_, std::strerror(errno));
  }
}

FileDescriptor::FileDescriptor(FileDescriptor&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)) {}

FileDescriptor& FileDescriptor::operator=(FileDescriptor&& other) noexcept {
  if (this != &other) {
    FileDescriptor old(std::exchange(fd_, std::exchange(other.fd_, -1)));
  }
  return *this;
}

int FileDescriptor::release() noexcept { return std::exchange(fd_, -1); }

void FileDescriptor::close() {
  const int fd = std::exchange(fd_, -1);
  if (fd >= 0) {
    check("close", ::close(fd));
  }
}

FileDescriptor FileDescriptor::duplicate() const {
  return FileDescriptor(check("fcntl", ::fcntl(fd_, F_DUPFD_CLOEXEC, 0)));
}

}  // namespace socklab
