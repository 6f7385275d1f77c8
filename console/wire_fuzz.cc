// Fuzzes the server from the socket: the input is the raw bytes a client sends on one connection
// (request lines, headers, cookies, bodies, pipelined requests, garbage) to the real Beast server on a
// loopback port, serving the whole API (fuzz_api_setup.h). Placeholders @SESSION@, @CSRF@, @TOKEN@
// and @SENSOR@ in the input become live credentials, so seeds reach the handlers signed in.
//
// Invariants besides "no crash": every response on the connection is well-formed HTTP/1.x — a status
// line, header lines that are "token: value" (no header a handler set can smuggle a line break), a
// body of the advertised length — and no status is 500; the server keeps accepting connections.
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "console/fuzz_api_setup.h"
#include "console/server.h"

namespace {

using canh::console::fuzz::ApiWorld;

uint16_t server_port() {
  static uint16_t port = [] {
    canh::console::ServerOptions so;
    so.port = 0;
    so.threads = 1;
    // A request cut short by the client's end of input must not hold the run for long.
    so.read_timeout = std::chrono::seconds(5);
    so.idle_timeout = std::chrono::seconds(5);
    auto s = canh::console::Server::start(so, ApiWorld::get().router());
    if (!s) std::abort();
    static std::unique_ptr<canh::console::Server> server = std::move(s).value();
    return server->port();
  }();
  return port;
}

bool token_char(unsigned char c) {
  return std::isalnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

// Checks every response in `out`; returns false on anything malformed.
bool well_formed(std::string_view out) {
  while (!out.empty()) {
    // Answered in the request's version: HTTP/1.0 requests get HTTP/1.0 responses.
    if ((out.substr(0, 9) != "HTTP/1.1 " && out.substr(0, 9) != "HTTP/1.0 ") || out.size() < 12) return false;
    for (int i = 9; i < 12; ++i)
      if (!std::isdigit(static_cast<unsigned char>(out[i]))) return false;
    if (out.substr(9, 3) == "500") return false;
    size_t end = out.find("\r\n\r\n");
    if (end == std::string_view::npos) return false;
    std::string_view head = out.substr(0, end);
    size_t pos = head.find("\r\n");
    size_t length = 0;
    bool have_length = false;
    while (pos != std::string_view::npos) {
      size_t next = head.find("\r\n", pos + 2);
      std::string_view line = head.substr(pos + 2, next == std::string_view::npos ? std::string_view::npos : next - pos - 2);
      size_t colon = line.find(':');
      if (colon == 0 || colon == std::string_view::npos) return false;
      for (size_t i = 0; i < colon; ++i)
        if (!token_char(static_cast<unsigned char>(line[i]))) return false;
      for (char c : line)
        if (c == '\r' || c == '\n' || c == '\0') return false;
      std::string name(line.substr(0, colon));
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (name == "content-length") {
        length = std::strtoull(std::string(line.substr(colon + 1)).c_str(), nullptr, 10);
        have_length = true;
      }
      pos = next;
    }
    out.remove_prefix(end + 4);
    if (!have_length) return true;  // close-delimited: nothing more to frame
    // The answer to a HEAD request advertises the length of a body it does not send. None of this
    // server's bodies (JSON, HTML, scripts) starts like a status line, so one right here is the next
    // response.
    if (out.size() >= 13 && (out.substr(0, 9) == "HTTP/1.1 " || out.substr(0, 9) == "HTTP/1.0 ") && out[12] == ' ')
      continue;
    if (out.size() < length) return true;  // the connection ended inside a body we cut short
    out.remove_prefix(length);
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ApiWorld& world = ApiWorld::get();
  world.repair();
  const uint16_t port = server_port();
  std::string bytes = world.substitute(std::string_view(reinterpret_cast<const char*>(data), size));

  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) std::abort();
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    std::fprintf(stderr, "wire_fuzz: cannot connect to the server: %s\n", std::strerror(errno));
    __builtin_trap();  // the server stopped accepting
  }
  timeval tv{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  for (size_t off = 0; off < bytes.size();) {
    ssize_t n = ::send(fd, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (n <= 0) break;  // the server may answer and close before reading everything (413, 400)
    off += static_cast<size_t>(n);
  }
  ::shutdown(fd, SHUT_WR);
  std::string out;
  char buf[16384];
  for (;;) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  if (!well_formed(out)) {
    std::fprintf(stderr, "wire_fuzz: malformed answer (%zu bytes):\n%.*s\n", out.size(),
                 static_cast<int>(std::min<size_t>(out.size(), 2000)), out.data());
    __builtin_trap();
  }
  return 0;
}
