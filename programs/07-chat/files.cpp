// Files in the chat; see files.hpp.

#include "files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <utility>

#include <fmt/core.h>

#include "socklab/system_error.hpp"

namespace socklab::chat {

namespace fs = std::filesystem;

std::string safe_file_name(std::string_view announced) {
  const auto slash = announced.find_last_of("/\\");
  if (slash != std::string_view::npos) {
    announced.remove_prefix(slash + 1);
  }
  // sanitize_text marks what is unsafe with U+FFFD; a file name gets "_".
  // It keeps tab, which is fine in a chat line but is a control character
  // all the same: a file name gets "_" for it too.
  std::string text = sanitize_text(announced);
  std::string name;
  for (std::size_t i = 0; i < text.size();) {
    if (text.compare(i, 3, "\xEF\xBF\xBD") == 0) {
      name += '_';
      i += 3;
    } else if (text[i] == '\t') {
      name += '_';
      ++i;
    } else {
      name += text[i++];
    }
  }
  const auto first = name.find_first_not_of(". \t");
  name = first == std::string::npos ? std::string() : name.substr(first);
  if (name.size() > 100) {
    std::size_t cut = 100;
    while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80) {
      --cut;  // do not cut a character in two
    }
    name.resize(cut);
  }
  // After the cut, which may leave a space at the end.
  while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) {
    name.pop_back();
  }
  return name.empty() ? "file" : name;
}

Downloads::Downloads(fs::path folder) : folder_(std::move(folder)) {
  std::error_code error;
  fs::create_directories(folder_, error);
  if (error) {
    throw std::system_error(error, "mkdir " + folder_.string());
  }
  folder_fd_ = FileDescriptor(check("open " + folder_.string(),
                                    ::open(folder_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)));
}

Downloads::~Downloads() {
  while (!transfers_.empty()) {
    discard(transfers_.begin()->first);
  }
}

void Downloads::discard(std::uint64_t id) {
  const auto found = transfers_.find(id);
  if (found == transfers_.end()) {
    return;
  }
  if (!found->second.temporary_name.empty()) {
    ::unlinkat(folder_fd_.get(), found->second.temporary_name.c_str(), 0);
  }
  transfers_.erase(found);
}

Downloads::Event Downloads::start(const FileHeader& header) {
  if (transfers_.contains(header.id)) {
    discard(header.id);
  }
  Transfer transfer;
  transfer.header = header;
  int fd = ::openat(folder_fd_.get(), ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL || errno == ENOENT)) {
    // No O_TMPFILE here: a hidden name of our own, removed if anything goes wrong.
    transfer.temporary_name = fmt::format(".chat-partial-{}-{}", ::getpid(), ++temporary_names_);
    fd = ::openat(folder_fd_.get(), transfer.temporary_name.c_str(),
                  O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
  }
  if (fd < 0) {
    return {false, fmt::format("! cannot receive \"{}\" from {}: {}", header.name, header.peer,
                               std::generic_category().message(errno))};
  }
  transfer.fd = FileDescriptor(fd);
  transfers_.emplace(header.id, std::move(transfer));
  return {true, fmt::format("* receiving \"{}\" from {} ({} bytes)", header.name, header.peer, header.size)};
}

Downloads::Event Downloads::data(std::uint64_t id, std::string_view base64) {
  const auto found = transfers_.find(id);
  if (found == transfers_.end()) {
    return {};  // refused or aborted earlier: its data is ignored
  }
  Transfer& transfer = found->second;
  const auto bytes = base64_decode(base64);
  std::string problem;
  if (!bytes) {
    problem = "its data is not valid base64";
  } else if (bytes->size() > transfer.header.size - transfer.received) {
    problem = fmt::format("more than the {} bytes announced arrived", transfer.header.size);
  } else {
    std::string_view rest = *bytes;
    while (!rest.empty()) {
      const ssize_t n = ::write(transfer.fd.get(), rest.data(), rest.size());
      if (n < 0 && errno == EINTR) {
        continue;
      }
      if (n < 0) {
        problem = std::generic_category().message(errno);
        break;
      }
      rest.remove_prefix(static_cast<std::size_t>(n));
    }
    transfer.received += bytes->size();
    transfer.hash->update(*bytes);
  }
  if (problem.empty()) {
    return {};
  }
  const std::string message =
      fmt::format("! \"{}\" from {} was thrown away: {}", transfer.header.name, transfer.header.peer, problem);
  discard(id);
  return {false, message};
}

