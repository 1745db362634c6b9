#include "watch.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <ctime>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <thread>

#include <fmt/color.h>
#include <fmt/format.h>

#include "process.hpp"
#include "report.hpp"
#include "socklab/file_descriptor.hpp"
#include "socklab/system_error.hpp"
#include "socklab/terminal.hpp"
#include "submission.hpp"

namespace socklab::cli {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// A burst of changes is graded once it has been quiet for the debounce time,
// or at the latest this long after its first change (an editor saving
// several files, a `git checkout`).
constexpr auto kLongestBurst = 1s;
// A grading stopped by a signal gets this long to end once its processes
// are killed; past it, watch ends regardless.
constexpr auto kStopGrace = 10s;

// The files changed since the last grading, by chapter slug.
using Changes = std::map<std::string, std::set<std::string>>;

// Events on a chapter's folder that may change what it builds: a save in
// place, a new file renamed over the old one (how most editors save), a file
// created, deleted or renamed away, a touch.
constexpr std::uint32_t kFileEvents =
    IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_ATTRIB;
// Events on a watched folder itself: it went away, so the watches must be made anew.
constexpr std::uint32_t kSelfEvents = IN_DELETE_SELF | IN_MOVE_SELF;

// The lab folders, watched with inotify: the root (for a chapter's folder
// that is created or replaced) and each chapter's folder (for its files).
class LabWatcher {
 public:
  LabWatcher(fs::path root, std::vector<Chapter> chapters)
      : inotify_(check("inotify_init1", ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK))),
        root_(std::move(root)),
        chapters_(std::move(chapters)) {
    establish();
    if (root_wd_ < 0) {
      throw_errno("cannot watch " + root_.string());
    }
  }

  [[nodiscard]] int fd() const { return inotify_.get(); }

  /// Reads every queued event into \p changes.  Returns whether any of them
  /// may change what a chapter builds.
  bool read(Changes& changes) {
    alignas(inotify_event) char buffer[16384];
    bool relevant = false;
    for (;;) {
      const ssize_t got = ::read(inotify_.get(), buffer, sizeof buffer);
      if (got == -1 && errno == EINTR) {
        continue;
      }
      if (got == -1 && errno == EAGAIN) {
        break;
      }
      check("read inotify", got);
      for (std::size_t at = 0; at + sizeof(inotify_event) <= static_cast<std::size_t>(got);) {
        const auto* event = reinterpret_cast<const inotify_event*>(buffer + at);  // NOLINT: inotify's format
        at += sizeof(inotify_event) + event->len;
        const std::string name = event->len > 0 ? std::string(event->name) : std::string();
        relevant |= take(*event, name, changes);
      }
    }
    if (rescan_) {
      rescan_ = false;
      establish();
    }
    // A folder that appeared may have been filled before its watch was added:
    // name what is in it now (a file written later is seen as an event).
    for (const std::string& slug : new_folders_) {
      std::set<std::string>& names = changes[slug];
      std::error_code error;
      for (const auto& entry : fs::directory_iterator(root_ / slug, error)) {
        const std::string name = entry.path().filename().string();
        if (builds_from(chapter_named(slug), name)) {
          names.insert(name);
        }
      }
      if (names.empty()) {
        names.insert("(folder)");
      }
    }
    new_folders_.clear();
    return relevant;
  }

 private:
  bool take(const inotify_event& event, const std::string& name, Changes& changes) {
    if ((event.mask & IN_Q_OVERFLOW) != 0) {  // events were lost: grade every chapter
      for (const Chapter& chapter : chapters_) {
        changes[chapter.slug].insert("(many files)");
      }
      rescan_ = true;
      return true;
    }
    if (event.wd == root_wd_) {
      if ((event.mask & (kSelfEvents | IN_IGNORED)) != 0) {
        rescan_ = true;
        return false;
      }
      for (const Chapter& chapter : chapters_) {
        if ((event.mask & IN_ISDIR) != 0 && name == chapter.slug) {  // a chapter's folder, new or replaced
          changes[chapter.slug];  // its files are named once it is watched (see read)
          new_folders_.insert(chapter.slug);
          rescan_ = true;
          return true;
        }
      }
      return false;
    }
    const auto found = slug_of_.find(event.wd);
    if (found == slug_of_.end()) {
      return false;
    }
    const std::string slug = found->second;
    if ((event.mask & (kSelfEvents | IN_IGNORED)) != 0) {
      if ((event.mask & IN_IGNORED) != 0) {
        wd_of_.erase(slug);
        slug_of_.erase(found);
      }
      rescan_ = true;
      return false;
    }
    if (!builds_from(chapter_named(slug), name)) {
      return false;  // an editor's swap, backup or temporary file
    }
    changes[slug].insert(name);
    return true;
  }

