// chat-load: a load generator for line-relaying chat servers (chapter 07's
// `chat serve`, and the baselines of bench/chat.sh).
//
// One process, one epoll(7) loop, N non-blocking TCP connections with
// TCP_NODELAY, no threads.  Each client sends payload lines
//
//     @m <sender-index> <seq> <send-time-ns, CLOCK_MONOTONIC>
//
// and every line received that contains "@m " is a *delivery*; every other line
// (welcome, join notices, ...) is ignored.  For each (receiver, sender) pair the
// seqs must arrive in order, none missing, none twice.
//
//   chat-load --port P --clients 200 --messages 50 --mode burst
//   chat-load --port P --clients 100 --messages 100 --mode lockstep --json
//   chat-load --port P --clients 10000 --mode idle --server-pid PID
//
// Modes:
//  - burst: every client sends its M lines as fast as its socket takes them
//    (reading all the while); done when all N*M*(N-1) deliveries arrived.
//  - lockstep: M rounds; in each, every client sends one line, and the next
//    round starts when every client has all N-1 lines of this one.  Reports
//    delivery latency (receive time - send time): p50, p99, max.
//  - idle: holds N connections for --hold seconds, reading whatever comes,
//    then reports how many are still connected (and the server's RSS).
//
// Before the clock starts: all N connect (at most 256 handshakes at a time);
// then each waits for its first line from the server (a welcome), for at most
// 1 s since servers that greet nobody exist; then, in burst and lockstep,
// client 0 sends "@ready" lines until every other client has received one, so
// every connection is known to be registered with the server; then the loop
// waits for 100 ms of silence (at most 5 s), so that join notices are not
// counted in the run.  Idle mode skips the roll call and waits for the silence
// too before it holds.
//
// Exit status: 0 the run completed and every check passed; 1 a check failed
// (lost, out of order, duplicated or malformed deliveries, or a connection the
// server closed); 2 the run could not be made (bad option, refused connection,
// too few descriptors); 3 --timeout was reached.  A run in which nothing is
// delivered for --stall seconds (a lost line, a stuck server) fails (1) then.

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_set>
#include <utility>
#include <vector>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "socklab/file_descriptor.hpp"
#include "socklab/system_error.hpp"

namespace {

using socklab::check;
using socklab::FileDescriptor;

constexpr std::int64_t kMillisecond = 1'000'000;
constexpr std::int64_t kSecond = 1'000'000'000;
constexpr std::size_t kMaxMeasuredClients = 4096;  // the per-pair table is N*N entries
constexpr std::size_t kConnectWindow = 256;         // handshakes in flight at once
constexpr std::size_t kSendChunk = 64 * 1024;       // burst: bytes queued per client at a time
constexpr std::size_t kMaxServerLine = 1024 * 1024; // a longer line from the server is an error

// CLOCK_MONOTONIC in nanoseconds: the clock the payload lines carry.
std::int64_t now_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return std::int64_t{ts.tv_sec} * kSecond + ts.tv_nsec;
}

enum class Mode { burst, lockstep, idle };

struct Options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  std::size_t clients = 100;
  std::uint32_t messages = 100;
  Mode mode = Mode::burst;
  double timeout = 120;
  double hold = 1;
  double stall = 5;
  bool json = false;
  bool verbose = false;
  int server_pid = 0;
};

// How a run ended, best first; the exit status is the number.
enum class Status { ok = 0, failed = 1, error = 2, timeout = 3 };

std::string_view status_name(Status status) {
  switch (status) {
    case Status::ok: return "ok";
    case Status::failed: return "failed";
    case Status::error: return "error";
    case Status::timeout: return "timeout";
  }
  return "?";
}

// Thrown to end a run early; the message says why.
struct RunEnded {
  Status status;
  std::string message;
};

// ---------------------------------------------------------------------------
// The delivery checks: for each (receiver, sender) pair, seqs in order, none
// missing, none twice.

class Tally {
 public:
  enum class Kind { in_order, late, duplicate, invalid };

  Tally(std::size_t clients, std::uint32_t messages, bool keep_latencies)
      : clients_(clients), messages_(messages), keep_latencies_(keep_latencies),
        next_(clients * clients, 0) {
    if (keep_latencies_) {
      // Room for every delivery (up to 16 Mi samples, 64 MiB), zeroed now so
      // that the run's page faults and reallocations happen before the clock starts.
      latencies_.resize(static_cast<std::size_t>(std::min<std::uint64_t>(expected(), std::uint64_t{1} << 24)));
    }
  }

