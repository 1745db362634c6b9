#pragma once
// The keyboard and the screen of a transcribed program: the injected input()
// and print() of article_chat.hpp.  A test types lines on the Keyboard and
// reads what the program printed on the Screen, from its own thread, while the
// program runs on another.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "article_chat.hpp"

namespace socklab::chat::article {

/// input()'s side: lines typed by the test, taken in order.
class Keyboard {
 public:
  /// Types \p line and presses Enter.
  void type(std::string line) {
    const std::lock_guard lock(mutex_);
    lines_.push_back(std::move(line));
    changed_.notify_all();
  }
  /// Ctrl-D: once the typed lines are used up, input() raises EOFError.
  void end() {
    const std::lock_guard lock(mutex_);
    ended_ = true;
    changed_.notify_all();
  }
  /// Ctrl-C: input() raises KeyboardInterrupt, now or at its next call.
  void interrupt() {
    const std::lock_guard lock(mutex_);
    interrupted_ = true;
    changed_.notify_all();
  }
  /// The next typed line; waits for one as a person at the keyboard makes
  /// input() wait.
  std::string read_line() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return interrupted_ || ended_ || !lines_.empty(); });
    if (interrupted_) {
      throw KeyboardInterrupt();
    }
    if (lines_.empty()) {
      throw EOFError();
    }
    std::string line = std::move(lines_.front());
    lines_.pop_front();
    return line;
  }
  /// Lines typed that input() has not taken yet.
  [[nodiscard]] std::size_t waiting() const {
    const std::lock_guard lock(mutex_);
    return lines_.size();
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::string> lines_;
  bool ended_ = false;
  bool interrupted_ = false;
};

/// print()'s side: a recorder of what the program showed.
class Screen {
 public:
  /// input()'s prompt.
  void prompt(std::string_view text) {
    const std::lock_guard lock(mutex_);
    ++prompts_;
    transcript_ += text;
    changed_.notify_all();
  }
  /// One print() call.
  void print(std::string_view text) {
    const std::lock_guard lock(mutex_);
    printed_.emplace_back(text);
    transcript_ += text;
    transcript_ += '\n';
    changed_.notify_all();
  }
  /// The print() calls so far, in order (without their '\n').
  [[nodiscard]] std::vector<std::string> printed() const {
    const std::lock_guard lock(mutex_);
    return printed_;
  }
  /// How many times input() showed its prompt.
  [[nodiscard]] std::size_t prompts() const {
    const std::lock_guard lock(mutex_);
    return prompts_;
  }
  /// Everything, as a terminal would show it (prompts, then what was printed).
  [[nodiscard]] std::string transcript() const {
    const std::lock_guard lock(mutex_);
    return transcript_;
  }
  /// How many print() calls started with \p prefix.
  [[nodiscard]] std::size_t count(std::string_view prefix) const {
    const std::lock_guard lock(mutex_);
    return count_locked(prefix);
  }
  /// Waits at most \p limit until \p n print() calls started with \p prefix.
  bool wait_for(std::string_view prefix, std::size_t n, std::chrono::milliseconds limit) const {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, limit, [&] { return count_locked(prefix) >= n; });
  }
  /// Waits at most \p limit until input() has shown its prompt \p n times.
  bool wait_for_prompts(std::size_t n, std::chrono::milliseconds limit) const {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, limit, [&] { return prompts_ >= n; });
  }

 private:
  [[nodiscard]] std::size_t count_locked(std::string_view prefix) const {
    std::size_t n = 0;
    for (const auto& line : printed_) {
      n += line.starts_with(prefix) ? 1U : 0U;
    }
    return n;
  }

  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::vector<std::string> printed_;
  std::string transcript_;
  std::size_t prompts_ = 0;
};

/// A terminal for one transcribed program: its keyboard, its screen, and the
/// Process whose input() and print() they are.
struct Terminal {
  Keyboard keyboard;  ///< what the test types
  Screen screen;      ///< what the program printed
  Process process{Builtins{
      .input = [this](std::string_view prompt) {
        screen.prompt(prompt);
        return keyboard.read_line();
      },
      .print = [this](std::string_view text) { screen.print(text); },
      .interrupt_input = [this] { keyboard.interrupt(); },
  }};
};

}  // namespace socklab::chat::article
