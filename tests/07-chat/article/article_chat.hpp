#pragma once
// The article's chat (section 二.5, Server.py and Client.py), transcribed into
// C++ call for call, so that tests can run it and show what goes wrong with it.
//
// This is not socklab's chat and not a model to follow: it keeps every bug of
// the original on purpose.  What had to change, and why:
// - input() and print() are injectable functions (Builtins), so a test can
//   type lines and read the screen; Keyboard and Screen in console.hpp are
//   the doubles the tests use.
// - The port is a parameter: tests listen on port 0 and read the port back with
//   getsockname, where the article hard-codes 4323.
// - Python's exceptions are C++ exceptions with Python's names and messages
//   (OSError, UnicodeDecodeError, EOFError, KeyboardInterrupt, SystemExit).
//   A Python program that dies of an uncaught exception is, here, a run()
//   that throws; the test destroys the program object then, which closes its
//   sockets as the end of the Python process would.
// - Ctrl-C (KeyboardInterrupt) is modelled by Process::interrupt(), so a test
//   can always stop a transcribed program that is stuck, and join its thread.
// Every other place where the transcription has to choose how to model Python
// says so in a comment that starts with "Python:".

#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace socklab::chat::article {

// ---------------------------------------------------------------------------
// Python's exceptions.
//
// Python: the hierarchy is cut down to what the two programs can raise.
// BaseException > Exception > OSError; Exception > UnicodeDecodeError (really
// ValueError > UnicodeError > UnicodeDecodeError); Exception > EOFError;
// BaseException > KeyboardInterrupt; BaseException > SystemExit.  what() is
// what Python's str(exception) gives, and python_type() the class name that a
// traceback shows.

/// Python's BaseException.
class BaseException : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
  /// The Python class name, as a traceback shows it.
  [[nodiscard]] virtual std::string python_type() const = 0;
};

/// Python's Exception.
class Exception : public BaseException {
 public:
  using BaseException::BaseException;
};

/// Python's OSError, for a failed system call.
///
/// Python: OSError's constructor picks a subclass by errno (ECONNRESET gives
/// ConnectionResetError, EPIPE BrokenPipeError, ECONNREFUSED
/// ConnectionRefusedError, …).  Here there is one class, and python_type()
/// gives the name of the subclass Python would raise.
class OSError : public Exception {
 public:
  /// The error \p error_number, from the system call \p call (not part of
  /// Python's message: kept for the test's story).
  OSError(int error_number, std::string call);
  /// The errno value: OSError.errno in Python.
  [[nodiscard]] int error_number() const noexcept { return errno_; }
  /// The system call that failed.
  [[nodiscard]] const std::string& call() const noexcept { return call_; }
  [[nodiscard]] std::string python_type() const override;

 private:
  int errno_;
  std::string call_;
};

/// Python's UnicodeDecodeError, raised by bytes.decode('utf-8').
class UnicodeDecodeError : public Exception {
 public:
  /// \p start and \p end (exclusive) locate the bad bytes of \p object.
  UnicodeDecodeError(std::string_view object, std::size_t start, std::size_t end, std::string reason);
  [[nodiscard]] std::size_t start() const noexcept { return start_; }
  [[nodiscard]] std::size_t end() const noexcept { return end_; }
  [[nodiscard]] const std::string& reason() const noexcept { return reason_; }
  [[nodiscard]] std::string python_type() const override { return "UnicodeDecodeError"; }

 private:
  std::size_t start_;
  std::size_t end_;
  std::string reason_;
};

/// Python's EOFError: input() found the end of its input.
class EOFError : public Exception {
 public:
  EOFError() : Exception("EOF when reading a line") {}
  [[nodiscard]] std::string python_type() const override { return "EOFError"; }
};

/// Python's KeyboardInterrupt: the user pressed Ctrl-C.
class KeyboardInterrupt : public BaseException {
 public:
  KeyboardInterrupt() : BaseException("") {}
  [[nodiscard]] std::string python_type() const override { return "KeyboardInterrupt"; }
};

/// Python's SystemExit, raised by sys.exit(code).
class SystemExit : public BaseException {
 public:
  explicit SystemExit(int code) : BaseException(std::to_string(code)), code_(code) {}
  [[nodiscard]] int code() const noexcept { return code_; }
  [[nodiscard]] std::string python_type() const override { return "SystemExit"; }

 private:
  int code_;
};

// ---------------------------------------------------------------------------
// str and bytes.
//
// Python: a str is held as its UTF-8 bytes in a std::string, and so is a bytes
// object; the two functions below are the only way from one to the other, as
// in Python.

/// bytes.decode('utf-8') with Python's default errors='strict': returns the
/// text, or throws UnicodeDecodeError with the position and reason Python
/// gives ("invalid start byte", "invalid continuation byte", "unexpected end
/// of data").  Like Python's decoder it rejects overlong forms, surrogates
/// (U+D800 to U+DFFF) and code points above U+10FFFF.
[[nodiscard]] std::string decode_utf8(std::string_view bytes);

/// str.encode('utf-8').
///
/// Python: encoding a str cannot fail for the text a keyboard produces (only a
/// lone surrogate fails).  Here the text must be valid UTF-8; anything else is
/// a mistake in the test, reported as std::invalid_argument.
[[nodiscard]] std::string encode_utf8(std::string_view text);

/// An IPv4 socket address: Python's (host, port) tuple.
struct Address {
  std::string host;        ///< numeric IPv4 text
  std::uint16_t port = 0;  ///< host byte order
  /// str() of the tuple, as format() shows it: `('127.0.0.1', 4323)`.
  [[nodiscard]] std::string repr() const;
};