  [[nodiscard]] const Chapter& chapter_named(const std::string& slug) const {
    return *std::find_if(chapters_.begin(), chapters_.end(), [&](const Chapter& c) { return c.slug == slug; });
  }

  // Whether the file \p name of the chapter's folder is one its build reads:
  // a lab file, or a header.
  static bool builds_from(const Chapter& chapter, const std::string& name) {
    if (std::find(chapter.lab_files.begin(), chapter.lab_files.end(), name) != chapter.lab_files.end()) {
      return true;
    }
    return !name.starts_with('.') && (name.ends_with(".hpp") || name.ends_with(".h"));
  }

  // Adds the watches, or adds them anew where a folder was replaced.
  void establish() {
    const int root = ::inotify_add_watch(inotify_.get(), root_.c_str(),
                                         IN_CREATE | IN_MOVED_TO | kSelfEvents | IN_ONLYDIR);
    if (root >= 0 && root_wd_ >= 0 && root != root_wd_) {
      ::inotify_rm_watch(inotify_.get(), root_wd_);  // the old root, moved elsewhere
    }
    root_wd_ = root >= 0 ? root : root_wd_;
    for (const Chapter& chapter : chapters_) {
      const fs::path folder = root_ / chapter.slug;
      const int wd = ::inotify_add_watch(inotify_.get(), folder.c_str(), kFileEvents | kSelfEvents | IN_ONLYDIR);
      if (wd < 0) {
        continue;  // not there (yet): its creation in the root is watched
      }
      if (const auto old = wd_of_.find(chapter.slug); old != wd_of_.end() && old->second != wd) {
        ::inotify_rm_watch(inotify_.get(), old->second);
        slug_of_.erase(old->second);
      }
      wd_of_[chapter.slug] = wd;
      slug_of_[wd] = chapter.slug;
    }
  }

  FileDescriptor inotify_;
  fs::path root_;
  std::vector<Chapter> chapters_;
  int root_wd_ = -1;
  std::map<int, std::string> slug_of_;  // watch descriptor → chapter
  std::map<std::string, int> wd_of_;
  bool rescan_ = false;
  std::set<std::string> new_folders_;  // chapters' folders that appeared since the last read
};

std::string time_of_day() {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  ::localtime_r(&now, &local);
  char text[16];
  return std::strftime(text, sizeof text, "%H:%M:%S", &local) == 0 ? std::string("--:--:--") : std::string(text);
}

std::string seconds(double value) { return fmt::format("{:.1f} s", value); }

// What one grading found: the chapters, or why none could be graded.
struct Cycle {
  std::vector<ChapterGrade> chapters{};
  std::string failure{};
  double seconds = 0;
};

// The report of one grading: a header saying why and how long, each chapter
// as chapter_report shows it, and where to get help.
std::string cycle_report(const Cycle& cycle, const std::string& reason, bool colour) {
  auto paint = [&](const std::string& text, fmt::text_style style) {
    return colour ? fmt::format(style, "{}", text) : text;
  };
  std::string out = paint(fmt::format("── {}  {}", time_of_day(), reason), fmt::emphasis::bold) + "\n";
  if (!cycle.failure.empty()) {
    return out + paint("socklab: ", fmt::fg(fmt::terminal_color::red)) + cycle.failure + "\n";
  }
  for (const ChapterGrade& chapter : cycle.chapters) {
    out += chapter_report(chapter, colour);
    const double testing = std::max(0.0, cycle.seconds - chapter.build_seconds);
    if (!chapter.built) {
      out += fmt::format("  (built in {}: fix the first error above and save)\n", seconds(chapter.build_seconds));
      continue;
    }
    const auto failing = std::find_if(chapter.results.begin(), chapter.results.end(),
                                      [](const TestResult& r) { return r.outcome != Outcome::passed; });
    out += fmt::format("  (built in {}, graded in {})\n", seconds(chapter.build_seconds), seconds(testing));
    if (failing == chapter.results.end()) {
      out += paint("  Every test passes: full marks for this chapter.\n", fmt::fg(fmt::terminal_color::green));
    } else if (failing->test.task > 0) {
      out += fmt::format("  Stuck? ./socklab hint {} {}\n", chapter.slug, failing->test.task);
    }
  }
  return out;
}

void print(const std::string& text) {
  fmt::print("{}", text);
  (void)std::fflush(stdout);  // a report is shown whole, at once, even on a pipe
}

