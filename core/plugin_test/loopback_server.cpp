#include "plugin_test/loopback_server.hpp"

#include <sys/socket.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <cctype>

namespace abm::plugin_test {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

struct LoopbackServer::Impl {
  Handler handler;
  asio::io_context io;
  tcp::acceptor acceptor{io};
  uint16_t port = 0;
  std::atomic<bool> stopping{false};
  std::thread accepting;
  std::mutex mu;
  std::vector<std::thread> connections;
  std::vector<int> open_fds;

  void acceptLoop() {
    while (!stopping) {
      tcp::socket socket(io);
      boost::system::error_code ec;
      acceptor.accept(socket, ec);
      if (ec || stopping) break;
      std::lock_guard lock(mu);
      open_fds.push_back(socket.native_handle());
      connections.emplace_back([this, s = std::move(socket)]() mutable { serve(std::move(s)); });
    }
  }

  // One connection, its requests one after the other (keep-alive), until the client closes it.
  void serve(tcp::socket socket) {
    beast::flat_buffer buffer;
    boost::system::error_code ec;
    while (!stopping) {
      beast::http::request_parser<beast::http::string_body> parser;
      parser.body_limit(64 * 1024 * 1024);
      beast::http::read(socket, buffer, parser, ec);
      if (ec) break;
      const auto& req = parser.get();
      HttpRequest r;
      r.method = std::string(req.method_string());
      r.target = std::string(req.target());
      for (const auto& field : req) {
        std::string name(field.name_string());
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
        r.headers[name] = std::string(field.value());
      }
      r.body = req.body();
      const HttpAnswer a = handler(r);
      beast::http::response<beast::http::string_body> res{static_cast<beast::http::status>(a.status), req.version()};
      for (const auto& [name, value] : a.headers)
        if (name != "content-length" && name != "transfer-encoding" && name != "connection" &&
            name != "content-encoding")
          res.set(name, value);
      res.body() = a.body;
      res.keep_alive(req.keep_alive());
      res.prepare_payload();
      beast::http::write(socket, res, ec);
      if (ec || !req.keep_alive()) break;
    }
    std::lock_guard lock(mu);
    open_fds.erase(std::remove(open_fds.begin(), open_fds.end(), socket.native_handle()), open_fds.end());
    socket.shutdown(tcp::socket::shutdown_both, ec);
  }
};

LoopbackServer::LoopbackServer(Handler handler) : impl_(std::make_unique<Impl>()) {
  impl_->handler = std::move(handler);
}

LoopbackServer::~LoopbackServer() {
  if (!impl_->accepting.joinable()) return;
  impl_->stopping = true;
  {
    // Wakes the blocked accept with a connection of our own, and every reader with a shutdown.
    boost::system::error_code ec;
    tcp::socket wake(impl_->io);
    wake.connect({asio::ip::address_v4::loopback(), impl_->port}, ec);
  }
  impl_->accepting.join();
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(impl_->mu);
    for (int fd : impl_->open_fds) ::shutdown(fd, SHUT_RDWR);
    threads.swap(impl_->connections);
  }
  for (auto& t : threads) t.join();
}

Status LoopbackServer::start() {
  boost::system::error_code ec;
  const tcp::endpoint where{asio::ip::address_v4::loopback(), 0};
  impl_->acceptor.open(where.protocol(), ec);
  if (!ec) impl_->acceptor.bind(where, ec);
  if (!ec) impl_->acceptor.listen(64, ec);
  if (ec) return Status::error("cannot listen on 127.0.0.1: " + ec.message());
  impl_->port = impl_->acceptor.local_endpoint().port();
  impl_->accepting = std::thread([this] { impl_->acceptLoop(); });
  return Status::ok();
}

std::string LoopbackServer::url() const { return "http://127.0.0.1:" + std::to_string(impl_->port); }

}  // namespace abm::plugin_test
