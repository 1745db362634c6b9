// `chat serve`: one process, one epoll loop, many clients.
//
// The loop is edge-triggered: a client's socket is registered once, for input
// and output, and the loop remembers which clients may have input waiting
// (`readable`) and which have bytes to write.  Each round it reads at most one
// buffer from each readable client (so one fast sender cannot starve the
// others), turns the lines into blocks queued for their receivers, then writes
// every queue that grew.  Chat lines from one read of one client become one
// block, shared by every receiver's queue.

#include "server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include <fmt/core.h>

#include "broadcast.hpp"
#include "files.hpp"
#include "line_framer.hpp"
#include "output_queue.hpp"
#include "protocol.hpp"
#include "socklab/file_descriptor.hpp"
#include "socklab/system_error.hpp"

namespace socklab::chat {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::uint64_t listener_key = 0;
constexpr std::uint64_t signal_key = 1;
constexpr std::uint64_t console_key = 2;
constexpr int console_id = 3;
constexpr int first_client_id = 16;
constexpr std::size_t read_size = 32 * 1024;
constexpr std::size_t max_uploads_per_sender = 4;

struct Client {
  Client(int id_, FileDescriptor fd_, std::string peer_, const ServerOptions& options)
      : id(id_), fd(std::move(fd_)), peer(std::move(peer_)), framer(options.max_line), queue(options.max_queue) {}
  int id;
  FileDescriptor fd;  // none for the console
  std::string peer;
  std::string name;
  LineFramer framer;
  OutputQueue queue;
  bool files = false;     // said /caps files
  bool readable = true;   // input may be waiting in the kernel
  bool in_ready = false;  // listed in Server::ready_
  bool in_dirty = false;  // listed in Server::dirty_
  bool leaving = false;   // left the room; writing what waits, then closing
  bool write_blocked = false;  // its socket took less than its queue held; EPOLLOUT says when to go on
  bool hung_up = false;   // epoll said EPOLLRDHUP, EPOLLHUP or EPOLLERR: read until recv says how it ended
  bool gone = false;      // closed; erased at the end of the round
  Clock::time_point last_progress = Clock::now();   // its queue last shrank (or was empty)
  std::map<std::uint64_t, std::uint64_t> uploads;   // its transfer ID → the server's
  std::string said;       // chat lines read this round, to be broadcast as one block
};

struct Transfer {
  int sender;
  std::string name;  // as announced, made safe to show
  std::uint64_t size;
  std::uint64_t relayed = 0;
  std::vector<int> receivers;
};

// Why a client is dropped when writing to it failed: the others see it.
std::string write_failure(const std::system_error& error) {
  return error.code() == std::errc::connection_reset || error.code() == std::errc::broken_pipe
             ? "reset"
             : error.code().message();
}

std::string describe(const sockaddr_storage& address) {
  std::array<char, INET6_ADDRSTRLEN> text{};
  if (address.ss_family == AF_INET6) {
    const auto& a6 = reinterpret_cast<const sockaddr_in6&>(address);
    ::inet_ntop(AF_INET6, &a6.sin6_addr, text.data(), text.size());
    return fmt::format("[{}]:{}", text.data(), ntohs(a6.sin6_port));
  }
  const auto& a4 = reinterpret_cast<const sockaddr_in&>(address);
  ::inet_ntop(AF_INET, &a4.sin_addr, text.data(), text.size());
  return fmt::format("{}:{}", text.data(), ntohs(a4.sin_port));
}

FileDescriptor listen_on(const std::string& host, std::uint16_t port, std::string& where) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV | AI_ADDRCONFIG;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  if (const int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found); rc != 0) {
    throw std::runtime_error(fmt::format("cannot listen on {}: {}", host, ::gai_strerror(rc)));
  }
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> owner(found, ::freeaddrinfo);
  int last_error = 0;
  for (const addrinfo* a = found; a != nullptr; a = a->ai_next) {
    FileDescriptor fd(::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol));
    if (!fd) {
      last_error = errno;
      continue;
    }
    const int on = 1;
    ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (::bind(fd.get(), a->ai_addr, a->ai_addrlen) < 0 || ::listen(fd.get(), SOMAXCONN) < 0) {
      last_error = errno;
      continue;
    }
    sockaddr_storage bound{};
    socklen_t size = sizeof bound;
    check("getsockname", ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&bound), &size));
    where = describe(bound);
    return fd;
  }
  errno = last_error;
  throw_errno(fmt::format("listen on {} port {}", host, port));
}

void write_out(std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::write(STDOUT_FILENO, text.data(), text.size());
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return;  // the console's output is gone; the server carries on
    }
    text.remove_prefix(static_cast<std::size_t>(n));
  }
}

