#include "http/http_server.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <chrono>
#include <map>
#include <optional>

#include "common/catch_all.hpp"
#include "http/api_tokens.hpp"
#include "http/gzip_body.hpp"
#include "http/request_target.hpp"
#include "http/token_cookie.hpp"
#include "log/logger.hpp"
#include "telemetry/telemetry.hpp"

namespace abm::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

class Session;

struct HttpServer::Shared : std::enable_shared_from_this<HttpServer::Shared> {
  asio::io_context& io;
  config::HttpSettings settings;
  std::shared_ptr<const Router> router;
  ApiTokens tokens;
  tcp::acceptor acceptor;
  asio::steady_timer retry_timer;
  std::map<Session*, std::weak_ptr<Session>> sessions;  // open connections, io thread only
  bool stopping = false;
  std::function<void()> drained;

  Shared(asio::io_context& i, config::HttpSettings s, std::shared_ptr<const Router> r)
      : io(i), settings(std::move(s)), router(std::move(r)), acceptor(i), retry_timer(i) {
    tokens.replace(settings.api_tokens);
  }
  void accept();
  void sessionClosed(Session* s);
  void maybeDrained();
};

namespace {

const std::string kServerName = std::string("abmd/") + ABMD_VERSION;

bool accessAllowed(Access access, const config::HttpSettings& settings, const ApiTokens& tokens,
                   const Request& req) {
  if (access == Access::Public) return true;
  if (access == Access::Metrics && !settings.metrics_require_token) return true;
  // Without tokens the API is open, which config only allows on a loopback address.
  if (tokens.empty()) return settings.loopback;
  if (tokens.accepts(req.header("authorization"))) return true;
  // The dashboards' cookie authorizes reads only: starting a sync still takes the bearer header, so
  // a page can never be made to write (SameSite=Strict already keeps other sites from sending it).
  const bool read = req.method == "GET" || req.method == "HEAD";
  return read && tokens.acceptsToken(cookieValue(req.header("cookie"), kTokenCookie));
}

}  // namespace