Downloads::Event Downloads::done(std::uint64_t id) {
  const auto found = transfers_.find(id);
  if (found == transfers_.end()) {
    return {};
  }
  Transfer& transfer = found->second;
  const FileHeader header = transfer.header;
  const auto refuse = [&](const std::string& why) {
    discard(id);
    return Event{false, fmt::format("! \"{}\" from {} was thrown away: {}", header.name, header.peer, why)};
  };
  if (transfer.received != header.size) {
    return refuse(fmt::format("{} bytes arrived, {} were announced", transfer.received, header.size));
  }
  if (transfer.hash->hex_digest() != header.sha256) {
    return refuse("its SHA-256 does not match");
  }
  if (::fsync(transfer.fd.get()) < 0) {
    return refuse(std::generic_category().message(errno));
  }
  // Give it a name that does not exist yet; link(2) never replaces a file.
  const std::string safe = safe_file_name(header.name);
  const auto dot = safe.rfind('.');
  const std::string stem = dot == std::string::npos || dot == 0 ? safe : safe.substr(0, dot);
  const std::string extension = dot == std::string::npos || dot == 0 ? "" : safe.substr(dot);
  const std::string source = transfer.temporary_name.empty()
                                 ? fmt::format("/proc/self/fd/{}", transfer.fd.get())
                                 : transfer.temporary_name;
  const int source_dir = transfer.temporary_name.empty() ? AT_FDCWD : folder_fd_.get();
  const int follow = transfer.temporary_name.empty() ? AT_SYMLINK_FOLLOW : 0;
  for (int n = 0; n < 1000; ++n) {
    const std::string name = n == 0 ? safe : fmt::format("{} ({}){}", stem, n, extension);
    if (::linkat(source_dir, source.c_str(), folder_fd_.get(), name.c_str(), follow) == 0) {
      discard(id);
      return {true, fmt::format("* saved \"{}\" from {} ({} bytes) as {}", header.name, header.peer, header.size,
                                (folder_ / name).string())};
    }
    if (errno != EEXIST) {
      return refuse(std::generic_category().message(errno));
    }
  }
  return refuse("too many files with that name");
}

Downloads::Event Downloads::abort(std::uint64_t id) {
  const auto found = transfers_.find(id);
  if (found == transfers_.end()) {
    return {};
  }
  const FileHeader header = found->second.header;
  discard(id);
  return {false, fmt::format("! \"{}\" from {} was stopped before its end (the sender left, or sent a bad part)",
                             header.name, header.peer)};
}

Upload::Upload(const fs::path& path, std::string to, std::uint64_t id) {
  std::error_code error;
  if (!fs::is_regular_file(path, error)) {
    throw std::system_error(error ? error : std::make_error_code(std::errc::invalid_argument),
                            path.string() + " is not a file");
  }
  file_.open(path, std::ios::binary);
  if (!file_) {
    throw std::system_error(errno, std::generic_category(), "open " + path.string());
  }
  Sha256 hash;
  std::string chunk(64 * 1024, '\0');
  std::uint64_t size = 0;
  while (file_.read(chunk.data(), static_cast<std::streamsize>(chunk.size())) || file_.gcount() > 0) {
    hash.update(std::string_view(chunk).substr(0, static_cast<std::size_t>(file_.gcount())));
    size += static_cast<std::uint64_t>(file_.gcount());
  }
  if (size > max_file_size) {
    throw std::system_error(std::make_error_code(std::errc::file_too_large), path.string());
  }
  file_.clear();
  file_.seekg(0);
  header_ = {.peer = std::move(to), .id = id, .size = size, .sha256 = hash.hex_digest(),
             .name = sanitize_text(path.filename().string())};
}

std::string Upload::header_line() const { return "/file " + format_file_header(header_) + "\n"; }

std::string Upload::next_lines(std::size_t budget) {
  std::string lines;
  std::string chunk(data_chunk_bytes, '\0');
  while (!finished_ && lines.size() < budget) {
    if (sent_ == header_.size) {
      lines += fmt::format("/done {}\n", header_.id);
      finished_ = true;
      break;
    }
    file_.read(chunk.data(), static_cast<std::streamsize>(std::min<std::uint64_t>(data_chunk_bytes, header_.size - sent_)));
    const auto got = static_cast<std::size_t>(file_.gcount());
    if (got == 0) {
      // The file shrank since it was hashed: end here; the receivers will refuse it.
      lines += fmt::format("/done {}\n", header_.id);
      finished_ = true;
      break;
    }
    sent_ += got;
    lines += fmt::format("/data {} {}\n", header_.id, base64_encode(std::string_view(chunk).substr(0, got)));
  }
  return lines;
}

}  // namespace socklab::chat