class Server {
 public:
  explicit Server(const ServerOptions& options) : options_(options) {}

  int run();

 private:
  // Setting up.
  void add_to_epoll(int fd, std::uint64_t key, std::uint32_t events);
  void accept_clients();
  void admit(FileDescriptor fd, const sockaddr_storage& address);

  // Reading and handling lines.
  void serve(Client& client);
  void handle_lines(Client& client);
  void handle(Client& client, std::string_view line);
  void command(Client& client, std::string_view line);
  void start_file(Client& client, std::string_view args);
  void file_data(Client& client, std::string_view args);
  void file_done(Client& client, std::string_view args);
  void console_input();
  void console_send(std::string_view args);
  [[nodiscard]] bool blocked(const Client& client) const;
  void flush_said(Client& client);

  // Writing.
  void tell(Client& client, std::string_view text);
  void tell_all(int sender, const Block& block);
  void enqueue(Client& client, const Block& block);
  void relay_file_line(const Transfer& transfer, const Block& block, const std::function<void()>& to_console);
  void flush(Client& client);
  void write_queue(Client& client);
  void mark_dirty(Client& client);

  // Leaving.
  void leave(Client& client, std::string_view reason);
  void drop(Client& client, std::string_view reason);
  void drop_scheduled();
  void close_client(Client& client);
  void abort_uploads(Client& client);
  void check_stalls();
  void erase_gone();

  Client* find(int id);
  Client* find_by_name(std::string_view name);
  std::string guest_name();
  const std::vector<Member>& room();
  std::size_t present() const;

  const ServerOptions& options_;
  FileDescriptor epoll_;
  FileDescriptor listener_;
  FileDescriptor signals_;
  std::unordered_map<int, std::unique_ptr<Client>> clients_;
  std::unique_ptr<Client> console_;
  std::unique_ptr<Downloads> downloads_;
  std::unique_ptr<Upload> console_upload_;
  LineFramer console_framer_{default_max_line};
  bool console_open_ = false;
  std::vector<Member> room_;
  std::vector<Client*> room_clients_;  // the clients of room_, in the same order
  bool room_changed_ = true;
  std::vector<int> ready_;
  std::vector<int> dirty_;
  std::vector<int> round_;    // scratch: the clients read this round
  std::vector<int> written_;  // scratch: the clients written this round
  std::vector<std::pair<int, std::string>> to_drop_;
  std::map<std::uint64_t, Transfer> transfers_;
  std::uint64_t next_transfer_ = 1;
  std::uint64_t next_console_upload_ = 1;
  int next_id_ = first_client_id;
  unsigned next_guest_ = 1;
  std::size_t queued_ = 0;  // bytes in all queues (a shared block counts once per queue)
  bool paused_ = false;     // reading stopped: the queues hold too much
  bool read_some_ = false;  // this round read input from a client
  Clock::time_point batch_started_{};  // when the oldest unwritten queue grew
  bool stopping_ = false;
  // For --stats: lines queued for clients (one per receiver), and the writes
  // (flushes of a queue that sent something) that carried them.
  std::uint64_t lines_out_ = 0;
  std::uint64_t writes_ = 0;
  Clock::time_point listener_back_{};  // when to listen again after running out of descriptors
  bool listener_off_ = false;
  Clock::time_point next_stall_check_ = Clock::now();
  std::array<char, read_size> buffer_{};
};

void Server::add_to_epoll(int fd, std::uint64_t key, std::uint32_t events) {
  epoll_event event{};
  event.events = events;
  event.data.u64 = key;
  check("epoll_ctl", ::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &event));
}

