#include "archive.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <memory>
#include <stdexcept>

#include "socklab/file_descriptor.hpp"
#include "socklab/system_error.hpp"

namespace socklab::cli {
namespace {

namespace fs = std::filesystem;

struct ReadDeleter {
  void operator()(archive* a) const { archive_read_free(a); }
};
struct WriteDeleter {
  void operator()(archive* a) const { archive_write_free(a); }
};
struct EntryDeleter {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};

bool ends_with(const std::string& text, const std::string& end) {
  return text.size() >= end.size() && text.compare(text.size() - end.size(), end.size(), end) == 0;
}

const char* const kExtensions[] = {".tar.gz", ".tgz", ".zip", ".tar"};

// The entry's path as a safe relative path, or "" for the archive's root.
// \throws std::runtime_error for a path that would leave the folder.
fs::path safe_relative(const std::string& archive_name, std::string name) {
  for (char& c : name) {
    if (c == '\\') {
      c = '/';  // zip files made on Windows
    }
  }
  if (name.starts_with('/')) {
    throw std::runtime_error("the archive " + archive_name + " holds an entry with an absolute path (" + name +
                             "): refused");
  }
  fs::path relative;
  std::size_t start = 0;
  while (start <= name.size()) {
    const auto end = std::min(name.find('/', start), name.size());
    const std::string part = name.substr(start, end - start);
    start = end + 1;
    if (part.empty() || part == ".") {
      continue;
    }
    if (part == "..") {
      throw std::runtime_error("the archive " + archive_name + " holds an entry outside its folder (" + name +
                               "): refused");
    }
    relative /= part;
  }
  return relative;
}

}  // namespace

bool is_archive(const fs::path& path) {
  const std::string name = path.filename().string();
  for (const char* extension : kExtensions) {
    if (ends_with(name, extension) && name.size() > std::string(extension).size()) {
      return true;
    }
  }
  return false;
}

std::string archive_stem(const fs::path& path) {
  std::string name = path.filename().string();
  for (const char* extension : kExtensions) {
    if (ends_with(name, extension)) {
      return name.substr(0, name.size() - std::string(extension).size());
    }
  }
  return name;
}

std::vector<std::string> extract_archive(const fs::path& archive_path, const fs::path& into,
                                         const ExtractLimits& limits) {
  const std::string shown = archive_path.filename().string();
  std::unique_ptr<archive, ReadDeleter> reader(archive_read_new());
  archive_read_support_format_zip(reader.get());
  archive_read_support_format_tar(reader.get());
  archive_read_support_filter_gzip(reader.get());
  if (archive_read_open_filename(reader.get(), archive_path.c_str(), 64 * 1024) != ARCHIVE_OK) {
    throw std::runtime_error("cannot read the archive " + archive_path.string() + ": " +
                             archive_error_string(reader.get()));
  }
  fs::create_directories(into);
  std::vector<std::string> notes;
  std::size_t total = 0;
  std::size_t entries = 0;
  std::array<char, 64 * 1024> buffer{};
  archive_entry* entry = nullptr;
  for (;;) {
    const int status = archive_read_next_header(reader.get(), &entry);
    if (status == ARCHIVE_EOF) {
      break;
    }
    if (status < ARCHIVE_WARN) {
      throw std::runtime_error("cannot read the archive " + archive_path.string() + ": " +
                               archive_error_string(reader.get()));
    }
    if (++entries > limits.entries) {
      throw std::runtime_error("the archive " + shown + " holds over " + std::to_string(limits.entries) +
                               " entries: refused");
    }
    const char* raw_name = archive_entry_pathname(entry);
    const std::string name = raw_name != nullptr ? raw_name : "";
    const fs::path relative = safe_relative(shown, name);
    if (relative.empty()) {
      continue;
    }
    const auto type = archive_entry_filetype(entry);
    if (archive_entry_hardlink(entry) != nullptr || (type != AE_IFREG && type != AE_IFDIR)) {
      notes.push_back(name + " in the archive is " +
                      (type == AE_IFLNK ? "a symbolic link" : archive_entry_hardlink(entry) != nullptr
                                                                  ? "a hard link"
                                                                  : "not a file") +
                      ": skipped");
      continue;
    }
    const fs::path target = into / relative;
    // Only this function makes things under `into`, and it makes no links,
    // so no path below can lead outside it.
    if (type == AE_IFDIR) {
      fs::create_directories(target);
      continue;
    }
    fs::create_directories(target.parent_path());
    const FileDescriptor out(check("open " + target.string(),
                                   ::open(target.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644)));
    if ((archive_entry_perm(entry) & 0100) != 0) {
      check("fchmod " + target.string(), ::fchmod(out.get(), 0755));  // scripts stay runnable
    }
    std::size_t written = 0;
    for (;;) {
      const la_ssize_t got = archive_read_data(reader.get(), buffer.data(), buffer.size());
      if (got == 0) {
        break;
      }
      if (got < 0) {
        throw std::runtime_error("cannot read " + name + " from the archive " + shown + ": " +
                                 archive_error_string(reader.get()));
      }
      const auto size = static_cast<std::size_t>(got);
      written += size;
      total += size;
      if (written > limits.file_bytes) {
        throw std::runtime_error(name + " in the archive " + shown + " unpacks to over " +
                                 std::to_string(limits.file_bytes / (1024 * 1024)) + " MiB: refused");
      }
      if (total > limits.total_bytes) {
        throw std::runtime_error("the archive " + shown + " unpacks to over " +
                                 std::to_string(limits.total_bytes / (1024 * 1024)) + " MiB: refused");
      }
      for (std::size_t done = 0; done < size;) {
        const ssize_t put = ::write(out.get(), buffer.data() + done, size - done);
        if (put == -1 && errno == EINTR) {
          continue;
        }
        check("write " + target.string(), put);
        done += static_cast<std::size_t>(put);
      }
    }
  }
  return notes;
}

void write_zip(const fs::path& out, const std::vector<ArchiveMember>& members) {
  std::unique_ptr<archive, WriteDeleter> writer(archive_write_new());
  archive_write_set_format_zip(writer.get());
  if (archive_write_open_filename(writer.get(), out.c_str()) != ARCHIVE_OK) {
    throw std::runtime_error("cannot write " + out.string() + ": " + archive_error_string(writer.get()));
  }
  for (const ArchiveMember& member : members) {
    std::unique_ptr<archive_entry, EntryDeleter> entry(archive_entry_new());
    archive_entry_set_pathname(entry.get(), member.name.c_str());
    archive_entry_set_filetype(entry.get(), AE_IFREG);
    archive_entry_set_perm(entry.get(), member.executable ? 0755 : 0644);
    archive_entry_set_size(entry.get(), static_cast<la_int64_t>(member.content.size()));
    archive_entry_set_mtime(entry.get(), ::time(nullptr), 0);
    if (archive_write_header(writer.get(), entry.get()) != ARCHIVE_OK ||
        archive_write_data(writer.get(), member.content.data(), member.content.size()) !=
            static_cast<la_ssize_t>(member.content.size())) {
      throw std::runtime_error("cannot write " + member.name + " into " + out.string() + ": " +
                               archive_error_string(writer.get()));
    }
  }
  if (archive_write_close(writer.get()) != ARCHIVE_OK) {
    throw std::runtime_error("cannot finish " + out.string() + ": " + archive_error_string(writer.get()));
  }
}

}  // namespace socklab::cli
