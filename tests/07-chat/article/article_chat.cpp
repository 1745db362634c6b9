// The article's chat, transcribed: see article_chat.hpp for what had to change.

#include "article_chat.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace socklab::chat::article {

namespace {

std::string errno_text(int error_number) { return std::strerror(error_number); }

// Python: OSError's subclasses, chosen by errno (Objects/exceptions.c).
const char* os_error_type(int error_number) {
  switch (error_number) {
    case EPIPE:
    case ESHUTDOWN:
      return "BrokenPipeError";
    case ECONNABORTED:
      return "ConnectionAbortedError";
    case ECONNREFUSED:
      return "ConnectionRefusedError";
    case ECONNRESET:
      return "ConnectionResetError";
    case EAGAIN:
    case EALREADY:
    case EINPROGRESS:
      return "BlockingIOError";
    case EINTR:
      return "InterruptedError";
    case ETIMEDOUT:
      return "TimeoutError";
    default:
      return "OSError";
  }
}

std::string decode_error_message(std::string_view object, std::size_t start, std::size_t end,
                                 const std::string& reason) {
  std::array<char, 160> text{};
  if (end - start == 1) {
    std::snprintf(text.data(), text.size(), "'utf-8' codec can't decode byte 0x%02x in position %zu: %s",
                  static_cast<unsigned>(static_cast<unsigned char>(object[start])), start, reason.c_str());
  } else {
    std::snprintf(text.data(), text.size(), "'utf-8' codec can't decode bytes in position %zu-%zu: %s", start,
                  end - 1, reason.c_str());
  }
  return text.data();
}

sockaddr_in to_sockaddr(const Address& address) {
  sockaddr_in raw{};
  raw.sin_family = AF_INET;
  raw.sin_port = htons(address.port);
  // Python: a host that is not a numeric address would be looked up with
  // getaddrinfo; the article uses '127.0.0.1' only, and tests must not look
  // names up, so anything else is refused here.
  if (::inet_pton(AF_INET, address.host.c_str(), &raw.sin_addr) != 1) {
    throw std::invalid_argument("the transcription takes numeric IPv4 addresses only: " + address.host);
  }
  return raw;
}

Address from_sockaddr(const sockaddr_in& raw) {
  std::array<char, INET_ADDRSTRLEN> text{};
  ::inet_ntop(AF_INET, &raw.sin_addr, text.data(), text.size());
  return {text.data(), ntohs(raw.sin_port)};
}

}  // namespace

// ---------------------------------------------------------------------------

OSError::OSError(int error_number, std::string call)
    : Exception("[Errno " + std::to_string(error_number) + "] " + errno_text(error_number)),
      errno_(error_number),
      call_(std::move(call)) {}

std::string OSError::python_type() const { return os_error_type(errno_); }

UnicodeDecodeError::UnicodeDecodeError(std::string_view object, std::size_t start, std::size_t end, std::string reason)
    : Exception(decode_error_message(object, start, end, reason)), start_(start), end_(end), reason_(std::move(reason)) {}

// Python's UTF-8 decoder (Objects/stringlib/codecs.h) reports the *maximal
// subpart* of a bad sequence: the lead byte and the continuation bytes that
// were still possible.  A sequence cut off by the end of the data is
// "unexpected end of data", and covers every byte to the end.
std::string decode_utf8(std::string_view bytes) {
  const std::size_t size = bytes.size();
  std::size_t i = 0;
  while (i < size) {
    const auto lead = static_cast<unsigned char>(bytes[i]);
    if (lead < 0x80) {
      ++i;
      continue;
    }
    int more = 0;               // continuation bytes needed
    unsigned char low = 0x80;   // the range of the first continuation byte
    unsigned char high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
      more = 1;
    } else if (lead == 0xE0) {
      more = 2;
      low = 0xA0;  // no overlong forms
    } else if (lead == 0xED) {
      more = 2;
      high = 0x9F;  // no surrogates
    } else if (lead >= 0xE1 && lead <= 0xEF) {
      more = 2;
    } else if (lead == 0xF0) {
      more = 3;
      low = 0x90;  // no overlong forms
    } else if (lead >= 0xF1 && lead <= 0xF3) {
      more = 3;
    } else if (lead == 0xF4) {
      more = 3;
      high = 0x8F;  // nothing above U+10FFFF
    } else {
      throw UnicodeDecodeError(bytes, i, i + 1, "invalid start byte");  // 80-C1, F5-FF
    }
    std::size_t j = i + 1;
    for (int k = 0; k < more; ++k, ++j) {
      if (j >= size) {
        throw UnicodeDecodeError(bytes, i, size, "unexpected end of data");
      }
      const auto next = static_cast<unsigned char>(bytes[j]);
      if (next < (k == 0 ? low : 0x80) || next > (k == 0 ? high : 0xBF)) {
        throw UnicodeDecodeError(bytes, i, j, "invalid continuation byte");
      }
    }
    i = j;
  }
  return std::string(bytes);
}