int Server::run() {
  std::string where;
  listener_ = listen_on(options_.host, options_.port, where);
  epoll_ = FileDescriptor(check("epoll_create1", ::epoll_create1(EPOLL_CLOEXEC)));
  add_to_epoll(listener_.get(), listener_key, EPOLLIN);

  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  check("sigprocmask", ::sigprocmask(SIG_BLOCK, &stop_signals, nullptr));
  signals_ = FileDescriptor(check("signalfd", ::signalfd(-1, &stop_signals, SFD_NONBLOCK | SFD_CLOEXEC)));
  add_to_epoll(signals_.get(), signal_key, EPOLLIN);

  if (options_.console) {
    console_ = std::make_unique<Client>(console_id, FileDescriptor(), "console", options_);
    console_->name = options_.console_name;
    console_->files = true;
    downloads_ = std::make_unique<Downloads>(options_.downloads);
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = console_key;
    if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, STDIN_FILENO, &event) < 0) {
      throw std::runtime_error("--console needs standard input to be a terminal or a pipe");
    }
    console_open_ = true;
  }

  fmt::print("listening on {}\n", where);
  (void)std::fflush(stdout);
  if (options_.console) {
    write_out(fmt::format("* you are {}; files you receive go to {}; /help for commands\n", console_->name,
                          options_.downloads.string()));
  }

  std::array<epoll_event, 256> events{};
  while (!stopping_) {
    bool more_to_read = false;
    if (!paused_) {
      for (const int id : ready_) {
        const Client* client = find(id);
        if (client != nullptr && !client->gone && !client->leaving && !blocked(*client)) {
          more_to_read = true;
          break;
        }
      }
    }
    const bool anything_queued = queued_ > 0 || !transfers_.empty() || console_upload_;
    int timeout = more_to_read || !dirty_.empty() ? 0 : (anything_queued || listener_off_ ? 100 : -1);
    if (console_upload_ && !paused_) {
      timeout = 0;
    }
    const int count = ::epoll_wait(epoll_.get(), events.data(), static_cast<int>(events.size()), timeout);
    if (count < 0 && errno != EINTR) {
      throw_errno("epoll_wait");
    }
    for (int i = 0; i < count; ++i) {
      const std::uint64_t key = events[static_cast<std::size_t>(i)].data.u64;
      const std::uint32_t what = events[static_cast<std::size_t>(i)].events;
      if (key == listener_key) {
        accept_clients();
      } else if (key == signal_key) {
        stopping_ = true;
      } else if (key == console_key) {
        console_input();
      } else if (Client* client = find(static_cast<int>(key)); client != nullptr && !client->gone) {
        if ((what & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0 && !client->leaving) {
          client->readable = true;
          client->hung_up = client->hung_up || (what & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0;
          if (!client->in_ready) {
            client->in_ready = true;
            ready_.push_back(client->id);
          }
        }
        // EPOLLOUT comes with every input edge too (the socket is writable):
        // a queue is written here only when its socket was full, or on an
        // error; otherwise it waits for this round's writes, with the rest.
        if (((what & EPOLLERR) != 0 || ((what & EPOLLOUT) != 0 && client->write_blocked)) &&
            !client->queue.empty()) {
          flush(*client);
        }
      }
    }

    if (!paused_) {
      // One read per ready client per round (a copy: ready_ may change while we go).
      round_.assign(ready_.begin(), ready_.end());
      for (const int id : round_) {
        if (Client* client = find(id); client != nullptr && !client->gone && !client->leaving) {
          serve(*client);
        }
        drop_scheduled();
      }
      std::erase_if(ready_, [&](int id) {
        Client* client = find(id);
        const bool keep = client != nullptr && !client->gone && !client->leaving && (client->readable || blocked(*client));
        if (!keep && client != nullptr) {
          client->in_ready = false;
        }
        return !keep;
      });
      if (console_upload_) {
        console_send({});
      }
    }

    // Write every queue that grew, once a round brought no new input (or the
    // oldest unwritten line is 1 ms old): lines that arrive over a few
    // rounds then cost one write per receiver, not one per round.  (On a
    // 2-core VM, writing 100 queues takes about 0.7 ms, and 100 clients'
    // lines can take 0.6 ms to arrive: at 200 µs, most such bursts were cut
    // in two writes each.)
    const auto now = Clock::now();
    if (!dirty_.empty() && batch_started_ == Clock::time_point{}) {
      batch_started_ = now;
    }
    if (!read_some_ || paused_ || now - batch_started_ >= std::chrono::milliseconds(1)) {
      batch_started_ = {};
      written_.swap(dirty_);  // writing may mark others dirty: they go in dirty_ for the next round
      dirty_.clear();
      for (const int id : written_) {
        if (Client* client = find(id); client != nullptr) {
          client->in_dirty = false;
          if (!client->gone) {
            flush(*client);
          }
        }
      }
      drop_scheduled();
    }
    read_some_ = false;

    if (paused_ ? queued_ <= options_.max_memory / 2 : queued_ > options_.max_memory) {
      paused_ = !paused_;
    }
    check_stalls();
    if (listener_off_ && Clock::now() >= listener_back_) {
      add_to_epoll(listener_.get(), listener_key, EPOLLIN);
      listener_off_ = false;
    }
    erase_gone();
  }

  // SIGINT or SIGTERM: say goodbye, give the queues one chance, and close.
  // Input nobody will read is drained first: closing a socket with unread
  // input sends a reset, which could overtake the goodbye.
  for (auto& [id, client] : clients_) {
    if (!client->gone) {
      for (int i = 0; i < 64 && ::recv(client->fd.get(), buffer_.data(), buffer_.size(), MSG_DONTWAIT) > 0; ++i) {
      }
      tell(*client, "* server shutting down");
      flush(*client);
      ::shutdown(client->fd.get(), SHUT_WR);
    }
  }
  if (options_.stats) {
    // What the batching of writes achieved: each write carries a round's lines.
    fmt::print("stats: {} lines to clients in {} writes\n", lines_out_, writes_);
    (void)std::fflush(stdout);
  }
  return 0;
}

Client* Server::find(int id) {
  if (id == console_id) {
    return console_.get();
  }
  const auto found = clients_.find(id);
  return found == clients_.end() ? nullptr : found->second.get();
}

Client* Server::find_by_name(std::string_view name) {
  if (console_ && same_name(console_->name, name)) {
    return console_.get();
  }
  for (auto& [id, client] : clients_) {
    if (!client->gone && !client->leaving && same_name(client->name, name)) {
      return client.get();
    }
  }
  return nullptr;
}

std::size_t Server::present() const {
  return static_cast<std::size_t>(
      std::count_if(clients_.begin(), clients_.end(), [](const auto& entry) { return !entry.second->gone; }));
}

std::string Server::guest_name() {
  for (;;) {
    std::string name = fmt::format("guest-{}", next_guest_++);
    if (find_by_name(name) == nullptr) {
      return name;
    }
  }
}

const std::vector<Member>& Server::room() {
  if (room_changed_) {
    room_.clear();
    room_clients_.clear();
    for (auto& [id, client] : clients_) {
      if (!client->gone && !client->leaving) {
        room_.push_back({client->id, &client->queue});
        room_clients_.push_back(client.get());
      }
    }
    room_changed_ = false;
  }
  return room_;
}

void Server::accept_clients() {
  for (int i = 0; i < 256; ++i) {
    sockaddr_storage address{};
    socklen_t size = sizeof address;
    const int fd = ::accept4(listener_.get(), reinterpret_cast<sockaddr*>(&address), &size,
                             SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        // Out of descriptors: stop listening for a moment rather than spin.
        (void)std::fputs("chat: out of file descriptors; not accepting for 100 ms\n", stderr);
        ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, listener_.get(), nullptr);
        listener_off_ = true;
        listener_back_ = Clock::now() + std::chrono::milliseconds(100);
      } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != ECONNABORTED) {
        throw_errno("accept4");
      }
      return;
    }
    admit(FileDescriptor(fd), address);
  }
}

