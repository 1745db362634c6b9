#pragma once
/// \file
/// Differential testing: the student's code and the reference, same inputs.
///
/// A chapter lists its deterministic calls once, in `tests/<slug>/calls.hpp`, as
/// a CallTable: each entry turns a JSON input into a call of the lab interface
/// and the result into JSON.  That table is compiled twice: into the chapter's
/// oracle program (linked with the reference) and into the graded tests
/// (linked with the student's library).  A test sends inputs to the oracle,
/// runs the same entry in-process, and compares.  The student's files stay
/// plain C++: the only difference between the two sides is what is linked.

#include <functional>
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "socklab/file_descriptor.hpp"

namespace socklab::testkit {

using nlohmann::json;

/// One deterministic call of a lab interface, JSON in and JSON out.
using Call = std::function<json(const json& input)>;
/// The calls of a chapter, by name.
using CallTable = std::map<std::string, Call, std::less<>>;

/// Runs \p call on \p input, turning an exception into a comparable value:
/// `{"throws": "std::system_error", "errno": N}` or `{"throws": "exception"}`.
/// What the message says is not compared: wording is the student's choice.
json invoke(const Call& call, const json& input);

/// The oracle program's whole main: answers requests on standard input until
/// it closes.  A request is one JSON line `{"call": NAME, "inputs": [...]}`;
/// the answer is one JSON line `{"outputs": [...]}` or `{"error": TEXT}`.
int serve_oracle(const CallTable& calls);

/// A running oracle program, spoken to over pipes.
class Oracle {
 public:
  /// Starts the program at \p path.  \throws std::runtime_error if it cannot.
  explicit Oracle(const std::string& path);
  ~Oracle();
  Oracle(const Oracle&) = delete;
  Oracle& operator=(const Oracle&) = delete;

  /// The reference's outputs for \p inputs (a JSON array) of \p call.
  /// \throws std::runtime_error when the oracle fails or takes over 20 s.
  json ask(const std::string& call, const json& inputs);

 private:
  FileDescriptor to_oracle_;
  FileDescriptor from_oracle_;
  std::string buffered_;
  int pid_ = -1;
};

/// Where the student's code and the reference first disagree.
struct Difference {
  json input;      ///< the input both were given
  json yours;      ///< what the student's code gave
  json reference;  ///< what the reference gave
  std::size_t index = 0;  ///< position of \p input in the list, from 0
  std::size_t of = 0;     ///< how many inputs were compared
};

/// Runs \p call from \p calls on every element of \p inputs, in this process
/// and in \p oracle, and returns the first difference, if any.
std::optional<Difference> first_difference(Oracle& oracle, const CallTable& calls,
                                           const std::string& call, const json& inputs);

/// A message a student understands, for a failed differential check.
std::string describe(const std::string& call, const std::optional<Difference>& difference);

#ifdef SOCKLAB_ORACLE_PATH
/// The chapter's oracle, started on first use and kept for the test process's
/// lifetime.  (The build defines SOCKLAB_ORACLE_PATH for each chapter's tests.)
inline Oracle& chapter_oracle() {
  static Oracle oracle(SOCKLAB_ORACLE_PATH);
  return oracle;
}

/// first_difference() against the chapter's oracle.
inline std::optional<Difference> first_difference(const CallTable& calls, const std::string& call,
                                                  const json& inputs) {
  return first_difference(chapter_oracle(), calls, call, inputs);
}
#endif

}  // namespace socklab::testkit
