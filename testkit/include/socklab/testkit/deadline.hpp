#pragma once
/// \file
/// Running student code that might never return.

#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <thread>
#include <type_traits>

namespace socklab::testkit {

/// Runs \p work on a thread of its own and waits at most \p limit for it.
/// Returns its result (an exception it threw is thrown here), or nothing when
/// it did not finish in time.  Then the thread is left behind, blocked in the
/// code under test, and the test can fail with a message instead of hanging
/// until the grader kills it.  (std::async would not do: its future's
/// destructor waits for the work to end.)
template <typename Work>
auto finish_within(std::chrono::milliseconds limit, Work work) -> std::optional<std::invoke_result_t<Work>> {
  using Result = std::invoke_result_t<Work>;
  auto task = std::make_shared<std::packaged_task<Result()>>(std::move(work));
  std::future<Result> result = task->get_future();
  std::thread([task] { (*task)(); }).detach();
  if (result.wait_for(limit) != std::future_status::ready) {
    return std::nullopt;
  }
  return result.get();
}

}  // namespace socklab::testkit