void Server::admit(FileDescriptor fd, const sockaddr_storage& address) {
  if (present() >= options_.max_clients) {
    const std::string refusal = fmt::format("! server full ({} clients)\n", options_.max_clients);
    (void)::send(fd.get(), refusal.data(), refusal.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    return;  // closing fd
  }
  const int on = 1;
  ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  const int id = next_id_++;
  add_to_epoll(fd.get(), static_cast<std::uint64_t>(id), EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET);
  auto client = std::make_unique<Client>(id, std::move(fd), describe(address), options_);
  client->name = guest_name();
  Client& joined = *client;
  clients_.emplace(id, std::move(client));
  room_changed_ = true;
  joined.in_ready = true;
  ready_.push_back(id);
  tell(joined, fmt::format("* welcome {}: /nick NAME, /who, /msg NAME text, /quit; {} here", joined.name,
                           present() + (console_ ? 1 : 0)));
  tell_all(id, make_block(fmt::format("* {} joined\n", joined.name)));
}

bool Server::blocked(const Client& client) const {
  // A sender waits while a receiver of one of its files is behind: files go
  // at the pace of their slowest receiver, and memory stays bounded.
  for (const auto& [own, id] : client.uploads) {
    const auto transfer = transfers_.find(id);
    if (transfer == transfers_.end()) {
      continue;
    }
    for (const int receiver : transfer->second.receivers) {
      const auto found = clients_.find(receiver);
      if (found != clients_.end() && found->second->queue.size() > options_.max_queue / 2) {
        return true;
      }
    }
  }
  return false;
}

//! [serve_read]
void Server::serve(Client& client) {
  handle_lines(client);
  if (client.gone || client.leaving || blocked(client) || paused_ || !client.readable) {
    return;
  }
  const ssize_t n = ::recv(client.fd.get(), buffer_.data(), buffer_.size(), 0);
  if (n > 0) {
    read_some_ = true;
    // A read that did not fill the buffer took all there was: more input
    // means a new edge from epoll, so no recv just to hear EAGAIN.  But an
    // end (FIN or reset) that came before this read has had its edge: read
    // on, to see it.
    client.readable = static_cast<std::size_t>(n) == buffer_.size() || client.hung_up;
    client.framer.feed(std::string_view(buffer_.data(), static_cast<std::size_t>(n)));
    handle_lines(client);
    return;
  }
  if (n == 0) {
    if (client.framer.buffered() > 0) {
      client.framer.feed("\n");  // a last line without its "\n" is still a line
    }
    handle_lines(client);
    if (!client.gone && !client.leaving) {
      leave(client, "closed");
    }
    return;
  }
  if (errno == EAGAIN || errno == EWOULDBLOCK) {
    client.readable = false;
  } else if (errno != EINTR) {
    drop(client, errno == ECONNRESET ? "reset" : std::generic_category().message(errno));
  }
}
//! [serve_read]

void Server::handle_lines(Client& client) {
  while (!client.gone && !client.leaving && !blocked(client)) {
    const Frame frame = client.framer.next();
    if (frame.kind == Frame::Kind::none) {
      break;
    }
    if (frame.kind == Frame::Kind::too_long) {
      flush_said(client);
      tell(client, fmt::format("! line too long (limit {} bytes)", options_.max_line));
      continue;
    }
    handle(client, frame.text);
  }
  if (!client.gone) {
    flush_said(client);
  }
}

void Server::flush_said(Client& client) {
  if (!client.said.empty()) {
    tell_all(client.id, make_block(std::exchange(client.said, {})));
  }
}

void Server::handle(Client& client, std::string_view line) {
  if (trim(line).empty()) {
    return;
  }
  if (line.front() == '/' && !line.starts_with("//")) {
    flush_said(client);  // keep this client's lines in order
    command(client, line);
    return;
  }
  if (line.starts_with("//")) {
    line.remove_prefix(1);
  }
  client.said += '<';
  client.said += client.name;
  client.said += "> ";
  client.said += sanitize_text(line);
  client.said += '\n';
  // One block per read, but never one too big for a small --max-queue: a
  // block larger than a queue's limit could never be queued for anyone.
  if (&client == console_.get() || client.said.size() >= std::min(read_size, options_.max_queue / 4)) {
    flush_said(client);
  }
}

void Server::command(Client& client, std::string_view line) {
  const auto [name, args] = split_command(line);
  if (name == "nick") {
    const std::string wanted(args);
    if (!valid_name(wanted)) {
      tell(client, "! a name is 1 to 24 of A-Z a-z 0-9 _ - . and does not start with - or .");
    } else if (Client* other = find_by_name(wanted); other != nullptr && other != &client) {
      tell(client, fmt::format("! the name {} is taken", wanted));
    } else {
      const std::string old = std::exchange(client.name, wanted);
      tell(client, fmt::format("* you are now {}", wanted));
      tell_all(client.id, make_block(fmt::format("* {} is now {}\n", old, wanted)));
    }
  } else if (name == "who") {
    std::vector<std::string> names;
    if (console_) {
      names.push_back(console_->name);
    }
    for (auto& [id, other] : clients_) {
      if (!other->gone && !other->leaving) {
        names.push_back(other->name);
      }
    }
    std::sort(names.begin(), names.end());
    std::string list;
    for (const auto& n : names) {
      list += (list.empty() ? "" : ", ") + n;
    }
    tell(client, fmt::format("* here ({}): {}", names.size(), list));
  } else if (name == "msg") {
    const auto [to, text] = first_word(args);
    Client* receiver = to.empty() ? nullptr : find_by_name(to);
    if (to.empty() || text.empty()) {
      tell(client, "! usage: /msg NAME text");
    } else if (receiver == nullptr) {
      tell(client, fmt::format("! no one here is called {}", sanitize_text(to)));
    } else {
      const std::string safe = sanitize_text(text);
      tell(*receiver, fmt::format("[{}] {}", client.name, safe));
      tell(client, fmt::format("[to {}] {}", receiver->name, safe));
    }
  } else if (name == "caps") {
    if (args == "files") {
      client.files = true;
    } else {
      tell(client, "! usage: /caps files");
    }
  } else if (name == "quit") {
    if (&client == console_.get()) {
      stopping_ = true;
    } else {
      leave(client, "quit");
    }
  } else if (name == "file") {
    start_file(client, args);
  } else if (name == "data") {
    file_data(client, args);
  } else if (name == "done") {
    file_done(client, args);
  } else if (name == "send" && &client == console_.get()) {
    console_send(args);
  } else if (name == "help") {
    tell(client, "* text: to everyone; //text: text starting with /; /nick NAME; /who; /msg NAME text; "
                 "/caps files; /file, /data, /done: send a file (see the protocol); /quit");
  } else {
    tell(client, fmt::format("! unknown command /{} (try /help)", sanitize_text(name)));
  }
}

void Server::start_file(Client& client, std::string_view args) {
  const auto header = parse_file_header(args);
  if (!header || header->id > 999999) {
    tell(client, "! usage: /file TO ID SIZE SHA256 NAME (ID 1 to 999999; SHA256 in lowercase hex)");
    return;
  }
  if (client.uploads.contains(header->id)) {
    tell(client, fmt::format("! transfer {} is already under way", header->id));
    return;
  }
  if (client.uploads.size() >= max_uploads_per_sender) {
    tell(client, fmt::format("! at most {} transfers at a time", max_uploads_per_sender));
    return;
  }
  std::vector<Client*> audience;
  if (header->peer == "*") {
    for (auto& [id, other] : clients_) {
      if (other.get() != &client && !other->gone && !other->leaving) {
        audience.push_back(other.get());
      }
    }
    if (console_ && console_.get() != &client) {
      audience.push_back(console_.get());
    }
  } else if (Client* receiver = find_by_name(header->peer); receiver != nullptr && receiver != &client) {
    audience.push_back(receiver);
  } else {
    tell(client, fmt::format("! no one else here is called {}", header->peer));
    return;
  }

  const std::uint64_t id = next_transfer_++;
  Transfer transfer{.sender = client.id, .name = sanitize_text(header->name), .size = header->size, .relayed = 0, .receivers = {}};
  FileHeader relayed = *header;
  relayed.peer = client.name;
  relayed.id = id;
  relayed.name = transfer.name;
  const Block announcement = make_block("%file " + format_file_header(relayed) + "\n");
  for (Client* receiver : audience) {
    if (!receiver->files) {
      tell(*receiver, fmt::format("* {} offers file \"{}\" ({} bytes): a socklab chat client can receive it",
                                  client.name, transfer.name, header->size));
    } else if (receiver == console_.get()) {
      transfer.receivers.push_back(receiver->id);
      write_out(downloads_->start(relayed).message + "\n");
    } else {
      transfer.receivers.push_back(receiver->id);
      enqueue(*receiver, announcement);
    }
  }
  tell(client, fmt::format("* sending \"{}\" to {} receiver(s)", transfer.name, transfer.receivers.size()));
  client.uploads.emplace(header->id, id);
  transfers_.emplace(id, std::move(transfer));
}

void Server::relay_file_line(const Transfer& transfer, const Block& block, const std::function<void()>& to_console) {
  for (const int id : transfer.receivers) {
    Client* receiver = find(id);
    if (receiver == nullptr || receiver->gone) {
      continue;
    }
    if (receiver == console_.get()) {
      to_console();
      continue;
    }
    enqueue(*receiver, block);
  }
}

void Server::file_data(Client& client, std::string_view args) {
  const auto [id_text, data] = first_word(args);
  const auto own = parse_number(id_text);
  const auto upload = own ? client.uploads.find(*own) : client.uploads.end();
  if (upload == client.uploads.end()) {
    tell(client, fmt::format("! no transfer {} is under way", sanitize_text(id_text)));
    return;
  }
  const std::uint64_t id = upload->second;
  Transfer& transfer = transfers_.at(id);
  const bool shaped = data.size() % 4 == 0 && data.size() <= 4000 && !data.empty() &&
                      data.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") ==
                          std::string_view::npos;
  const std::size_t bytes = shaped ? base64_decoded_size(data) : 0;
  if (!shaped || bytes > transfer.size - transfer.relayed) {
    const Block abort = make_block(fmt::format("%abort {} {}\n", client.name, id));
    relay_file_line(transfer, abort, [&] { write_out(downloads_->abort(id).message + "\n"); });
    tell(client, fmt::format("! transfer {} stopped: {}", *own,
                             shaped ? "more data than its announced size" : "its data is not base64 (at most 4000 characters a line)"));
    client.uploads.erase(upload);
    transfers_.erase(id);
    return;
  }
  transfer.relayed += bytes;
  const Block line = make_block(fmt::format("%data {} {} {}\n", client.name, id, data));
  // `payload`, not `data`: clang before 16 cannot capture a structured binding (clang-tidy is clang 14).
  relay_file_line(transfer, line, [&, payload = data] {
    if (const auto event = downloads_->data(id, payload); !event.message.empty()) {
      write_out(event.message + "\n");
    }
  });
}

void Server::file_done(Client& client, std::string_view args) {
  const auto own = parse_number(trim(args));
  const auto upload = own ? client.uploads.find(*own) : client.uploads.end();
  if (upload == client.uploads.end()) {
    tell(client, fmt::format("! no transfer {} is under way", sanitize_text(args)));
    return;
  }
  const std::uint64_t id = upload->second;
  const Transfer& transfer = transfers_.at(id);
  if (transfer.relayed != transfer.size) {
    relay_file_line(transfer, make_block(fmt::format("%abort {} {}\n", client.name, id)),
                    [&] { write_out(downloads_->abort(id).message + "\n"); });
    tell(client, fmt::format("! transfer {} stopped: {} bytes sent, {} announced", *own, transfer.relayed,
                             transfer.size));
  } else {
    relay_file_line(transfer, make_block(fmt::format("%done {} {}\n", client.name, id)),
                    [&] { write_out(downloads_->done(id).message + "\n"); });
    tell(client, fmt::format("* sent \"{}\"", transfer.name));
  }
  client.uploads.erase(upload);
  transfers_.erase(id);
}

void Server::console_input() {
  const ssize_t n = ::read(STDIN_FILENO, buffer_.data(), buffer_.size());
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
    return;
  }
  if (n <= 0) {
    if (console_framer_.buffered() > 0) {
      console_framer_.feed("\n");
    }
  } else {
    console_framer_.feed(std::string_view(buffer_.data(), static_cast<std::size_t>(n)));
  }
  for (Frame frame = console_framer_.next(); frame.kind != Frame::Kind::none; frame = console_framer_.next()) {
    if (frame.kind == Frame::Kind::line) {
      handle(*console_, frame.text);
    }
  }
  drop_scheduled();
  if (n <= 0 && console_open_) {
    // End of the console's input: the server goes on serving its clients.
    ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, STDIN_FILENO, nullptr);
    console_open_ = false;
  }
}