// ---------------------------------------------------------------------------
// The process around the program.

/// Python's builtins input() and print(), injected.
struct Builtins {
  /// input(prompt): shows \p prompt, returns the line typed without its
  /// newline; throws EOFError at the end of input.
  std::function<std::string(std::string_view prompt)> input;
  /// print(*args): \p text is the arguments already joined by sep (' '),
  /// without the end ('\n').
  std::function<void(std::string_view text)> print;
  /// Optional: wakes an input() that is waiting, to raise KeyboardInterrupt
  /// (what Ctrl-C does to a real input()).
  std::function<void()> interrupt_input;
};

/// One Python process: its builtins, its signals (Ctrl-C), and its open
/// sockets.  Thread-safe: interrupt() may be called from any thread.
class Process {
 public:
  /// A process whose input() and print() are \p builtins.
  explicit Process(Builtins builtins);
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  /// input(prompt).
  std::string input(std::string_view prompt);
  /// print(a, b, …) with the arguments already turned into str.
  void print(std::initializer_list<std::string_view> arguments);

  /// Ctrl-C.  Python: SIGINT makes a blocked system call return EINTR, and the
  /// interpreter then raises KeyboardInterrupt.  A signal cannot pick out one
  /// thread of a test process, so instead every socket of this process is
  /// shut down (which wakes a blocked accept, recv or send) and input() is
  /// woken; each Python-level call then checks the flag and raises
  /// KeyboardInterrupt.
  void interrupt();
  /// Throws KeyboardInterrupt once interrupt() was called: Python's check for
  /// pending signals between calls.
  void check_signals() const;

  /// A new socket's descriptor, remembered so interrupt() can wake it.
  void adopt(int fd);
  /// Closes \p fd, which adopt() was given; returns close(2)'s result.
  int close(int fd);

 private:
  Builtins builtins_;
  mutable std::mutex mutex_;
  bool interrupted_ = false;
  std::set<int> sockets_;
};

/// Python's socket.socket object, as much of it as the article uses.
///
/// Python: every method is one system call, retried after EINTR once the
/// signal handlers have run (PEP 475), and failing with OSError.  A closed
/// socket keeps fileno() -1 and passes it to the next call, which fails with
/// EBADF: CPython does exactly that.
class Socket {
 public:
  /// socket.socket(AF_INET, SOCK_STREAM).  Python: sockets are made
  /// close-on-exec (PEP 446), so SOCK_CLOEXEC.
  explicit Socket(Process& process);
  /// Python: a socket object that is garbage-collected (or still open when
  /// the interpreter exits) is closed.
  ~Socket();
  Socket(Socket&& other) noexcept;
  Socket& operator=(Socket&&) = delete;
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;

  void bind(const Address& address);        ///< s.bind((host, port))
  void listen(int backlog);                 ///< s.listen(backlog)
  std::pair<Socket, Address> accept();      ///< conn, addr = s.accept()
  void connect(const Address& address);     ///< s.connect((host, port))
  /// s.recv(bufsize): one recv(2) of at most \p bufsize bytes; "" (b'') at the
  /// end of the stream.
  std::string recv(std::size_t bufsize);
  /// s.send(data): one send(2); returns how many bytes it took, which may be
  /// fewer than `data.size()`.  Python: the interpreter ignores SIGPIPE, so a
  /// send to a closed connection raises BrokenPipeError instead of killing the
  /// process; here MSG_NOSIGNAL does the same for this one call, without
  /// changing the test process's signal handling.
  std::size_t send(std::string_view data);
  void close();                             ///< s.close()
  [[nodiscard]] Address getsockname() const;  ///< s.getsockname()
  [[nodiscard]] int fileno() const noexcept { return fd_; }  ///< s.fileno()

 private:
  Socket(Process& process, int fd);
  Process* process_;
  int fd_ = -1;
};

/// sys.exit(code): raises SystemExit.
[[noreturn]] void sys_exit(int code);

// ---------------------------------------------------------------------------
// The programs.

/// Server.py.  The constructor runs its first lines (socket, bind, listen);
/// run() is its `while True:` loop.
class Server {
 public:
  /// `s=socket.socket(...)`, `s.bind(('127.0.0.1', port))`, `s.listen(5)`.
  /// The article's port is 4323; tests pass 0 and read port().
  Server(Process& process, std::uint16_t port);
  /// The port bound (s.getsockname()[1]): the one line the article does not have.
  [[nodiscard]] std::uint16_t port() const { return port_; }
  /// The `while True:` loop.  It never ends but by an exception, which in
  /// Python would end the process: destroy the Server then.
  [[noreturn]] void run();

 private:
  Process& process_;
  Socket s_;
  std::uint16_t port_ = 0;
};

/// Client.py.  The constructor runs its first lines (socket, connect); run()
/// is its `while True:` loop.
class Client {
 public:
  /// `c=socket.socket()`, `c.connect(('127.0.0.1', port))`.
  Client(Process& process, std::uint16_t port);
  /// The `while True:` loop; 'quit' ends it with SystemExit(0), as sys.exit(0)
  /// does.
  [[noreturn]] void run();
  /// c.fileno(): not in the article; lets a test look at the socket (FIONREAD).
  [[nodiscard]] int fileno() const noexcept { return c_.fileno(); }

 private:
  Process& process_;
  Socket c_;
};

}  // namespace socklab::chat::article
