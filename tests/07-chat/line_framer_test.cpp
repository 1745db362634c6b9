// Lab 07, task 1: LineFramer.  The framer is compared with the reference on
// many generated streams (through the oracle), and the cases that matter most
// are tested directly, so that a failure reads well.

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstddef>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "calls.hpp"
#include "line_framer.hpp"

using namespace socklab::chat;
using namespace socklab::chat::testing;
using socklab::testkit::describe;
using socklab::testkit::first_difference;
using namespace std::string_literals;

namespace {

// Every frame next() gives until none: lines as their text, refusals as "(too long)".
std::vector<std::string> drain(LineFramer& framer) {
  std::vector<std::string> frames;
  for (int i = 0; i < 10000; ++i) {
    const Frame frame = framer.next();
    if (frame.kind == Frame::Kind::none) {
      break;
    }
    frames.push_back(frame.kind == Frame::Kind::line ? std::string(frame.text) : "(too long)");
  }
  return frames;
}

using Strings = std::vector<std::string>;

// ---- Generated streams --------------------------------------------------------------

// Pieces of a line's text: ASCII, UTF-8 of two, three and four bytes, NUL, a
// lone "\r", a byte that is never UTF-8.
const std::vector<std::string> atoms = {
    "a", "b", "z", " ", "~", "é", "中", "😀", std::string(1, '\0'), "\r", "\xff", "/", "\t",
};

std::string random_text(std::mt19937& rng, std::size_t length) {
  std::uniform_int_distribution<std::size_t> pick(0, atoms.size() - 1);
  std::string text;
  while (text.size() < length) {
    text += atoms[pick(rng)];
  }
  return text;
}

// A length that often sits at the limit or just past it.
std::size_t random_length(std::mt19937& rng, std::size_t max_line) {
  switch (std::uniform_int_distribution<int>(0, 9)(rng)) {
    case 0: return 0;
    case 1: return max_line;
    case 2: return max_line + 1;
    case 3: return max_line > 0 ? max_line - 1 : 0;
    case 4: return max_line + 2;
    case 5: return 3 * max_line + 5;
    default: return std::uniform_int_distribution<std::size_t>(0, 2 * max_line + 2)(rng);
  }
}

std::string random_stream(std::mt19937& rng, std::size_t max_line, int lines) {
  std::string stream;
  for (int i = 0; i < lines; ++i) {
    stream += random_text(rng, random_length(rng, max_line));
    switch (std::uniform_int_distribution<int>(0, 9)(rng)) {
      case 0: case 1: case 2: stream += "\r\n"; break;
      case 3: stream += "\r\r\n"; break;
      case 4: stream += "\r"; break;  // a lone "\r": the line goes on
      default: stream += "\n"; break;
    }
  }
  if (std::uniform_int_distribution<int>(0, 2)(rng) == 0) {
    stream += random_text(rng, random_length(rng, max_line));  // a last line without its "\n"
  }
  return stream;
}

// Cuts \p stream into pieces: at random bytes, at every byte, after every
// "\r" (so "\r" and "\n" come apart) and inside UTF-8 characters, or not at all.
std::vector<std::string> random_cuts(std::mt19937& rng, const std::string& stream, bool allow_every_byte = true) {
  std::vector<std::string> pieces;
  int mode = std::uniform_int_distribution<int>(0, allow_every_byte && stream.size() <= 200 ? 3 : 2)(rng);
  if (mode == 1 && stream.size() > 2000) {
    mode = 0;  // keep long streams to a few dozen pieces
  }
  // About 20 random cuts, however long the stream.
  std::bernoulli_distribution random_cut(std::min(0.3, 20.0 / static_cast<double>(stream.size() + 1)));
  std::string piece;
  for (std::size_t i = 0; i < stream.size(); ++i) {
    piece += stream[i];
    const auto byte = static_cast<unsigned char>(stream[i]);
    bool cut = false;
    if (mode == 0) {
      cut = random_cut(rng);
    } else if (mode == 1) {
      cut = stream[i] == '\r' || (byte >= 0x80 && std::uniform_int_distribution<int>(0, 1)(rng) == 0);
    } else if (mode == 3) {
      cut = true;
    }
    if (cut) {
      pieces.push_back(piece);
      piece.clear();
      if (std::uniform_int_distribution<int>(0, 20)(rng) == 0) {
        pieces.emplace_back();  // feed() may be given nothing
      }
    }
  }
  pieces.push_back(piece);
  return pieces;
}

}  // namespace