void Server::console_send(std::string_view args) {
  if (!args.empty()) {
    if (console_upload_) {
      write_out("! a file is being sent already; wait for it to finish\n");
      return;
    }
    // As in chat connect: "/send NAME PATH" when NAME is a name and the whole is not a file.
    auto [first, rest] = first_word(args);
    std::string to = "*";
    std::string path(trim(args));
    std::error_code missing;
    if (!rest.empty() && valid_name(first) && !std::filesystem::exists(path, missing)) {
      to = first;
      path = rest;
    }
    try {
      console_upload_ = std::make_unique<Upload>(path, to, next_console_upload_++);
    } catch (const std::exception& error) {
      write_out(fmt::format("! cannot send {}: {}\n", path, error.what()));
      return;
    }
    handle(*console_, console_upload_->header_line().substr(0, console_upload_->header_line().size() - 1));
    if (!console_->uploads.contains(console_upload_->header().id)) {
      console_upload_.reset();  // refused; the reason was shown
    }
    return;
  }
  // Called each round: the next part of the file, when its receivers keep up.
  if (blocked(*console_)) {
    return;
  }
  const std::string lines = console_upload_->next_lines(64 * 1024);
  std::string_view rest = lines;
  while (!rest.empty()) {
    const auto end = rest.find('\n');
    handle(*console_, rest.substr(0, end));
    rest.remove_prefix(end + 1);
  }
  if (console_upload_->finished()) {
    console_upload_.reset();
  }
}