  // One delivery of line (sender, seq) to receiver, sent at sent_ns, read at now.
  Kind record(std::size_t receiver, std::uint64_t sender, std::uint64_t seq, std::int64_t sent_ns,
              std::int64_t now) {
    if (sender >= clients_ || sender == receiver || seq >= messages_) {
      ++invalid_;
      return Kind::invalid;
    }
    const std::size_t pair = receiver * clients_ + static_cast<std::size_t>(sender);
    const auto s = static_cast<std::uint32_t>(seq);
    std::uint32_t& next = next_[pair];
    Kind kind = Kind::in_order;
    if (s < next) {
      // Seen before, unless it was skipped when a later one came first.
      if (missing_.erase(key(pair, s)) == 0) {
        ++duplicates_;
        return Kind::duplicate;
      }
      ++out_of_order_;
      kind = Kind::late;
    } else {
      for (std::uint32_t skipped = next; skipped < s; ++skipped) {
        missing_.insert(key(pair, skipped));
      }
      next = s + 1;
    }
    ++deliveries_;
    if (keep_latencies_) {
      const std::int64_t latency = std::max<std::int64_t>(now - sent_ns, 0);
      max_latency_ = std::max(max_latency_, latency);
      const auto micros = static_cast<std::uint32_t>(
          std::min<std::int64_t>((latency + 500) / 1000, std::numeric_limits<std::uint32_t>::max()));
      if (latency_count_ < latencies_.size()) {
        latencies_[latency_count_] = micros;
      } else {
        latencies_.push_back(micros);
      }
      ++latency_count_;
    }
    return kind;
  }

  void count_invalid() { ++invalid_; }

  [[nodiscard]] std::uint64_t expected() const {
    return std::uint64_t{clients_} * (clients_ - 1) * messages_;
  }
  [[nodiscard]] std::uint64_t deliveries() const { return deliveries_; }
  [[nodiscard]] std::uint64_t lost() const { return expected() - deliveries_; }
  [[nodiscard]] std::uint64_t out_of_order() const { return out_of_order_; }
  [[nodiscard]] std::uint64_t duplicates() const { return duplicates_; }
  [[nodiscard]] std::uint64_t invalid() const { return invalid_; }
  [[nodiscard]] bool clean() const {
    return lost() == 0 && out_of_order_ == 0 && duplicates_ == 0 && invalid_ == 0;
  }

  // The latency at quantile q (nearest rank), in nanoseconds (to the microsecond); reorders the samples.
  [[nodiscard]] std::int64_t latency_quantile(double q) {
    if (latency_count_ == 0) {
      return 0;
    }
    const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(latency_count_)));
    const std::size_t index = std::clamp<std::size_t>(rank, 1, latency_count_) - 1;
    const auto at = latencies_.begin() + static_cast<std::ptrdiff_t>(index);
    std::nth_element(latencies_.begin(), at, latencies_.begin() + static_cast<std::ptrdiff_t>(latency_count_));
    return std::int64_t{*at} * 1000;
  }
  [[nodiscard]] std::int64_t max_latency() const { return max_latency_; }
  [[nodiscard]] bool has_latencies() const { return latency_count_ > 0; }

 private:
  static std::uint64_t key(std::size_t pair, std::uint32_t seq) {
    return (std::uint64_t{pair} << 32) | seq;
  }

  std::size_t clients_;
  std::uint32_t messages_;
  bool keep_latencies_;
  std::vector<std::uint32_t> next_;          // [receiver * N + sender]: the next seq expected
  std::unordered_set<std::uint64_t> missing_;  // skipped (pair, seq) that may still come late
  std::vector<std::uint32_t> latencies_;     // microseconds (max_latency_ is in ns); the first latency_count_ are set
  std::size_t latency_count_ = 0;
  std::int64_t max_latency_ = 0;
  std::uint64_t deliveries_ = 0;  // distinct (receiver, sender, seq) received
  std::uint64_t out_of_order_ = 0;
  std::uint64_t duplicates_ = 0;
  std::uint64_t invalid_ = 0;
};

// Whether the 8 bytes in chunk (as loaded from memory, little-endian) are all '0' to '9'.
constexpr bool eight_digits(std::uint64_t chunk) {
  return ((chunk & 0xF0F0F0F0F0F0F0F0) | (((chunk + 0x0606060606060606) & 0xF0F0F0F0F0F0F0F0) >> 4)) ==
         0x3333333333333333;
}

// The value of 8 decimal digits loaded as chunk (the first digit in the lowest byte).
constexpr std::uint64_t eight_digits_value(std::uint64_t chunk) {
  chunk -= 0x3030303030303030;
  chunk = chunk * 10 + (chunk >> 8);  // pairs of digits, in every other byte
  return (((chunk & 0x000000FF000000FF) * 0x000F424000000064) +
          (((chunk >> 16) & 0x000000FF000000FF) * 0x0000271000000001)) >> 32;
}
static_assert(eight_digits(0x3837363534333231) && !eight_digits(0x3837363534333a31) && !eight_digits(0x3837363534332f31));
static_assert(eight_digits_value(0x3837363534333231) == 12345678);

// Reads an unsigned decimal number at p (as std::from_chars does: at least one
// digit, no sign, no overflow); returns where it ends, or nullptr.  Eight
// digits at a time where it can: the send times have 13 or more.
const char* parse_number(const char* p, const char* end, std::uint64_t& value) {
  const char* const start = p;
  std::uint64_t n = 0;
  while (end - p >= 8 && p - start <= 8) {
    std::uint64_t chunk = 0;
    std::memcpy(&chunk, p, sizeof chunk);
    if constexpr (std::endian::native == std::endian::big) {
      chunk = __builtin_bswap64(chunk);
    }
    if (!eight_digits(chunk)) {
      break;
    }
    n = n * 100'000'000 + eight_digits_value(chunk);
    p += 8;
  }
  for (; p != end && static_cast<unsigned char>(*p - '0') < 10; ++p) {
    n = n * 10 + static_cast<std::uint64_t>(*p - '0');
  }
  if (p == start) {
    return nullptr;
  }
  if (p - start > 19) {  // may have overflowed: again, with checks
    n = 0;
    for (const char* d = start; d != p; ++d) {
      if (__builtin_mul_overflow(n, std::uint64_t{10}, &n) ||
          __builtin_add_overflow(n, static_cast<std::uint64_t>(*d - '0'), &n)) {
        return nullptr;
      }
    }
  }
  value = n;
  return p;
}