TEST_CASE("LineFramer matches the reference on random lines cut at random bytes", "[task_1][points:3]") {
  INFO("Step 1: generated streams of lines (ASCII, UTF-8, NUL, lone \\r, \\r\\n endings, empty and over-long "
       "lines, a last line without \\n), cut into pieces at random bytes, fed in order; after each piece, "
       "next() until none, then buffered()");
  std::mt19937 rng(7);  // fixed: every run gives the same inputs
  socklab::testkit::json inputs = socklab::testkit::json::array();
  for (const std::size_t max_line : {1u, 2u, 3u, 4u, 5u, 8u, 13u, 40u}) {
    for (int i = 0; i < 120; ++i) {
      const std::string stream = random_stream(rng, max_line, std::uniform_int_distribution<int>(1, 12)(rng));
      inputs.push_back(framer_input(max_line, random_cuts(rng, stream, true)));
    }
  }
  INFO("Step 2: the same with a large limit (4096 bytes)");
  for (int i = 0; i < 20; ++i) {
    const std::string stream = random_stream(rng, 4096, std::uniform_int_distribution<int>(1, 6)(rng));
    inputs.push_back(framer_input(4096, random_cuts(rng, stream, false)));
  }
  const auto difference = first_difference(calls(), "frame_pieces", inputs);
  INFO(describe("frame_pieces", difference));
  CHECK_FALSE(difference.has_value());
}

TEST_CASE("LineFramer matches the reference on lines at and just over the limit", "[task_1][points:3]") {
  socklab::testkit::json inputs = socklab::testkit::json::array();
  for (const std::size_t max_line : {1u, 2u, 5u, 64u}) {
    const std::string full(max_line, 'x');
    const std::vector<std::string> streams = {
        full + "\n",                          // exactly the limit
        full + "\r\n",                        // exactly the limit, with "\r\n"
        full + "y\n",                         // one over
        full + "y\r\n",                       // one over, with "\r\n"
        full + "\rz\nok\n",                   // max_line + 1 ending in "\r", then not "\n"
        full + "\r\r\nok\n",                  // max_line + 1 bytes with its "\r\n": too long
        full + "yy",                          // over, and no "\n" ever comes
        full + "\r",                          // max_line + 1 ending in "\r", and nothing more
        full + full + full + "\nafter\n",     // far over, then a good line
        full + "y\n" + full + "y\n" + "ok\n", // two refused lines in a row
        full + "y" + std::string(5000, 'q') + "\n" + full + "\r\n",
    };
    for (const std::string& stream : streams) {
      inputs.push_back(framer_input(max_line, {stream}));  // in one piece
      std::vector<std::string> bytes;
      for (const char c : stream) {
        bytes.emplace_back(1, c);
      }
      if (stream.size() < 200) {
        inputs.push_back(framer_input(max_line, bytes));  // one byte at a time
      }
      for (std::size_t cut = 1; cut < stream.size(); ++cut) {
        // in two: at every place of short streams, and around the limit and the end of long ones
        const bool near = cut + 3 >= max_line && cut <= max_line + 4;
        if (stream.size() <= 24 || near || cut + 4 >= stream.size() || cut % 97 == 0) {
          inputs.push_back(framer_input(max_line, {stream.substr(0, cut), stream.substr(cut)}));
        }
      }
    }
  }
  INFO("Step 1: for limits 1, 2, 5 and 64: lines of exactly max_line bytes (with \\n and with \\r\\n), "
       "max_line + 1, max_line + 1 ending in \\r then another byte, far over the limit, with and without "
       "their \\n; each in one piece, one byte at a time, and cut in two at every place");
  const auto difference = first_difference(calls(), "frame_pieces", inputs);
  INFO(describe("frame_pieces", difference));
  CHECK_FALSE(difference.has_value());
}

