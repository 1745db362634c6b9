#pragma once
// Submissions handed in as archives, and the archives the grader writes
// (a Gradescope bundle): .zip, .tar.gz (.tgz) and .tar, through libarchive.

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace socklab::cli {

/// Whether \p path names an archive the grader reads, by its name.
bool is_archive(const std::filesystem::path& path);

/// \p path's file name without its archive extension ("ana.tar.gz" -> "ana").
std::string archive_stem(const std::filesystem::path& path);

/// How much an archive may unpack to: a zip bomb stops at these.
struct ExtractLimits {
  std::size_t total_bytes = 64 * 1024 * 1024;  ///< all files together
  std::size_t file_bytes = 16 * 1024 * 1024;   ///< one file
  std::size_t entries = 20000;                 ///< files and folders
};

/// Unpacks \p archive into the folder \p into (created; it should be new or
/// empty).  Only regular files and folders are made, never outside \p into:
/// an entry with an absolute path or a ".." in its path refuses the whole
/// archive; symbolic links, hard links and devices are skipped, each with a
/// note in the result.  A file executable by its owner stays executable (0755;
/// other modes become 0644).  The bytes really written are counted, not the sizes
/// the archive claims.
/// \throws std::runtime_error when the archive is unreadable, unsafe or over
/// \p limits; std::system_error when a file cannot be written.
std::vector<std::string> extract_archive(const std::filesystem::path& archive, const std::filesystem::path& into,
                                         const ExtractLimits& limits = {});

/// One file to put in an archive.
struct ArchiveMember {
  std::string name;     ///< path inside the archive, with '/'
  std::string content;  ///< the bytes
  bool executable = false;
};

/// Writes \p members as the zip file \p out.  \throws std::runtime_error.
void write_zip(const std::filesystem::path& out, const std::vector<ArchiveMember>& members);

}  // namespace socklab::cli
