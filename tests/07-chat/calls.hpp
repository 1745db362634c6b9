#pragma once
// The deterministic calls of lab 07, for differential tests: compiled into the
// oracle (with the reference) and into the graded tests (with the student's
// code).  See socklab/testkit/oracle.hpp.  Bytes travel as hex: the oracle's
// JSON would replace invalid UTF-8.  Inputs may carry a "shown" field, the
// same bytes escaped for people to read in a failure message; the calls
// ignore it.

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "broadcast.hpp"
#include "line_framer.hpp"
#include "output_queue.hpp"
#include "socklab/testkit/oracle.hpp"

namespace socklab::chat::testing {

using testkit::json;

inline std::string hex(std::string_view bytes) {
  static constexpr std::string_view digits = "0123456789abcdef";
  std::string text;
  for (const char c : bytes) {
    text += digits[static_cast<unsigned char>(c) >> 4];
    text += digits[static_cast<unsigned char>(c) & 0xF];
  }
  return text;
}

inline std::string unhex(std::string_view text) {
  std::string bytes;
  const auto value = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  for (std::size_t i = 0; i + 1 < text.size(); i += 2) {
    bytes += static_cast<char>(value(text[i]) * 16 + value(text[i + 1]));
  }
  return bytes;
}

/// \p bytes as printable ASCII, one to one: `\r`, `\n`, `\\`, and `\xNN` for
/// every other byte outside space to '~' (NUL, the bytes of UTF-8, …).
inline std::string escaped(std::string_view bytes) {
  static constexpr std::string_view digits = "0123456789abcdef";
  std::string text;
  for (const char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\\') {
      text += "\\\\";
    } else if (c == '\r') {
      text += "\\r";
    } else if (c == '\n') {
      text += "\\n";
    } else if (byte >= 0x20 && byte < 0x7F) {
      text += c;
    } else {
      text += "\\x";
      text += digits[byte >> 4];
      text += digits[byte & 0xF];
    }
  }
  return text;
}

/// The input of frame_pieces for \p pieces fed, in order, to LineFramer(\p max_line).
inline json framer_input(std::size_t max_line, const std::vector<std::string>& pieces) {
  json hexed = json::array();
  json shown = json::array();
  for (const std::string& piece : pieces) {
    hexed.push_back(hex(piece));
    shown.push_back(escaped(piece));
  }
  return json{{"max_line", max_line}, {"pieces", hexed}, {"shown", shown}};
}

// Feeds the pieces in order, calling next() until none after each; returns
// every frame ({"line": escaped text} or {"too_long": true}) and buffered()
// after each piece.
inline json frame_pieces(const json& input) {
  LineFramer framer(input.at("max_line").get<std::size_t>());
  json frames = json::array();
  json buffered = json::array();
  for (const auto& piece : input.at("pieces")) {
    framer.feed(unhex(piece.get<std::string>()));
    for (int i = 0; i < 100000; ++i) {
      const Frame frame = framer.next();
      if (frame.kind == Frame::Kind::none) {
        break;
      }
      frames.push_back(frame.kind == Frame::Kind::line ? json{{"line", escaped(frame.text)}}
                                                       : json{{"too_long", true}});
    }
    buffered.push_back(framer.buffered());
  }
  return json{{"frames", frames}, {"buffered", buffered}};
}

// An OutputQueue(limit) given the blocks in order (a size, or null for a null
// Block); returns what each push() returned and size() after it.
inline json push_blocks(const json& input) {
  OutputQueue queue(input.at("limit").get<std::size_t>());
  json results = json::array();
  for (const auto& block : input.at("blocks")) {
    const bool pushed =
        queue.push(block.is_null() ? Block() : make_block(std::string(block.get<std::size_t>(), 'x')));
    results.push_back(json{{"pushed", pushed}, {"size", queue.size()}});
  }
  return results;
}

// A room of members, each {"id", "limit", "holds"} (a queue of that limit
// already holding that many bytes); broadcasts a block of "block" bytes from
// "sender".  Returns the ids reported full and each member's size() after.
inline json broadcast_room(const json& input) {
  const json& spec = input.at("room");
  std::vector<OutputQueue> queues;
  queues.reserve(spec.size());
  std::vector<Member> room;
  for (const json& member : spec) {
    queues.emplace_back(member.at("limit").get<std::size_t>());
    const auto holds = member.at("holds").get<std::size_t>();
    if (holds > 0 && !queues.back().push(make_block(std::string(holds, 'h')))) {
      return json{{"error", "push refused what fits"}};
    }
  }
  for (std::size_t i = 0; i < spec.size(); ++i) {
    room.push_back(Member{spec[i].at("id").get<int>(), &queues[i]});
  }
  const Block block = make_block(std::string(input.at("block").get<std::size_t>(), 'b'));
  const std::vector<int> full = broadcast(std::span<const Member>(room), input.at("sender").get<int>(), block);
  json sizes = json::array();
  for (const OutputQueue& queue : queues) {
    sizes.push_back(queue.size());
  }
  return json{{"full", full}, {"sizes", sizes}};
}

inline const testkit::CallTable& calls() {
  static const testkit::CallTable table{
      {"frame_pieces", frame_pieces},
      {"push_blocks", push_blocks},
      {"broadcast_room", broadcast_room},
  };
  return table;
}

}  // namespace socklab::chat::testing