// The signal read from the signalfd, or 0 when none was pending.
int read_signal(int fd) {
  signalfd_siginfo info{};
  const ssize_t got = ::read(fd, &info, sizeof info);
  return got == static_cast<ssize_t>(sizeof info) ? static_cast<int>(info.ssi_signo) : 0;
}

class Watch {
 public:
  Watch(const Manifest& project, const WatchOptions& options) : project_(project), options_(options) {
    if (options.chapter.empty()) {
      chapters_ = project.chapters;
    } else {
      chapters_.push_back(project.find(options.chapter));
    }
    if (options.submission.empty()) {
      root_ = project.labs_dir;
      shown_root_ = "labs/";
    } else {
      if (!fs::is_directory(options.submission)) {
        throw std::runtime_error("watch --submission takes a folder (shaped like labs/, or a clone): " +
                                 options.submission.string());
      }
      const fs::path submission = fs::canonical(options.submission);  // "dir/" names "dir" too
      root_ = find_labs_root(submission, project);
      shown_root_ = root_.string() + "/";
      work_dir_ = options.work_dir.empty() ? project.build_dir / "watch" / submission.filename()
                                           : fs::absolute(options.work_dir);
    }
    // Blocked in every thread (the threads started later inherit the mask) and
    // read from a signalfd: the signal is handled in the loop, between reports.
    sigemptyset(&stop_signals_);
    sigaddset(&stop_signals_, SIGINT);
    sigaddset(&stop_signals_, SIGTERM);
    check("pthread_sigmask", ::pthread_sigmask(SIG_BLOCK, &stop_signals_, nullptr) == 0 ? 0 : -1);
    signals_ = FileDescriptor(check("signalfd", ::signalfd(-1, &stop_signals_, SFD_CLOEXEC | SFD_NONBLOCK)));
    // Before the first grading, so that a save made during it is not missed.
    watcher_.emplace(root_, chapters_);
    grade_options_ = options.grade;
    grade_options_.cancel = &cancel_;
    colour_ = colour_enabled(STDOUT_FILENO);
  }

  int run() {
    // The first grading: the chapter asked for, or the first one not at full marks.
    const bool first_unfinished = options_.chapter.empty();
    if (const int signal = cycle(chapters_, first_unfinished ? "" : chapters_.front().slug, first_unfinished)) {
      return stopped(signal);
    }
    for (;;) {
      if (options_.max_cycles != 0 && cycles_ >= options_.max_cycles) {
        fmt::print(stderr, "socklab watch: {} grading{} shown (--max-cycles); stopping\n", cycles_,
                   cycles_ == 1 ? "" : "s");
        return 0;
      }
      print(fmt::format("   watching {}{} for changes; Ctrl-C stops\n", shown_root_,
                        chapters_.size() == 1 ? chapters_.front().slug + "/" : ""));
      if (const int signal = wait_for_changes()) {
        return stopped(signal);
      }
      std::vector<Chapter> changed;
      std::string reason;
      for (const Chapter& chapter : chapters_) {  // in the chapters' order
        const auto found = pending_.find(chapter.slug);
        if (found == pending_.end()) {
          continue;
        }
        changed.push_back(chapter);
        for (const auto& name : found->second) {
          reason += (reason.empty() ? "" : ", ") + shown_root_ + chapter.slug + "/" + name;
        }
      }
      pending_.clear();
      if (const int signal = cycle(changed, reason + " changed", false)) {
        return stopped(signal);
      }
    }
  }