TEST_CASE("LineFramer refuses a limit of 0 with std::invalid_argument, and takes a limit of 1", "[task_1][points:1]") {
  INFO("Step 1: LineFramer(0) throws std::invalid_argument");
  CHECK_THROWS_AS(LineFramer(0), std::invalid_argument);
  INFO("Step 2: LineFramer(1) frames \"a\" and refuses \"ab\"");
  LineFramer framer(1);
  framer.feed("a\nab\n");
  CHECK(drain(framer) == Strings{"a", "(too long)"});
}

TEST_CASE("LineFramer gives many lines from one feed, one per next()", "[task_1][points:1]") {
  LineFramer framer(100);
  INFO("Step 1: feed(\"alpha\\nbeta\\r\\n\\ngamma\\ndelta\")");
  framer.feed("alpha\nbeta\r\n\ngamma\ndelta");
  INFO("Step 2: next() gives \"alpha\", \"beta\", \"\" (an empty line), \"gamma\", then none");
  REQUIRE(drain(framer) == Strings{"alpha", "beta", "", "gamma"});
  INFO("Step 3: \"delta\" waits for its \\n: buffered() is 5");
  CHECK(framer.buffered() == 5);
  INFO("Step 4: feed(\"\\n\"), and next() gives \"delta\"; nothing is left");
  framer.feed("\n");
  CHECK(drain(framer) == Strings{"delta"});
  CHECK(framer.buffered() == 0);
}

TEST_CASE("LineFramer gives a line fed one byte at a time whole, when its newline comes", "[task_1][points:2]") {
  const std::string first = "h\xc3\xa9llo, w\xc3\xb6rld \xe4\xb8\xad\xe6\x96\x87 \xf0\x9f\x98\x80";  // héllo, wörld 中文 😀
  const std::string stream = first + "\r\n" + "nul\0byte\n"s;
  LineFramer framer(64);
  INFO("Step 1: \"" << escaped(stream) << "\" fed one byte at a time, with next() until none after each");
  Strings lines;
  std::vector<std::size_t> came_at;
  for (std::size_t i = 0; i < stream.size(); ++i) {
    framer.feed(stream.substr(i, 1));
    for (const std::string& line : drain(framer)) {
      lines.push_back(line);
      came_at.push_back(i);
    }
  }
  INFO("Step 2: two lines came: the UTF-8 one whole (without \\r\\n), then one with a NUL inside");
  REQUIRE(lines.size() == 2);
  CHECK(escaped(lines[0]) == escaped(first));
  CHECK(escaped(lines[1]) == "nul\\x00byte");
  INFO("Step 3: each came just when its \\n was fed, not before");
  CHECK(came_at == std::vector<std::size_t>{first.size() + 1, stream.size() - 1});
}

TEST_CASE("LineFramer drops a carriage return only just before a newline, and keeps every other byte",
          "[task_1][points:1]") {
  LineFramer framer(64);
  INFO("Step 1: a\\r\\n, a\\r\\r\\n, a\\rb\\n, \\r\\n, \\n, \\rlead\\n, then a NUL line, fed at once");
  framer.feed("a\r\na\r\r\na\rb\n\r\n\n\rlead\n\0\n"s);
  INFO("Step 2: next() gives a, a\\r, a\\rb, (empty), (empty), \\rlead, and the NUL");
  const Strings frames = drain(framer);
  REQUIRE(frames.size() == 7);
  Strings shown;
  for (const std::string& frame : frames) {
    shown.push_back(escaped(frame));
  }
  CHECK(shown == Strings{"a", "a\\r", "a\\rb", "", "", "\\rlead", "\\x00"});
}