// One connection: read a request, hand it to its handler, write the answer, and again while the
// client keeps the connection alive. Runs on the io_context's thread; only Respond crosses threads.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<HttpServer::Shared> shared)
      : stream_(std::move(socket)), shared_(std::move(shared)) {
    boost::system::error_code ec;
    const auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = ep.address().to_string() + ":" + std::to_string(ep.port());
  }
  ~Session() { shared_->sessionClosed(this); }

  void start() { waitForRequest(true); }

  // Refuses the connection at once (too many open): a 503 the client can act on, then close.
  void refuseBusy() {
    respond(Response::error(503, "unavailable", "too many open connections; retry shortly"), false);
  }

  // Shutdown: an idle connection (waiting for a request's first byte) closes now; a busy one
  // closes after its answer is written.
  void closeIfIdle() {
    if (!busy_) {
      boost::system::error_code ec;
      stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
      stream_.socket().close(ec);
    }
  }

 private:
  const config::HttpSettings& settings() const { return shared_->settings; }

  // Waits for the first byte of the next request (keep-alive idle time), then reads it whole
  // within read_timeout: a trickling client cannot stretch its request past that deadline.
  void waitForRequest(bool first) {
    if (buffer_.size() > 0) return readHeader();
    stream_.expires_after(first ? settings().read_timeout : settings().idle_timeout);
    stream_.async_read_some(buffer_.prepare(4096), [self = shared_from_this()](beast::error_code ec, size_t n) {
      if (ec) return self->closeQuietly();
      self->buffer_.commit(n);
      self->readHeader();
    });
  }

  void readHeader() {
    if (shared_->stopping) return closeQuietly();
    // A request has begun to arrive: from here it is in flight, and stop lets it finish (within
    // read_timeout) instead of cutting it off as it does idle connections.
    busy_ = true;
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(settings().max_header_bytes));
    parser_->body_limit(settings().max_body_bytes);
    started_ = SteadyClock::now();
    stream_.expires_after(settings().read_timeout);
    bhttp::async_read_header(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, size_t) {
      self->onHeader(ec);
    });
  }

  void onHeader(beast::error_code ec) {
    if (ec) return readFailed(ec);
    const auto& h = parser_->get();
    if (auto len = parser_->content_length(); len && *len > settings().max_body_bytes)
      return respond(tooLarge(), false);  // the body stays unread: the connection must close
    if (bhttp::token_list(h[bhttp::field::expect]).exists("100-continue")) {
      // curl and others wait for this before sending a body over 1 KB.
      continue_.emplace(bhttp::status::continue_, h.version());
      bhttp::async_write(stream_, *continue_, [self = shared_from_this()](beast::error_code wec, size_t) {
        if (wec) return self->closeQuietly();
        self->readBody();
      });
      return;
    }
    readBody();
  }

  void readBody() {
    bhttp::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->readFailed(ec);
      self->dispatch();
    });
  }

  Response tooLarge() const {
    return Response::error(413, "too_large",
                           "the request body is over " + std::to_string(settings().max_body_bytes) +
                               " bytes (http.max_body_bytes)");
  }

  void readFailed(beast::error_code ec) {
    if (ec == bhttp::error::body_limit) return respond(tooLarge(), false);
    if (ec == bhttp::error::header_limit)
      return respond(Response::error(431, "headers_too_large",
                                     "the request headers are over " + std::to_string(settings().max_header_bytes) +
                                         " bytes"),
                     false);
    if (ec == beast::error::timeout || ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
        ec == asio::error::operation_aborted || ec == asio::error::connection_reset || ec == bhttp::error::partial_message)
      return closeQuietly();
    // Anything else is a request that is not HTTP/1.1 as we read it.
    respond(Response::error(400, "bad_request", "malformed HTTP request: " + ec.message()), false);
  }

  void dispatch() {
    busy_ = true;
    const auto& msg = parser_->get();
    keep_alive_ = msg.keep_alive();
    head_ = msg.method() == bhttp::verb::head;
    Request req;
    req.method = std::string(msg.method_string());
    method_ = req.method;
    req.target = std::string(msg.target());
    req.remote = remote_;
    RequestTarget target;
    std::string error;
    if (!parseRequestTarget(req.target, target, error)) return respond(Response::error(400, "bad_request", error), keep_alive_);
    req.path = std::move(target.path);
    req.query = std::move(target.query);
    for (const auto& f : msg) {
      std::string name(f.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      req.headers.emplace_back(std::move(name), std::string(f.value()));
    }
    const auto encoding = msg[bhttp::field::content_encoding];
    if (encoding.empty() || beast::iequals(encoding, "identity")) {
      req.body = std::move(parser_->release().body());
    } else if (beast::iequals(encoding, "gzip") || beast::iequals(encoding, "x-gzip") ||
               beast::iequals(encoding, "deflate")) {
      switch (inflateGzip(msg.body(), settings().max_body_bytes, req.body)) {
        case InflateResult::Ok: break;
        case InflateResult::TooLarge:
          return respond(Response::error(413, "too_large",
                                         "the request body inflates to over " +
                                             std::to_string(settings().max_body_bytes) + " bytes (http.max_body_bytes)"),
                         keep_alive_);
        case InflateResult::Corrupt:
          return respond(Response::error(400, "bad_request",
                                         "the body is not a valid " + std::string(encoding) + " stream"),
                         keep_alive_);
      }
    } else {
      return respond(Response::error(415, "unsupported_encoding",
                                     "Content-Encoding '" + std::string(encoding) + "' is not supported (gzip is)"),
                     keep_alive_);
    }

    auto m = shared_->router->match(req.method, req.path);
    if (!m.route) {
      route_ = "unmatched";
      if (m.allowed.empty())
        return respond(Response::error(404, "not_found", "no such resource: " + req.path), keep_alive_);
      std::string allow;
      for (const auto& a : m.allowed) allow += (allow.empty() ? "" : ", ") + a;
      auto r = Response::error(405, "method_not_allowed", req.method + " is not allowed on " + req.path + " (allowed: " + allow + ")");
      r.headers.emplace_back("Allow", allow);
      return respond(std::move(r), keep_alive_);
    }
    route_ = m.route->pattern;
    req.params = std::move(m.params);
    if (m.route->access == Access::Page && req.queryValue(kTokenParam))
      return respond(tokenLogin(req, shared_->tokens), keep_alive_);
    if (!accessAllowed(m.route->access, settings(), shared_->tokens, req)) {
      if (m.route->access == Access::Page) return respond(pageUnauthorized(false), keep_alive_);
      auto r = Response::error(401, "unauthorized",
                               req.header("authorization").empty()
                                   ? "this endpoint needs \"Authorization: Bearer <token>\" (one of http.api_tokens)"
                                   : "the bearer token is not one of http.api_tokens");
      r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"abmd\"");
      return respond(std::move(r), keep_alive_);
    }
    // The answer may come from another thread, later; it is written on this connection's thread.
    auto answered = std::make_shared<std::atomic<bool>>(false);
    // Until the answer comes the loop must not run out of work, even with nothing else pending
    // (a drain after the acceptor closed).
    auto pending = std::make_shared<asio::executor_work_guard<asio::io_context::executor_type>>(shared_->io.get_executor());
    // The session rides in a slot that answering empties: the posted write then holds the only
    // reference, so the session ends on its own thread. A Respond kept by a query or commit thread
    // after it answered would otherwise drop the last reference there, and ~Session would change
    // the server's session map off the loop's thread.
    auto slot = std::make_shared<std::shared_ptr<Session>>(shared_from_this());
    Respond reply = [slot, answered, pending](Response r) {
      if (answered->exchange(true)) return;  // a handler answering twice: the first answer stands
      auto self = std::move(*slot);
      auto executor = self->stream_.get_executor();
      asio::post(executor, [self = std::move(self), pending, r = std::move(r)]() mutable {
        self->respond(std::move(r), self->keep_alive_);
        pending->reset();
      });
    };
    const std::string crash = catchAll([&] { m.route->handler(req, reply); });
    if (!crash.empty()) {
      log::error("HTTP " + req.method + " " + req.path + " failed: " + crash);
      reply(Response::error(500, "internal", "the request failed inside abmd; the log has the details"));
    }
  }

  void respond(Response r, bool keep_alive) {
    busy_ = true;
    const bool keep = keep_alive && !shared_->stopping;
    res_.emplace(static_cast<bhttp::status>(r.status), parser_ ? parser_->get().version() : 11);
    res_->set(bhttp::field::server, kServerName);
    // 1xx, 204 and 304 answers have no body, so no Content-Type or Content-Length either (RFC 9110
    // 8.6, 15.3.5); Beast's prepare_payload throws on such an answer with a body.
    const bool bodiless = r.status < 200 || r.status == 204 || r.status == 304;
    if (!bodiless && !r.content_type.empty()) res_->set(bhttp::field::content_type, r.content_type);
    res_->set(bhttp::field::cache_control, "no-store");
    for (auto& [k, v] : r.headers) res_->set(k, v);
    status_ = r.status;
    if (!bodiless) res_->body() = std::move(r.body);
    res_->keep_alive(keep);
    if (!bodiless) res_->prepare_payload();
    if (head_) res_->body().clear();  // Content-Length stays that of the GET answer
    stream_.expires_after(settings().write_timeout);
    auto write_head = [self = shared_from_this(), keep](beast::error_code ec, size_t) { self->onWritten(ec, keep); };
    if (head_) {
      sr_.emplace(*res_);
      bhttp::async_write_header(stream_, *sr_, std::move(write_head));
    } else {
      bhttp::async_write(stream_, *res_, std::move(write_head));
    }
  }

  void onWritten(beast::error_code ec, bool keep) {
    const double seconds = std::chrono::duration<double>(SteadyClock::now() - started_).count();
    telemetry::Registry::global().httpRequest(route_.empty() ? "unmatched" : route_,
                                              method_.empty() ? "-" : method_, status_, seconds);
    busy_ = false;
    route_.clear();
    method_.clear();
    head_ = false;
    sr_.reset();
    res_.reset();
    if (ec || !keep || shared_->stopping) return closeGracefully();
    waitForRequest(false);
  }

  void closeGracefully() {
    boost::system::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.close();
  }

  void closeQuietly() {
    boost::system::error_code ec;
    stream_.socket().close(ec);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::shared_ptr<HttpServer::Shared> shared_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::optional<bhttp::response<bhttp::empty_body>> continue_;
  std::optional<bhttp::response<bhttp::string_body>> res_;
  std::optional<bhttp::response_serializer<bhttp::string_body>> sr_;
  std::string remote_, route_, method_;
  SteadyClock::time_point started_ = SteadyClock::now();
  int status_ = 0;
  bool busy_ = false, keep_alive_ = false, head_ = false;
};