std::string encode_utf8(std::string_view text) {
  try {
    return decode_utf8(text);
  } catch (const UnicodeDecodeError& error) {
    throw std::invalid_argument(std::string("a Python str is valid text; the test gave bytes: ") + error.what());
  }
}

std::string Address::repr() const { return "('" + host + "', " + std::to_string(port) + ")"; }

// ---------------------------------------------------------------------------

Process::Process(Builtins builtins) : builtins_(std::move(builtins)) {}

std::string Process::input(std::string_view prompt) {
  check_signals();
  std::string line = builtins_.input(prompt);
  check_signals();
  return line;
}

void Process::print(std::initializer_list<std::string_view> arguments) {
  check_signals();
  std::string text;
  bool first = true;
  for (const std::string_view argument : arguments) {
    if (!first) {
      text += ' ';  // Python: print's sep=' '
    }
    text += argument;
    first = false;
  }
  builtins_.print(text);
}

void Process::interrupt() {
  {
    const std::lock_guard lock(mutex_);
    interrupted_ = true;
    for (const int fd : sockets_) {
      ::shutdown(fd, SHUT_RDWR);  // wakes a blocked accept, recv or send
    }
  }
  if (builtins_.interrupt_input) {
    builtins_.interrupt_input();
  }
}

void Process::check_signals() const {
  const std::lock_guard lock(mutex_);
  if (interrupted_) {
    throw KeyboardInterrupt();
  }
}

void Process::adopt(int fd) {
  const std::lock_guard lock(mutex_);
  sockets_.insert(fd);
}

int Process::close(int fd) {
  // Under the lock, so interrupt() never shuts down a number that close()
  // has just freed for another socket.
  const std::lock_guard lock(mutex_);
  sockets_.erase(fd);
  return ::close(fd);
}

// ---------------------------------------------------------------------------

Socket::Socket(Process& process) : process_(&process) {
  process.check_signals();
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) {
    throw OSError(errno, "socket");
  }
  process.adopt(fd_);
}

Socket::Socket(Process& process, int fd) : process_(&process), fd_(fd) { process.adopt(fd); }

Socket::Socket(Socket&& other) noexcept : process_(other.process_), fd_(std::exchange(other.fd_, -1)) {}

Socket::~Socket() {
  if (fd_ >= 0) {
    process_->close(fd_);
  }
}

void Socket::bind(const Address& address) {
  process_->check_signals();
  const sockaddr_in raw = to_sockaddr(address);
  if (::bind(fd_, reinterpret_cast<const sockaddr*>(&raw), sizeof raw) < 0) {
    throw OSError(errno, "bind");
  }
}

void Socket::listen(int backlog) {
  process_->check_signals();
  if (::listen(fd_, backlog) < 0) {
    throw OSError(errno, "listen");
  }
}

std::pair<Socket, Address> Socket::accept() {
  for (;;) {
    process_->check_signals();
    sockaddr_in peer{};
    socklen_t size = sizeof peer;
    const int fd = ::accept4(fd_, reinterpret_cast<sockaddr*>(&peer), &size, SOCK_CLOEXEC);
    const int error = errno;
    if (fd >= 0) {
      Socket conn(*process_, fd);
      process_->check_signals();
      return {std::move(conn), from_sockaddr(peer)};
    }
    process_->check_signals();
    if (error != EINTR) {
      throw OSError(error, "accept");
    }
  }
}