TEST_CASE("LineFramer refuses a too-long line once, as soon as it is certain, then frames the next",
          "[task_1][points:2]") {
  LineFramer framer(8);
  INFO("Step 1: max_line 8; feed 8 bytes without \\n: none yet, 8 bytes held");
  framer.feed("12345678");
  CHECK(drain(framer).empty());
  CHECK(framer.buffered() == 8);
  INFO("Step 2: feed a ninth byte (not \\r): the line is certainly too long, so next() says too_long now, "
       "before its \\n has come, and only once");
  framer.feed("9");
  REQUIRE(drain(framer) == Strings{"(too long)"});
  CHECK(framer.buffered() == 0);
  INFO("Step 3: more bytes of that line are thrown away as they come: nothing is held, nothing reported");
  framer.feed("and more of the same line");
  CHECK(drain(framer).empty());
  CHECK(framer.buffered() == 0);
  INFO("Step 4: its \\n ends it; the line after it is framed as usual");
  framer.feed("end\nnext\n");
  CHECK(drain(framer) == Strings{"next"});
  INFO("Step 5: 8 bytes and a \\r (9 bytes) might still end in \\r\\n: not refused yet; then \\n: a good line");
  framer.feed("12345678\r");
  CHECK(drain(framer).empty());
  CHECK(framer.buffered() == 9);
  framer.feed("\n");
  CHECK(drain(framer) == Strings{"12345678"});
  INFO("Step 6: 8 bytes, \\r, then x: too long at once; its \\n later gives nothing more");
  framer.feed("12345678\r");
  CHECK(drain(framer).empty());
  framer.feed("x");
  CHECK(drain(framer) == Strings{"(too long)"});
  framer.feed("\nok\n");
  CHECK(drain(framer) == Strings{"ok"});
  INFO("Step 7: a too-long line that comes whole with its \\n, and a good one behind it, in one feed");
  framer.feed("0123456789\nafter\n");
  CHECK(drain(framer) == Strings{"(too long)", "after"});
}

TEST_CASE("LineFramer holds at most max_line + 1 bytes of 10 MB that never end a line", "[task_1][points:2]") {
  LineFramer framer(1000);
  const std::string piece(4096, 'x');
  INFO("Step 1: max_line 1000; 10 MB without \\n, in 4 KiB pieces, with next() until none after each");
  std::size_t too_long = 0;
  std::size_t lines = 0;
  std::size_t most_held = 0;
  for (int i = 0; i < 2560; ++i) {
    framer.feed(piece);
    for (const std::string& frame : drain(framer)) {
      (frame == "(too long)" ? too_long : lines) += 1;
    }
    most_held = std::max(most_held, framer.buffered());
  }
  INFO("Step 2: the line was refused once, and buffered() never passed 1001");
  REQUIRE(too_long == 1);
  CHECK(lines == 0);
  CHECK(most_held <= 1001);
  INFO("Step 3: its \\n ends it; the next line is framed");
  framer.feed("\nafter\n");
  CHECK(drain(framer) == Strings{"after"});
}

TEST_CASE("LineFramer frame text stays valid until the next feed", "[task_1][points:1]") {
  LineFramer framer(8);
  INFO("Step 1: feed(\"one\\ntwo\\n123456789\"): the third line is too long and has no \\n yet");
  framer.feed("one\ntwo\n123456789");
  INFO("Step 2: next() four times: one, two, too_long, none");
  const Frame first = framer.next();
  const Frame second = framer.next();
  const Frame third = framer.next();
  const Frame fourth = framer.next();
  REQUIRE(first.kind == Frame::Kind::line);
  REQUIRE(second.kind == Frame::Kind::line);
  CHECK(third.kind == Frame::Kind::too_long);
  CHECK(fourth.kind == Frame::Kind::none);
  INFO("Step 3: no feed() since: the first two texts still read \"one\" and \"two\"");
  CHECK(escaped(first.text) == "one");
  CHECK(escaped(second.text) == "two");
}