 private:
  // Waits until a burst of changes is over (quiet for the debounce time, or
  // kLongestBurst after it began).  Returns a signal that came meanwhile, or 0.
  int wait_for_changes() {
    std::optional<Clock::time_point> first;
    Clock::time_point last = Clock::now();
    if (!pending_.empty()) {
      first = last;  // changes made while the last grading ran
    }
    for (;;) {
      int timeout = -1;
      if (first) {
        const auto now = Clock::now();
        const auto until = std::min(last + options_.debounce, *first + kLongestBurst);
        if (now >= until) {
          return 0;
        }
        timeout = static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(until - now).count());
      }
      pollfd fds[2] = {{signals_.get(), POLLIN, 0}, {watcher_->fd(), POLLIN, 0}};
      if (::poll(fds, 2, timeout) == -1 && errno != EINTR) {
        throw_errno("poll");
      }
      if ((fds[0].revents & POLLIN) != 0) {
        if (const int signal = read_signal(signals_.get())) {
          return signal;
        }
      }
      if ((fds[1].revents & POLLIN) != 0 && watcher_->read(pending_) && !pending_.empty()) {
        last = Clock::now();
        first = first.value_or(last);
      }
    }
  }

  // Grades \p chapters on a thread of its own while this one reads signals and
  // file changes, then prints the report.  With \p first_unfinished, grades the
  // chapters in order (reusing cached results) and reports the first one not at
  // full marks.  Returns the signal that stopped it, or 0.
  int cycle(const std::vector<Chapter>& chapters, const std::string& reason, bool first_unfinished) {
    Cycle result;
    std::string shown_reason = reason;
    const auto start = Clock::now();
    const int signal = while_watching([&] {
      try {
        const std::optional<Manifest> submission =
            options_.submission.empty()
                ? std::nullopt
                : std::optional(load_manifest(prepare_submission(project_, options_.submission, work_dir_).build_dir));
        const Manifest& labs = submission ? *submission : project_;
        GradeOptions grading = grade_options_;
        if (!first_unfinished) {
          grading.cache = CacheUse::write;  // a change: always run the tests
          result.chapters = grade(project_, labs, chapters, grading).chapters;
          return;
        }
        grading.cache = CacheUse::read_write;
        for (const Chapter& chapter : chapters) {
          Grade graded = grade(project_, labs, {chapter}, grading);
          if (graded.chapters.empty()) {
            return;  // stopped
          }
          const ChapterGrade& only = graded.chapters.front();
          if (!only.built || only.earned() < only.possible()) {
            shown_reason = only.slug + ", the first chapter not at full marks" +
                           (only.cached ? " (results reused: nothing changed since they were graded)" : "");
            result.chapters = std::move(graded.chapters);
            return;
          }
        }
        shown_reason = "every chapter is at full marks";
      } catch (const std::exception& error) {
        result.failure = error.what();
      }
    });
    result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    if (signal != 0) {
      return signal;  // nothing of a grading cut short is shown
    }
    ++cycles_;
    if (options_.clear && ::isatty(STDOUT_FILENO) == 1) {
      print("\x1b[H\x1b[2J\x1b[3J");
    }
    print(cycle_report(result, shown_reason, colour_));
    return 0;
  }

  // Runs \p work on a thread of its own; meanwhile reads file changes (for the
  // next grading) and signals.  On SIGINT or SIGTERM, stops the work: no new
  // build or test starts, and the running ones are killed.  Returns the signal,
  // or 0 when the work ended by itself.
  int while_watching(const std::function<void()>& work) {
    const FileDescriptor done(check("eventfd", ::eventfd(0, EFD_CLOEXEC)));
    cancel_ = false;
    std::thread worker([&] {
      work();
      const std::uint64_t one = 1;
      [[maybe_unused]] const auto ignored = ::write(done.get(), &one, sizeof one);
    });
    int signal = 0;
    Clock::time_point stopping{};
    for (;;) {
      pollfd fds[3] = {{done.get(), POLLIN, 0}, {signals_.get(), POLLIN, 0}, {watcher_->fd(), POLLIN, 0}};
      ::poll(fds, 3, signal != 0 ? 50 : -1);
      if ((fds[0].revents & POLLIN) != 0) {
        break;
      }
      if ((fds[1].revents & POLLIN) != 0 && signal == 0) {
        signal = read_signal(signals_.get());
        if (signal != 0) {
          cancel_ = true;
          stopping = Clock::now();
        }
      }
      if ((fds[2].revents & POLLIN) != 0) {
        watcher_->read(pending_);
      }
      if (signal != 0) {
        kill_descendants();  // the build or the tests under way; none starts after cancel_
        if (Clock::now() - stopping > kStopGrace) {
          fmt::print(stderr, "\nsocklab watch: the grading did not stop; ending anyway\n");
          (void)std::fflush(stderr);
          std::_Exit(128 + signal);
        }
      }
    }
    worker.join();
    return signal;
  }

  int stopped(int signal) const {
    const char* name = sigabbrev_np(signal);
    fmt::print(stderr, "\nsocklab watch: stopped by SIG{} after {} grading{}\n", name != nullptr ? name : "?", cycles_,
               cycles_ == 1 ? "" : "s");
    return 128 + signal;
  }

  const Manifest& project_;
  const WatchOptions& options_;
  std::vector<Chapter> chapters_;
  fs::path root_;
  std::string shown_root_;
  fs::path work_dir_;  // with --submission: where it is laid out and built
  sigset_t stop_signals_{};
  FileDescriptor signals_;
  std::optional<LabWatcher> watcher_;
  std::atomic<bool> cancel_{false};
  GradeOptions grade_options_;
  bool colour_ = false;
  unsigned cycles_ = 0;
  Changes pending_;
};

}  // namespace

int watch(const Manifest& project, const WatchOptions& options) { return Watch(project, options).run(); }

}  // namespace socklab::cli