void Socket::connect(const Address& address) {
  process_->check_signals();
  const sockaddr_in raw = to_sockaddr(address);
  if (::connect(fd_, reinterpret_cast<const sockaddr*>(&raw), sizeof raw) < 0) {
    // Python: after EINTR, connect waits for the handshake to end (PEP 475).
    // On loopback the handshake is over before connect returns, so EINTR is
    // not expected here, and is raised like any other error.
    throw OSError(errno, "connect");
  }
}

std::string Socket::recv(std::size_t bufsize) {
  std::string data(bufsize, '\0');
  for (;;) {
    process_->check_signals();
    const ssize_t n = ::recv(fd_, data.data(), data.size(), 0);
    const int error = errno;
    process_->check_signals();
    if (n >= 0) {
      data.resize(static_cast<std::size_t>(n));
      return data;
    }
    if (error != EINTR) {
      throw OSError(error, "recv");
    }
  }
}

std::size_t Socket::send(std::string_view data) {
  for (;;) {
    process_->check_signals();
    const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    const int error = errno;
    process_->check_signals();
    if (n >= 0) {
      return static_cast<std::size_t>(n);  // perhaps fewer than data.size()
    }
    if (error != EINTR) {
      throw OSError(error, "send");
    }
  }
}

void Socket::close() {
  // Python: close() forgets the descriptor first, so later calls get -1; an
  // ECONNRESET from close(2) is ignored (Modules/socketmodule.c, sock_close).
  const int fd = std::exchange(fd_, -1);
  if (fd >= 0 && process_->close(fd) < 0 && errno != ECONNRESET) {
    throw OSError(errno, "close");
  }
}

Address Socket::getsockname() const {
  sockaddr_in raw{};
  socklen_t size = sizeof raw;
  if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&raw), &size) < 0) {
    throw OSError(errno, "getsockname");
  }
  return from_sockaddr(raw);
}

void sys_exit(int code) { throw SystemExit(code); }

// ---------------------------------------------------------------------------
// Server.py, line by line.  The article's lines are quoted on the right.

Server::Server(Process& process, std::uint16_t port) : process_(process), s_(process) {
  //                                          s=socket.socket(socket.AF_INET, socket.SOCK_STREAM)
  s_.bind({"127.0.0.1", port});            // s.bind(('127.0.0.1',4323))
  s_.listen(5);                            // s.listen(5)
  port_ = s_.getsockname().port;           // (not in the article: the port, for port 0)
}

//! [article_server]
void Server::run() {
  for (;;) {                                        // while True:
    auto [conn, addr] = s_.accept();                //     conn,addr= s.accept()
    process_.print({"欢迎" + addr.repr()});         //     print('欢迎{}'.format(addr))
    for (;;) {                                      //     while True:
      const std::string data = conn.recv(1024);     //         data=conn.recv(1024)
      const std::string dt = decode_utf8(data);     //         dt=data.decode('utf-8')
      process_.print({"收到：", dt});               //         print('收到：',dt)
      const std::string aa = process_.input("服务器发出：");  //  aa=input('服务器发出：')
      if (aa == "quit") {                           //         if aa=='quit':
        conn.close();                               //             conn.close()
        s_.close();                                 //             s.close()
      } else {                                      //         else:
        conn.send(encode_utf8(aa));                 //             conn.send(aa.encode('utf-8'))
      }
    }
    // Python: the inner loop has no break, so this point is never reached and
    // the server never calls accept() again.
  }
}
//! [article_server]

// ---------------------------------------------------------------------------
// Client.py, line by line.

Client::Client(Process& process, std::uint16_t port) : process_(process), c_(process) {
  //                                          c=socket.socket()
  c_.connect({"127.0.0.1", port});         // c.connect(('127.0.0.1',4323))
}

//! [article_client]
void Client::run() {
  for (;;) {                                        // while True:
    const std::string ab = process_.input("客户端发出：");  //    ab=input('客户端发出：')
    if (ab == "quit") {                             //     if ab=='quit':
      c_.close();                                   //         c.close()
      sys_exit(0);                                  //         sys.exit(0)
    } else {                                        //     else:
      c_.send(encode_utf8(ab));                     //         c.send(ab.encode('utf-8'))
      const std::string data = c_.recv(1024);       //         data=c.recv(1024)
      process_.print({"收到：", decode_utf8(data)}); //         print('收到：',data.decode('utf-8'))
    }
  }
}
//! [article_client]

}  // namespace socklab::chat::article