void HttpServer::Shared::accept() {
  acceptor.async_accept([self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || self->stopping) return;
    if (!ec) {
      auto session = std::make_shared<Session>(std::move(socket), self);
      const bool full = static_cast<int>(self->sessions.size()) >= self->settings.max_connections;
      self->sessions[session.get()] = session;
      telemetry::Registry::global().setHttpConnections(static_cast<int64_t>(self->sessions.size()));
      if (full) session->refuseBusy();
      else session->start();
    } else {
      // Out of file descriptors, say: pause rather than spin, then accept again.
      log::warn("HTTP accept failed: " + ec.message() + "; retrying in 100 ms");
      self->retry_timer.expires_after(std::chrono::milliseconds(100));
      self->retry_timer.async_wait([self](beast::error_code) {
        if (!self->stopping) self->accept();
      });
      return;
    }
    self->accept();
  });
}

void HttpServer::Shared::sessionClosed(Session* s) {
  sessions.erase(s);
  telemetry::Registry::global().setHttpConnections(static_cast<int64_t>(sessions.size()));
  maybeDrained();
}

void HttpServer::Shared::maybeDrained() {
  if (stopping && sessions.empty() && drained) {
    auto done = std::move(drained);
    drained = nullptr;
    asio::post(io, std::move(done));
  }
}