// Parses "S Q T" (three unsigned numbers, one space apart) at the start of text.
std::optional<std::array<std::uint64_t, 3>> parse_payload(std::string_view text) {
  std::array<std::uint64_t, 3> numbers{};
  const char* p = text.data();
  const char* const end = text.data() + text.size();
  for (std::size_t i = 0; i < numbers.size(); ++i) {
    if (i > 0) {
      if (p == end || *p != ' ') {
        return std::nullopt;
      }
      ++p;
    }
    p = parse_number(p, end, numbers[i]);
    if (p == nullptr) {
      return std::nullopt;
    }
  }
  return numbers;
}

// Appends the decimal digits of value to out.
void append_number(std::string& out, std::uint64_t value) {
  std::array<char, 20> digits;  // 2^64 - 1 has 20
  std::size_t at = digits.size();
  do {
    digits[--at] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  out.append(digits.data() + at, digits.size() - at);
}

// Appends the payload line "@m SENDER SEQ SENT-NS\n" to out.
void append_payload(std::string& out, std::size_t sender, std::uint32_t seq, std::int64_t sent_ns) {
  out += "@m ";
  append_number(out, sender);
  out += ' ';
  append_number(out, seq);
  out += ' ';
  append_number(out, static_cast<std::uint64_t>(sent_ns));
  out += '\n';
}

// Where "@m " starts in line, or npos (line.find("@m "), a little faster).
std::size_t find_payload_mark(std::string_view line) {
  const char* const begin = line.data();
  const char* const end = begin + line.size();
  for (const char* p = begin; end - p >= 3;) {
    p = static_cast<const char*>(std::memchr(p, '@', static_cast<std::size_t>(end - p - 2)));
    if (p == nullptr) {
      break;
    }
    if (p[1] == 'm' && p[2] == ' ') {
      return static_cast<std::size_t>(p - begin);
    }
    ++p;
  }
  return std::string_view::npos;
}

// ---------------------------------------------------------------------------
// The server's memory, from /proc/PID/status.

struct ServerMemory {
  std::optional<std::uint64_t> hwm_kib;  // VmHWM: peak resident set
  std::optional<std::uint64_t> rss_kib;  // VmRSS: resident set now
};

ServerMemory read_server_memory(int pid) {
  ServerMemory memory;
  std::ifstream status(fmt::format("/proc/{}/status", pid));
  std::string line;
  while (std::getline(status, line)) {
    const auto value = [&line]() -> std::optional<std::uint64_t> {
      std::uint64_t kib = 0;
      const std::size_t digits = line.find_first_of("0123456789");
      if (digits == std::string::npos ||
          std::from_chars(line.data() + digits, line.data() + line.size(), kib).ec != std::errc{}) {
        return std::nullopt;
      }
      return kib;
    };
    if (line.starts_with("VmHWM:")) {
      memory.hwm_kib = value();
    } else if (line.starts_with("VmRSS:")) {
      memory.rss_kib = value();
    }
  }
  return memory;
}

// ---------------------------------------------------------------------------
// The connections and the loop.

struct Client {
  enum class State { not_started, connecting, open, closed };
  FileDescriptor fd;
  State state = State::not_started;
  std::string carry;            // the start of a line whose "\n" has not come yet
  std::string out;              // bytes to send, from out_sent on
  std::size_t out_sent = 0;
  std::uint32_t sent = 0;       // payload lines queued so far
  std::uint64_t lines = 0;      // lines received
  bool write_armed = false;     // EPOLLOUT in the interest set
  bool ready = false;           // has received a roll-call line
  std::string last_error_line;  // the last "!" line from the server
  std::string closed_why;
};

class Load {
 public:
  Load(const Options& options, const sockaddr_storage& address, socklen_t address_length)
      : options_(options), address_(address), address_length_(address_length),
        clients_(options.clients),
        tally_(options.mode == Mode::idle ? 0 : options.clients, options.messages,
               options.mode == Mode::lockstep),
        epoll_(check("epoll_create1", ::epoll_create1(EPOLL_CLOEXEC))),
        created_(now_ns()), deadline_(created_ + static_cast<std::int64_t>(options.timeout * 1e9)),
        stall_(static_cast<std::int64_t>(options.stall * 1e9)) {}

  // Connect, settle, run the mode.  Throws RunEnded when it cannot finish.
  void run() {
    connect_all();
    note("connected");
    const std::int64_t connected_at = now_ns();
    run_until([this] { return greeted_ >= open_count(); }, connected_at + kSecond, "waiting for greetings");
    note(fmt::format("greeted ({} of {} have a line)", greeted_, open_count()));
    if (options_.mode == Mode::idle) {
      quiet(100 * kMillisecond);  // let join notices drain, so VmRSS is the resting figure
      note("quiet");
      run_until([] { return false; }, now_ns() + static_cast<std::int64_t>(options_.hold * 1e9), "holding");
      drain_all();
      note("held");
      return;
    }
    roll_call();
    note("roll call answered");
    quiet(100 * kMillisecond);
    note("quiet");
    measuring_ = true;
    started_ = now_ns();
    last_delivery_ = started_;
    if (options_.mode == Mode::burst) {
      for (std::size_t i = 0; i < clients_.size(); ++i) {
        write_more(i);
      }
      run_until([this] { return tally_.deliveries() == tally_.expected(); }, 0, "burst");
    } else {
      start_round();
      run_until([this] { return round_ == options_.messages; }, 0, "lockstep");
    }
    finished_ = now_ns();
    note("done");
    if (stamped_reads_ > 0) {
      note(fmt::format("{} reads had a kernel timestamp; they waited {:.3f} ms on average to be read", stamped_reads_,
                       static_cast<double>(stamped_gap_) / static_cast<double>(stamped_reads_) / 1e6));
    }
  }

  [[nodiscard]] std::size_t open_count() const { return connected_ - closed_; }
  [[nodiscard]] std::size_t connected() const { return connected_; }
  [[nodiscard]] std::size_t closed() const { return closed_; }
  [[nodiscard]] Tally& tally() { return tally_; }
  [[nodiscard]] std::int64_t measured_ns() const {
    return (finished_ ? finished_ : now_ns()) - started_;
  }
  [[nodiscard]] bool measuring() const { return measuring_; }
  [[nodiscard]] std::uint32_t round() const { return round_; }
  [[nodiscard]] std::uint64_t sent() const {
    std::uint64_t total = 0;
    for (const Client& client : clients_) {
      total += client.sent;
    }
    return total;
  }

 private:
  // -- phases ---------------------------------------------------------------

  // --verbose: how long each step of the set-up took.
  void note(const std::string& what) const {
    if (options_.verbose) {
      fmt::print(stderr, "chat-load: {:8.3f} s  {}\n", static_cast<double>(now_ns() - created_) / 1e9, what);
    }
  }

  void connect_all() {
    std::size_t started = 0;
    while (connected_ < clients_.size()) {
      while (started < clients_.size() && connecting_ < kConnectWindow) {
        start_connect(started++);
      }
      poll_once(deadline_, "connecting");
      if (now_ns() >= deadline_) {
        throw RunEnded{Status::timeout, fmt::format("timed out while connecting: {} of {} connected",
                                                    connected_, clients_.size())};
      }
    }
  }

  // Client 0 says "@ready" (again every 200 ms) until every other client has heard it.
  void roll_call() {
    std::int64_t next_call = 0;
    run_until([this] { return ready_ + 1 == clients_.size(); }, 0, "roll call", [this, &next_call](std::int64_t now) {
      if (now >= next_call) {
        next_call = now + 200 * kMillisecond;
        clients_[0].out += "@ready\n";
        write_more(0);
      }
    });
  }

  // Waits until nothing has arrived for `silence` (at most 5 s).
  void quiet(std::int64_t silence) {
    const std::int64_t limit = now_ns() + 5 * kSecond;
    run_until([this, silence] { return now_ns() - last_input_ >= silence; }, limit, "settling",
              [](std::int64_t) {});  // a tick, so the loop wakes to see the silence
  }

  void start_round() {
    round_deliveries_ = 0;
    realtime_offset_ = realtime_offset();
    for (std::size_t i = 0; i < clients_.size(); ++i) {
      Client& client = clients_[i];
      append_payload(client.out, i, round_, now_ns());
      ++client.sent;
      write_more(i);
    }
  }

  // Runs the loop until done() (true), or until phase_limit (0: none) passes
  // (false).  Throws RunEnded at the run's deadline or on a fatal event.
  bool run_until(const std::function<bool()>& done, std::int64_t phase_limit, std::string_view phase,
                 const std::function<void(std::int64_t)>& tick = {}) {
    while (true) {
      if (!fatal_.empty()) {
        throw RunEnded{Status::failed, fatal_};
      }
      if (done()) {
        return true;
      }
      const std::int64_t now = now_ns();
      if (now >= deadline_) {
        throw RunEnded{Status::timeout, fmt::format("timed out after {} s while {}", options_.timeout, phase)};
      }
      if (phase_limit != 0 && now >= phase_limit) {
        return false;
      }
      if (measuring_ && now - last_delivery_ >= stall_) {
        throw RunEnded{Status::failed, fmt::format("nothing was delivered for {} s while {} ({} of {} deliveries arrived)",
                                                   options_.stall, phase, tally_.deliveries(), tally_.expected())};
      }
      if (tick) {
        tick(now);
      }
      std::int64_t until = phase_limit != 0 ? std::min(phase_limit, deadline_) : deadline_;
      if (tick) {
        until = std::min(until, now + 20 * kMillisecond);
      }
      poll_once(until, phase);
    }
  }

  // One epoll_wait (until `until` at the latest) and the events it returns.
  void poll_once(std::int64_t until, std::string_view phase) {
    std::array<epoll_event, 1024>& events = events_;
    const std::int64_t wait = std::clamp<std::int64_t>((until - now_ns() + kMillisecond - 1) / kMillisecond, 0, 1000);
    const int ready = ::epoll_wait(epoll_.get(), events.data(), static_cast<int>(events.size()), static_cast<int>(wait));
    if (ready < 0) {
      if (errno == EINTR) {
        return;
      }
      throw std::system_error(errno, std::system_category(), "epoll_wait");
    }
    for (int i = 0; i < ready; ++i) {
      const epoll_event& event = events[static_cast<std::size_t>(i)];
      handle(static_cast<std::size_t>(event.data.u64), event.events, phase);
    }
  }

  // -- one connection ---------------------------------------------------------

  void start_connect(std::size_t index) {
    Client& client = clients_[index];
    const int family = address_.ss_family;
    client.fd = FileDescriptor(::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!client.fd) {
      const int error = errno;
      throw RunEnded{Status::error, fmt::format("socket: {}{}", std::strerror(error),
                                                error == EMFILE ? " (raise ulimit -n)" : "")};
    }
    const int one = 1;
    check("setsockopt(TCP_NODELAY)", ::setsockopt(client.fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one));
    if (options_.mode == Mode::lockstep) {
      check("setsockopt(SO_TIMESTAMPNS)", ::setsockopt(client.fd.get(), SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one));
    }
    if (::connect(client.fd.get(), reinterpret_cast<const sockaddr*>(&address_), address_length_) < 0 &&
        errno != EINPROGRESS) {
      throw RunEnded{Status::error, fmt::format("connect (client {}): {}", index, std::strerror(errno))};
    }
    client.state = Client::State::connecting;
    ++connecting_;
    epoll_event event{};
    event.events = EPOLLOUT;
    event.data.u64 = index;
    check("epoll_ctl", ::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, client.fd.get(), &event));
  }

  void finish_connect(std::size_t index) {
    Client& client = clients_[index];
    int error = 0;
    socklen_t length = sizeof error;
    check("getsockopt(SO_ERROR)", ::getsockopt(client.fd.get(), SOL_SOCKET, SO_ERROR, &error, &length));
    if (error != 0) {
      throw RunEnded{Status::error, fmt::format("connect (client {} of {}): {}", index, clients_.size(),
                                                std::strerror(error))};
    }
    --connecting_;
    ++connected_;
    client.state = Client::State::open;
    client.write_armed = true;  // registered with EPOLLOUT
    arm(index);
  }

  void handle(std::size_t index, std::uint32_t events, std::string_view phase) {
    Client& client = clients_[index];
    if (client.state == Client::State::connecting) {
      finish_connect(index);
      return;
    }
    if (client.state != Client::State::open) {
      return;
    }
    if ((events & (EPOLLIN | EPOLLERR | EPOLLHUP)) != 0) {
      read_some(index, phase);
    }
    if (client.state == Client::State::open && (events & EPOLLOUT) != 0) {
      write_more(index);
    }
  }

  void read_some(std::size_t index, std::string_view phase) {
    Client& client = clients_[index];
    iovec data{buffer_.data(), buffer_.size()};
    alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(timespec))> control{};
    msghdr message{};
    message.msg_iov = &data;
    message.msg_iovlen = 1;
    if (options_.mode == Mode::lockstep) {
      message.msg_control = control.data();
      message.msg_controllen = control.size();
    }
    const ssize_t n = ::recvmsg(client.fd.get(), &message, 0);
    if (n > 0) {
      const std::int64_t now = now_ns();
      last_input_ = now;
      consume(index, std::string_view(buffer_.data(), static_cast<std::size_t>(n)), arrival(message, now));
    } else if (n == 0) {
      lose(index, "closed by the server", phase);
    } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
      lose(index, std::strerror(errno), phase);
    }
  }

  // Lockstep: when the kernel received the newest bytes of a read (SO_TIMESTAMPNS,
  // CLOCK_REALTIME, moved to CLOCK_MONOTONIC), so that the time this loop takes
  // to come round to a socket does not count as the server's latency.  Lines
  // that came earlier in the same read are given the same, later, time.
  [[nodiscard]] std::int64_t arrival(const msghdr& message, std::int64_t now) {
    for (const cmsghdr* c = CMSG_FIRSTHDR(&message); c != nullptr;
         c = CMSG_NXTHDR(const_cast<msghdr*>(&message), const_cast<cmsghdr*>(c))) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
        timespec ts{};
        std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
        const std::int64_t received = std::int64_t{ts.tv_sec} * kSecond + ts.tv_nsec - realtime_offset_;
        ++stamped_reads_;
        stamped_gap_ += now - received;
        return std::min(received, now);
      }
    }
    return now;
  }

  // CLOCK_REALTIME - CLOCK_MONOTONIC, now.
  static std::int64_t realtime_offset() {
    timespec real{};
    const std::int64_t before = now_ns();
    ::clock_gettime(CLOCK_REALTIME, &real);
    const std::int64_t after = now_ns();
    return std::int64_t{real.tv_sec} * kSecond + real.tv_nsec - (before + after) / 2;
  }


  // Cuts received bytes into lines.
  void consume(std::size_t index, std::string_view data, std::int64_t now) {
    Client& client = clients_[index];
    if (!client.carry.empty()) {
      const std::size_t end = data.find('\n');
      if (end == std::string_view::npos) {
        client.carry.append(data);
        if (client.carry.size() > kMaxServerLine) {
          fatal_ = fmt::format("client {} received a line over {} bytes", index, kMaxServerLine);
        }
        return;
      }
      client.carry.append(data.substr(0, end));
      on_line(index, client.carry, now);
      client.carry.clear();
      data.remove_prefix(end + 1);
    }
    while (!data.empty()) {
      const std::size_t end = data.find('\n');
      if (end == std::string_view::npos) {
        client.carry.assign(data);
        return;
      }
      on_line(index, data.substr(0, end), now);
      data.remove_prefix(end + 1);
    }
  }

  void on_line(std::size_t index, std::string_view line, std::int64_t now) {
    Client& client = clients_[index];
    if (client.lines++ == 0) {
      ++greeted_;
    }
    const std::size_t at = find_payload_mark(line);
    if (at == std::string_view::npos) {
      if (line.starts_with('!')) {
        client.last_error_line.assign(line.substr(0, 200));
      } else if (!client.ready && index != 0 && line.find("@ready") != std::string_view::npos) {
        client.ready = true;
        ++ready_;
      }
      return;
    }
    if (!measuring_) {
      tally_.count_invalid();  // a payload line before any was sent
      return;
    }
    const auto payload = parse_payload(line.substr(at + 3));
    if (!payload) {
      tally_.count_invalid();
      return;
    }
    const auto [sender, seq, sent_ns] = *payload;
    const Tally::Kind kind = tally_.record(index, sender, seq, static_cast<std::int64_t>(sent_ns), now);
    last_delivery_ = now;
    if (options_.mode == Mode::lockstep && seq == round_ &&
        (kind == Tally::Kind::in_order || kind == Tally::Kind::late) &&
        ++round_deliveries_ == clients_.size() * (clients_.size() - 1)) {
      if (++round_ < options_.messages) {
        start_round();
      }
    }
  }

  // Queues (burst) and sends what the socket takes now.
  void write_more(std::size_t index) {
    Client& client = clients_[index];
    for (int chunk = 0; chunk < 4 && client.state == Client::State::open; ++chunk) {
      if (measuring_ && options_.mode == Mode::burst && client.sent < options_.messages &&
          client.out.size() - client.out_sent < kSendChunk) {
        const std::int64_t now = now_ns();
        while (client.sent < options_.messages && client.out.size() - client.out_sent < kSendChunk) {
          append_payload(client.out, index, client.sent, now);
          ++client.sent;
        }
      }
      if (client.out_sent == client.out.size()) {
        break;
      }
      const ssize_t n = ::send(client.fd.get(), client.out.data() + client.out_sent,
                               client.out.size() - client.out_sent, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
          break;
        }
        lose(index, std::strerror(errno), "sending");
        return;
      }
      client.out_sent += static_cast<std::size_t>(n);
      if (client.out_sent == client.out.size()) {
        client.out.clear();
        client.out_sent = 0;
      } else {
        break;  // the socket's buffer is full
      }
    }
    arm(index);
  }

  // EPOLLOUT only while there is something to send.
  void arm(std::size_t index) {
    Client& client = clients_[index];
    if (client.state != Client::State::open) {
      return;
    }
    const bool want = client.out_sent < client.out.size() ||
                      (measuring_ && options_.mode == Mode::burst && client.sent < options_.messages);
    if (want == client.write_armed) {
      return;
    }
    epoll_event event{};
    event.events = EPOLLIN | (want ? EPOLLOUT : 0u);
    event.data.u64 = index;
    check("epoll_ctl", ::epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, client.fd.get(), &event));
    client.write_armed = want;
  }

  // A connection that ended.  In burst and lockstep that ends the run.
  void lose(std::size_t index, const std::string& why, std::string_view phase) {
    Client& client = clients_[index];
    client.state = Client::State::closed;
    client.closed_why = why;
    client.fd = FileDescriptor();
    ++closed_;
    if (options_.mode != Mode::idle && fatal_.empty()) {
      fatal_ = fmt::format("client {} lost its connection while {}: {}{}", index, phase, why,
                           client.last_error_line.empty() ? "" : fmt::format(" (last: \"{}\")", client.last_error_line));
    }
  }

  // Idle: reads what is waiting on every connection, to see which the server closed.
  void drain_all() {
    for (std::size_t i = 0; i < clients_.size(); ++i) {
      for (int reads = 0; reads < 64 && clients_[i].state == Client::State::open; ++reads) {
        const ssize_t n = ::recv(clients_[i].fd.get(), buffer_.data(), buffer_.size(), MSG_DONTWAIT);
        if (n == 0) {
          lose(i, "closed by the server", "holding");
        } else if (n < 0) {
          if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            lose(i, std::strerror(errno), "holding");
          }
          break;
        } else {
          consume(i, std::string_view(buffer_.data(), static_cast<std::size_t>(n)), now_ns());
        }
      }
    }
  }

 public:
  // Why the first closed connection closed (idle), or "".
  [[nodiscard]] std::string first_loss() const {
    for (std::size_t i = 0; i < clients_.size(); ++i) {
      const Client& client = clients_[i];
      if (client.state == Client::State::closed) {
        return fmt::format("client {}: {}{}", i, client.closed_why,
                           client.last_error_line.empty() ? "" : fmt::format(" (last: \"{}\")", client.last_error_line));
      }
    }
    return "";
  }

 private:
  const Options& options_;
  sockaddr_storage address_;
  socklen_t address_length_;
  std::vector<Client> clients_;
  Tally tally_;
  FileDescriptor epoll_;
  std::int64_t created_;
  std::int64_t deadline_;
  std::array<char, 256 * 1024> buffer_{};
  std::array<epoll_event, 1024> events_{};
  std::size_t connecting_ = 0;
  std::size_t connected_ = 0;
  std::size_t closed_ = 0;
  std::size_t greeted_ = 0;   // clients that have received a line
  std::size_t ready_ = 0;     // clients that have received the roll call
  std::int64_t last_input_ = 0;
  std::int64_t last_delivery_ = 0;
  std::int64_t realtime_offset_ = realtime_offset();
  std::uint64_t stamped_reads_ = 0;   // reads that carried a kernel timestamp
  std::int64_t stamped_gap_ = 0;      // their total wait in the socket before this loop read them
  std::int64_t stall_;
  bool measuring_ = false;
  std::int64_t started_ = 0;
  std::int64_t finished_ = 0;
  std::uint32_t round_ = 0;
  std::size_t round_deliveries_ = 0;
  std::string fatal_;
};

