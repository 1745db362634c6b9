// Chapter 07: the line framer, fed one stream cut at fuzzer-chosen points.
//
// The input chooses a limit (1 to 64 bytes, so refusals are common), the
// pieces the stream arrives in and, after each piece, whether the caller
// drains the framer (next() until none, as the header's "Use:" says) or
// calls next() only a few times.  Checked, from labs/07-chat/line_framer.hpp:
// - the frames are the same however the stream was cut: a model frames the
//   whole stream at once (lines without "\n" and one "\r" before it; a
//   refused line, once, when it has more than max_line bytes, or when its
//   unfinished part is certainly too long);
// - a line holds no "\n" and at most max_line bytes; a refusal has no text;
// - after next() returns none, buffered() is at most max_line + 1 (and at
//   the end it is exactly the unfinished line, unless that was refused);
// - the text of a frame stays valid and unchanged until the next feed();
// - with no refusals and no "\r", the lines, each with its "\n", then what is
//   buffered, are the stream again.

#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "check.hpp"
#include "line_framer.hpp"

namespace {

using socklab::chat::Frame;
using socklab::chat::LineFramer;

struct Event {
  bool too_long = false;
  std::string line;
  bool operator==(const Event&) const = default;
};

// The frames of the whole stream, and how many bytes stay buffered at its end.
std::pair<std::vector<Event>, std::size_t> model(std::string_view stream, std::size_t max_line) {
  std::vector<Event> events;
  for (std::size_t newline; (newline = stream.find('\n')) != std::string_view::npos;) {
    std::string_view line = stream.substr(0, newline);
    stream.remove_prefix(newline + 1);
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    events.push_back(line.size() > max_line ? Event{true, {}} : Event{false, std::string(line)});
  }
  // The unfinished last line: refused when certainly too long.
  if (stream.size() > max_line + 1 || (stream.size() == max_line + 1 && stream.back() != '\r')) {
    events.push_back(Event{true, {}});
    return {events, 0};
  }
  return {events, stream.size()};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input = socklab::fuzz::as_text(data, size);
  FuzzedDataProvider provider(data, size);
  const auto max_line = provider.ConsumeIntegralInRange<std::size_t>(1, 64);

  LineFramer framer(max_line);
  FUZZ_CHECK(framer.max_line() == max_line && framer.buffered() == 0, input);
  FUZZ_CHECK(framer.next().kind == Frame::Kind::none, input);

  std::string stream;
  std::vector<Event> events;
  // Frames returned since the last feed(), with a copy of their text.
  std::vector<std::pair<std::string_view, std::string>> live;
  while (provider.remaining_bytes() > 0) {
    const auto piece_size = provider.ConsumeIntegralInRange<std::size_t>(0, 2 * max_line + 8);
    const bool drain = provider.ConsumeIntegralInRange<int>(0, 3) != 0;
    const std::string piece = provider.ConsumeBytesAsString(piece_size);

    for (const auto& [text, copy] : live) {
      FUZZ_CHECK(text == copy, input);
    }
    live.clear();
    framer.feed(piece);
    stream += piece;

    // Drain, or take at most two frames and leave the rest for later.
    for (int taken = 0; drain || taken < 2; ++taken) {
      const Frame frame = framer.next();
      if (frame.kind == Frame::Kind::none) {
        FUZZ_CHECK(frame.text.empty(), input);
        FUZZ_CHECK(framer.buffered() <= max_line + 1, input);
        break;
      }
      if (frame.kind == Frame::Kind::too_long) {
        FUZZ_CHECK(frame.text.empty(), input);
        events.push_back({true, {}});
        continue;
      }
      FUZZ_CHECK(frame.kind == Frame::Kind::line, input);
      FUZZ_CHECK(frame.text.find('\n') == std::string_view::npos, input);
      FUZZ_CHECK(frame.text.size() <= max_line, input);
      events.push_back({false, std::string(frame.text)});
      live.emplace_back(frame.text, std::string(frame.text));
    }
    for (const auto& [text, copy] : live) {
      FUZZ_CHECK(text == copy, input);
    }
  }
  // The end of the stream: take what is left.
  for (Frame frame; (frame = framer.next()).kind != Frame::Kind::none;) {
    events.push_back(frame.kind == Frame::Kind::too_long ? Event{true, {}} : Event{false, std::string(frame.text)});
  }
  FUZZ_CHECK(framer.buffered() <= max_line + 1, input);
  FUZZ_CHECK(framer.next().kind == Frame::Kind::none, input);

  const auto [expected, left] = model(stream, max_line);
  FUZZ_CHECK(events == expected, input);
  FUZZ_CHECK(framer.buffered() == left, input);

  // The concatenation property, where it applies.
  bool refused = false;
  for (const Event& event : events) {
    refused = refused || event.too_long;
  }
  if (!refused && stream.find('\r') == std::string::npos) {
    std::string joined;
    for (const Event& event : events) {
      joined += event.line;
      joined += '\n';
    }
    FUZZ_CHECK(joined.size() + framer.buffered() == stream.size(), input);
    FUZZ_CHECK(std::string_view(stream).starts_with(joined), input);
  }

  // A limit of 0 is refused.
  static const bool zero_refused = [] {
    try {
      LineFramer zero(0);
      return false;
    } catch (const std::invalid_argument&) {
      return true;
    }
  }();
  FUZZ_CHECK(zero_refused, input);
  return 0;
}