HttpServer::HttpServer(asio::io_context& io, config::HttpSettings settings, std::shared_ptr<const Router> router)
    : shared_(std::make_shared<Shared>(io, std::move(settings), std::move(router))) {}

HttpServer::~HttpServer() {
  boost::system::error_code ec;
  shared_->acceptor.close(ec);
}

Status HttpServer::start() {
  const auto& s = shared_->settings;
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(s.host == "localhost" ? "127.0.0.1" : s.host, ec);
  if (ec) return Status::error("http.listen: '" + s.host + "' is not an IP address");
  const tcp::endpoint endpoint(address, s.port);
  auto& a = shared_->acceptor;
  if (a.open(endpoint.protocol(), ec); ec) return Status::error("http.listen " + s.listen + ": cannot open a socket: " + ec.message());
  if (a.set_option(asio::socket_base::reuse_address(true), ec); ec)
    return Status::error("http.listen " + s.listen + ": " + ec.message());
  if (a.bind(endpoint, ec); ec)
    return Status::error("http.listen " + s.listen + ": cannot bind: " + ec.message() +
                         (ec == asio::error::address_in_use ? " (another process listens there; change http.listen)" : ""));
  if (a.listen(asio::socket_base::max_listen_connections, ec); ec)
    return Status::error("http.listen " + s.listen + ": cannot listen: " + ec.message());
  shared_->accept();
  log::info("HTTP listening on " + (address.is_v6() ? "[" + address.to_string() + "]" : address.to_string()) + ":" +
            std::to_string(port()) + (s.api_tokens.empty() ? " (API open on loopback: no api_tokens)" : ""));
  return Status::ok();
}

uint16_t HttpServer::port() const {
  boost::system::error_code ec;
  const auto ep = shared_->acceptor.local_endpoint(ec);
  return ec ? 0 : ep.port();
}

void HttpServer::applySettings(const config::HttpSettings& settings) {
  auto next = settings;
  const auto& running = shared_->settings;
  next.listen = running.listen;
  next.host = running.host;
  next.port = running.port;
  next.loopback = running.loopback;
  shared_->tokens.replace(next.api_tokens);
  shared_->settings = std::move(next);
}

void HttpServer::stop(std::function<void()> drained) {
  auto& sh = *shared_;
  sh.stopping = true;
  sh.drained = std::move(drained);
  boost::system::error_code ec;
  sh.acceptor.close(ec);
  for (auto& [raw, weak] : std::map(sh.sessions))
    if (auto s = weak.lock()) s->closeIfIdle();
  sh.maybeDrained();
}

}  // namespace abm::http