void Server::mark_dirty(Client& client) {
  if (!client.in_dirty) {
    client.in_dirty = true;
    dirty_.push_back(client.id);
  }
}

void Server::tell(Client& client, std::string_view text) {
  if (&client == console_.get()) {
    write_out(std::string(text) + "\n");
    return;
  }
  if (client.gone) {
    return;
  }
  ++lines_out_;
  if (client.queue.empty()) {
    client.last_progress = Clock::now();
  }
  enqueue(client, make_block(std::string(text) + "\n"));
}

// Queues \p block for \p client.  A full queue is not yet a slow client: in
// one round many senders' blocks may arrive before the round's writes, so
// first write what the socket takes now, and only then give up on it.
void Server::enqueue(Client& client, const Block& block) {
  mark_dirty(client);
  if (client.queue.push(block)) {
    queued_ += block->size();
    return;
  }
  if (client.fd && !client.gone) {
    try {
      write_queue(client);
    } catch (const std::system_error& error) {
      to_drop_.emplace_back(client.id, write_failure(error));
      return;
    }
    if (client.queue.push(block)) {
      queued_ += block->size();
      return;
    }
  }
  to_drop_.emplace_back(client.id, "too slow: output buffer full");
}

void Server::tell_all(int sender, const Block& block) {
  const auto& members = room();
  const auto now = Clock::now();
  bool sender_present = false;
  for (Client* member : room_clients_) {
    if (member->queue.empty()) {
      member->last_progress = now;
    }
    if (member->id == sender) {
      sender_present = true;
    } else {
      mark_dirty(*member);
    }
  }
  const std::vector<int> full = broadcast(members, sender, block);
  lines_out_ += members.size() - (sender_present ? 1 : 0);
  queued_ += block->size() * (members.size() - (sender_present ? 1 : 0) - full.size());
  for (const int id : full) {
    enqueue(*find(id), block);  // dropped only if writing does not make room
  }
  if (console_ && sender != console_id) {
    write_out(*block);
  }
}

