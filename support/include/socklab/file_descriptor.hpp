#pragma once
/// \file
/// The one type in socklab's support code that owns a file descriptor.

namespace socklab {

/// Owns one open file descriptor and closes it exactly once.
///
/// Move-only: a moved-from FileDescriptor owns nothing (get() is -1).  Sharing a
/// descriptor takes an explicit duplicate().  The destructor never throws: a
/// failing close(2) there is reported on standard error, since by then there is
/// nobody left to tell.  Call close() to see the error as an exception instead.
///
/// Chapter 01's lab has the student write the same idea as `Socket`; the later
/// chapters build on this given type, so a slip in lab 01 costs no points there.
class FileDescriptor {
 public:
  /// Owns nothing.
  FileDescriptor() noexcept = default;
  /// Takes ownership of \p fd (which must be open, or -1 for none).
  /// \param fd  an open descriptor, which this object will close; or -1 to own nothing.
  explicit FileDescriptor(int fd) noexcept : fd_(fd) {}
  ~FileDescriptor();

  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  /// Takes \p other's descriptor, leaving \p other empty.
  /// \param other  the owner to take from; it owns nothing afterwards.
  FileDescriptor(FileDescriptor&& other) noexcept;
  /// Closes the descriptor owned so far, then takes \p other's.
  /// Assigning an object to itself does nothing.
  /// \param other  the owner to take from; it owns nothing afterwards.
  /// \return `*this`.
  FileDescriptor& operator=(FileDescriptor&& other) noexcept;

  /// The descriptor, or -1 when none is owned.
  /// \return the descriptor (still owned by this object), or -1.
  [[nodiscard]] int get() const noexcept { return fd_; }
  /// Whether a descriptor is owned.
  /// \return `get() >= 0`.
  explicit operator bool() const noexcept { return fd_ >= 0; }

  /// Gives up ownership without closing and returns the descriptor.
  /// \return the descriptor, now the caller's to close; -1 if none was owned.
  [[nodiscard]] int release() noexcept;
  /// Closes now; owns nothing afterwards, even when close(2) fails.
  /// \throws std::system_error naming "close".
  void close();
  /// A new descriptor for the same open file, as dup(2) makes, but with
  /// close-on-exec set (`fcntl(F_DUPFD_CLOEXEC)`).
  /// \return a new owner of the new descriptor, the lowest number free.
  /// \throws std::system_error naming "fcntl".
  [[nodiscard]] FileDescriptor duplicate() const;

 private:
  int fd_ = -1;
};

}  // namespace socklab