// ---------------------------------------------------------------------------

// Soft RLIMIT_NOFILE up to the hard limit, and (as root) the hard limit up to `needed`.
void raise_descriptor_limit(std::size_t needed) {
  rlimit limit{};
  check("getrlimit", ::getrlimit(RLIMIT_NOFILE, &limit));
  if (limit.rlim_max < needed) {
    rlimit raised{needed, needed};
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) {  // works with CAP_SYS_RESOURCE
      return;
    }
  }
  limit.rlim_cur = limit.rlim_max;
  check("setrlimit", ::setrlimit(RLIMIT_NOFILE, &limit));
  if (limit.rlim_cur < needed) {
    throw RunEnded{Status::error, fmt::format("{} clients need about {} descriptors, but the limit is {} "
                                              "(ulimit -n; as root, chat-load raises it)",
                                              needed - 64, needed, limit.rlim_cur)};
  }
}

std::pair<sockaddr_storage, socklen_t> numeric_address(const std::string& host, std::uint16_t port) {
  addrinfo hints{};
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;  // never DNS
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const int error = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found);
  if (error != 0) {
    throw RunEnded{Status::error, fmt::format("--host {}: {} (a numeric address is needed)", host, ::gai_strerror(error))};
  }
  sockaddr_storage address{};
  std::memcpy(&address, found->ai_addr, found->ai_addrlen);
  const socklen_t length = found->ai_addrlen;
  ::freeaddrinfo(found);
  return {address, length};
}