// Writes what the socket takes of the client's queue, and keeps the books:
// the bytes queued, whether the socket was full, progress, --stats.  Throws
// what OutputQueue::flush throws.
void Server::write_queue(Client& client) {
  const std::size_t written = client.queue.flush(client.fd.get());
  queued_ -= written;
  client.write_blocked = !client.queue.empty();
  if (written > 0) {
    ++writes_;
  }
  if (written > 0 || client.queue.empty()) {
    client.last_progress = Clock::now();
  }
}

void Server::flush(Client& client) {
  if (client.gone || !client.fd) {
    return;
  }
  try {
    write_queue(client);
  } catch (const std::system_error& error) {
    drop(client, write_failure(error));
    return;
  }
  if (client.leaving && client.queue.empty()) {
    close_client(client);
  }
}

void Server::abort_uploads(Client& client) {
  for (const auto& [own, id] : client.uploads) {
    const auto transfer = transfers_.find(id);
    if (transfer != transfers_.end()) {
      relay_file_line(transfer->second, make_block(fmt::format("%abort {} {}\n", client.name, id)),
                      [&, id = id] { write_out(downloads_->abort(id).message + "\n"); });
      transfers_.erase(transfer);
    }
  }
  client.uploads.clear();
  // Nor is it waited for as a receiver any more.
  for (auto& [id, transfer] : transfers_) {
    std::erase(transfer.receivers, client.id);
  }
}