std::string mode_name(Mode mode) {
  switch (mode) {
    case Mode::burst: return "burst";
    case Mode::lockstep: return "lockstep";
    case Mode::idle: return "idle";
  }
  return "?";
}

double ms(std::int64_t ns) { return static_cast<double>(ns) / 1e6; }
double mib(std::uint64_t kib) { return static_cast<double>(kib) / 1024.0; }

}  // namespace

int main(int argc, char** argv) {
  Options options;
  CLI::App app{"chat-load: drives a line-relaying chat server with N clients and checks every delivery"};
  app.footer(
      "Payload lines are \"@m SENDER SEQ SEND-TIME-NS\"; a received line containing \"@m \" is a delivery,\n"
      "every other line is ignored.  Exit status: 0 completed with no lost, out-of-order, duplicated or\n"
      "malformed delivery and no connection lost; 1 a check failed (or nothing was delivered for\n"
      "--stall seconds); 2 the run could not be made; 3 --timeout was reached.");
  app.add_option("--host", options.host, "the server's numeric address (no DNS)")->capture_default_str();
  app.add_option("--port", options.port, "the server's port")->required()->check(CLI::Range(1, 65535));
  app.add_option("--clients", options.clients, "N: connections (burst and lockstep: 2 to 4096)")
      ->capture_default_str()->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000}));
  app.add_option("--messages", options.messages, "M: lines each client sends (lockstep: rounds)")
      ->capture_default_str()->check(CLI::Range(std::uint32_t{1}, std::uint32_t{100'000'000}));
  std::string mode = "burst";
  app.add_option("--mode", mode, "burst, lockstep or idle")
      ->capture_default_str()
      ->check(CLI::IsMember({"burst", "lockstep", "idle"}));
  app.add_option("--timeout", options.timeout, "seconds: a hard bound on the whole run")
      ->capture_default_str()->check(CLI::Range(0.1, 86400.0));
  app.add_option("--hold", options.hold, "idle: seconds to hold the connections")
      ->capture_default_str()->check(CLI::Range(0.0, 3600.0));
  app.add_option("--stall", options.stall, "burst, lockstep: fail when nothing is delivered for this many seconds")
      ->capture_default_str()->check(CLI::Range(0.1, 3600.0));
  app.add_flag("--json", options.json, "print the result as one JSON object");
  app.add_flag("--verbose", options.verbose, "say on standard error when each step of the set-up ends");
  app.add_option("--server-pid", options.server_pid, "read VmHWM and VmRSS of this process at the end")
      ->check(CLI::PositiveNumber);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error) == 0 ? 0 : static_cast<int>(Status::error);  // --help: 0
  }
  options.mode = mode == "lockstep" ? Mode::lockstep : mode == "idle" ? Mode::idle : Mode::burst;

  if (options.mode != Mode::idle && (options.clients < 2 || options.clients > kMaxMeasuredClients)) {
    fmt::print(stderr, "chat-load: --clients must be 2 to {} in {} mode\n", kMaxMeasuredClients, mode_name(options.mode));
    return static_cast<int>(Status::error);
  }

  Status status = Status::ok;
  std::string message;
  std::optional<Load> load;
  try {
    raise_descriptor_limit(options.clients + 64);
    const auto [address, length] = numeric_address(options.host, options.port);
    load.emplace(options, address, length);
    load->run();
  } catch (const RunEnded& ended) {
    status = ended.status;
    message = ended.message;
  } catch (const std::exception& error) {
    status = Status::error;
    message = error.what();
  }
  const ServerMemory memory = options.server_pid > 0 ? read_server_memory(options.server_pid) : ServerMemory{};

  nlohmann::json result = {{"mode", mode_name(options.mode)},
                           {"host", options.host},
                           {"port", options.port},
                           {"clients", options.clients}};
  if (options.mode != Mode::idle) {
    result["messages"] = options.messages;
  }
  if (load) {
    Tally& tally = load->tally();
    if (options.mode == Mode::idle) {
      result["connected"] = load->open_count();
      if (status == Status::ok && load->open_count() != options.clients) {
        status = Status::failed;
        message = fmt::format("{} of {} connections are still open; first lost: {}", load->open_count(),
                              options.clients, load->first_loss());
      }
    } else if (load->measuring()) {
      if (status == Status::ok && !tally.clean()) {
        status = Status::failed;
        message = "some deliveries were lost, out of order, duplicated or malformed";
      }
      const double seconds = static_cast<double>(load->measured_ns()) / 1e9;
      result["expected"] = tally.expected();
      result["deliveries"] = tally.deliveries();
      result["lost"] = tally.lost();
      result["out_of_order"] = tally.out_of_order();
      result["duplicates"] = tally.duplicates();
      result["invalid"] = tally.invalid();
      result["sent"] = load->sent();
      result["seconds"] = seconds;
      result["deliveries_per_s"] = seconds > 0 ? static_cast<double>(tally.deliveries()) / seconds : 0.0;
      if (options.mode == Mode::lockstep) {
        result["rounds"] = load->round();
        result["latency_ms"] = {{"p50", ms(tally.latency_quantile(0.50))},
                                {"p99", ms(tally.latency_quantile(0.99))},
                                {"max", ms(tally.max_latency())}};
      }
    }
  }
  if (options.server_pid > 0) {
    result["server_memory"] = {{"pid", options.server_pid},
                        {"vm_hwm_kib", memory.hwm_kib ? nlohmann::json(*memory.hwm_kib) : nlohmann::json()},
                        {"vm_rss_kib", memory.rss_kib ? nlohmann::json(*memory.rss_kib) : nlohmann::json()}};
  }
  result["status"] = status_name(status);
  result["message"] = message;

  if (options.json) {
    fmt::print("{}\n", result.dump());
  } else {
    fmt::print("chat-load: {}, {} clients{} against {}:{}\n", mode_name(options.mode), options.clients,
               options.mode == Mode::idle ? "" : fmt::format(" x {} messages", options.messages), options.host,
               options.port);
    if (result.contains("deliveries")) {
      fmt::print("  deliveries   {} of {} (lost {}, out of order {}, duplicates {}, malformed {})\n",
                 result["deliveries"].get<std::uint64_t>(), result["expected"].get<std::uint64_t>(),
                 result["lost"].get<std::uint64_t>(), result["out_of_order"].get<std::uint64_t>(),
                 result["duplicates"].get<std::uint64_t>(), result["invalid"].get<std::uint64_t>());
      fmt::print("  time         {:.3f} s, {:.0f} deliveries/s\n", result["seconds"].get<double>(),
                 result["deliveries_per_s"].get<double>());
    }
    if (result.contains("latency_ms")) {
      fmt::print("  latency      p50 {:.3f} ms, p99 {:.3f} ms, max {:.3f} ms\n",
                 result["latency_ms"]["p50"].get<double>(), result["latency_ms"]["p99"].get<double>(),
                 result["latency_ms"]["max"].get<double>());
    }
    if (result.contains("connected")) {
      fmt::print("  connected    {} of {}\n", result["connected"].get<std::size_t>(), options.clients);
    }
    if (options.server_pid > 0) {
      if (memory.hwm_kib && memory.rss_kib) {
        fmt::print("  server       peak RSS (VmHWM) {:.1f} MiB, RSS now (VmRSS) {:.1f} MiB\n", mib(*memory.hwm_kib),
                   mib(*memory.rss_kib));
      } else {
        fmt::print("  server       no /proc/{}/status to read\n", options.server_pid);
      }
    }
    fmt::print("  result       {}{}\n", status == Status::ok ? "PASS" : "FAIL", message.empty() ? "" : ": " + message);
  }
  if (status != Status::ok) {
    std::fflush(stdout);
    fmt::print(stderr, "chat-load: {}: {}\n", status_name(status), message);
  }
  return static_cast<int>(status);
}