void Server::leave(Client& client, std::string_view reason) {
  if (client.gone || client.leaving) {
    return;
  }
  client.leaving = true;
  room_changed_ = true;
  abort_uploads(client);
  tell_all(client.id, make_block(fmt::format("* {} left ({})\n", client.name, reason)));
  if (client.queue.empty()) {
    close_client(client);
  } else {
    ::shutdown(client.fd.get(), SHUT_RD);
    flush(client);
  }
}

void Server::drop(Client& client, std::string_view reason) {
  if (client.gone) {
    return;
  }
  const bool announce = !client.leaving;
  client.leaving = true;
  room_changed_ = true;
  abort_uploads(client);
  close_client(client);
  if (announce) {
    tell_all(client.id, make_block(fmt::format("* {} left ({})\n", client.name, reason)));
  }
}

void Server::close_client(Client& client) {
  if (client.gone) {
    return;
  }
  client.gone = true;
  client.leaving = true;
  room_changed_ = true;
  queued_ -= client.queue.size();
  if (client.fd) {
    ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, client.fd.get(), nullptr);
    try {
      client.fd.close();
    } catch (const std::system_error&) {
      // A failed close still frees the descriptor; there is no one to tell.
    }
  }
}

void Server::drop_scheduled() {
  while (!to_drop_.empty()) {
    auto [id, reason] = to_drop_.back();
    to_drop_.pop_back();
    if (Client* client = find(id); client != nullptr && client != console_.get()) {
      drop(*client, reason);
    }
  }
}

void Server::check_stalls() {
  const auto now = Clock::now();
  if (now < next_stall_check_) {
    return;
  }
  next_stall_check_ = now + std::chrono::milliseconds(100);
  for (auto& [id, client] : clients_) {
    if (!client->gone && !client->queue.empty() && now - client->last_progress > options_.stall_timeout) {
      to_drop_.emplace_back(id, "not reading");
    }
  }
  drop_scheduled();
}

void Server::erase_gone() {
  std::erase_if(clients_, [&](const auto& entry) {
    const Client& client = *entry.second;
    return client.gone && !client.in_ready && !client.in_dirty;
  });
  // ready_ and dirty_ may still name gone clients; they let go of them next round.
  for (const int id : ready_) {
    if (Client* client = find(id); client != nullptr && client->gone) {
      client->readable = false;
    }
  }
}

}  // namespace

int run_server(const ServerOptions& options) {
  (void)::signal(SIGPIPE, SIG_IGN);  // cannot fail for SIGPIPE and SIG_IGN
  Server server(options);
  return server.run();
}

}  // namespace socklab::chat
