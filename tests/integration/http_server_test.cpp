// The listener over real loopback TCP: keep-alive, routing errors, bearer tokens, body and header
// limits, gzip bodies, slow clients, the connection cap, handlers that throw or answer late, and
// the drain on shutdown.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <future>
#include <thread>

#include "http/http_server.hpp"
#include "http_client.hpp"

namespace abm {
namespace {

using namespace std::chrono_literals;
using test::httpRequest;
using test::RawConnection;

std::string gzip(const std::string& in) { return test::gzipBytes(in); }

class HttpServerTest : public ::testing::Test {
 protected:
  void start(config::HttpSettings settings = {}) {
    settings.port = 0;
    auto router = std::make_shared<http::Router>();
    router->add("GET", "/hello", http::Access::Public,
                [](const http::Request& r, http::Respond respond) {
                  respond(http::Response::json(200, {{"hello", "world"}, {"q", r.queryValue("q") ? *r.queryValue("q") : ""}}));
                });
    router->add("GET", "/items/{id}", http::Access::ApiToken, [](const http::Request& r, http::Respond respond) {
      respond(http::Response::json(200, {{"id", r.params.at("id")}}));
    });
    router->add("DELETE", "/items/{id}", http::Access::ApiToken,
                [](const http::Request&, http::Respond respond) { respond(http::Response::json(204, nullptr)); });
    router->add("GET", "/metrics", http::Access::Metrics,
                [](const http::Request&, http::Respond respond) { respond(http::Response::text(200, "up 1\n")); });
    router->add("POST", "/echo", http::Access::Public, [](const http::Request& r, http::Respond respond) {
      respond(http::Response::json(200, {{"bytes", r.body.size()}, {"body", r.body}}));
    });
    router->add("GET", "/throw", http::Access::Public,
                [](const http::Request&, http::Respond) { throw std::runtime_error("handler bug"); });
    // Answers from another thread after `release_` is set, like the collector after its commit.
    router->add("GET", "/later", http::Access::Public, [this](const http::Request&, http::Respond respond) {
      entered_.set_value();
      std::thread([this, respond] {
        release_future_.wait();
        respond(http::Response::json(200, {{"late", true}}));
      }).detach();
    });
    server_ = std::make_unique<http::HttpServer>(io_, settings, router);
    ASSERT_TRUE(server_->start().isOk());
    port_ = server_->port();
    thread_ = std::thread([this] { io_.run(); });
  }

  void TearDown() override {
    if (!release_set_) release_.set_value();
    if (thread_.joinable()) {
      boost::asio::post(io_, [this] { server_->stop([this] { io_.stop(); }); });
      thread_.join();
    }
  }

  boost::asio::io_context io_;
  std::unique_ptr<http::HttpServer> server_;
  std::thread thread_;
  uint16_t port_ = 0;
  std::promise<void> entered_, release_;
  std::shared_future<void> release_future_ = release_.get_future().share();
  bool release_set_ = false;
};

TEST_F(HttpServerTest, AnswersAndKeepsTheConnectionAlive) {
  start();
  RawConnection c(port_);
  ASSERT_TRUE(c.send("GET /hello?q=acme%20inc HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto a = c.readAnswer();
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, 200);
  EXPECT_EQ(a->headers["content-type"], "application/json");
  EXPECT_EQ(nlohmann::json::parse(a->body)["q"], "acme inc");
  // The same connection serves the next request.
  ASSERT_TRUE(c.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
  a = c.readAnswer();
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, 200);
  // HEAD answers like GET, without the body.
  ASSERT_TRUE(c.send("HEAD /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  EXPECT_TRUE(c.closedByPeer(5s));
}

TEST_F(HttpServerTest, UnknownPathIs404AndWrongMethodIs405WithAllow) {
  start();
  auto a = httpRequest(port_, "GET", "/nope");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, 404);
  EXPECT_EQ(nlohmann::json::parse(a->body)["error"]["code"], "not_found");
  a = httpRequest(port_, "PUT", "/items/7", "{}");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, 405);
  EXPECT_EQ(a->headers["allow"], "GET, DELETE");
  // A trailing slash is another resource.
  a = httpRequest(port_, "GET", "/hello/");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, 404);
}

TEST_F(HttpServerTest, A204AnswerHasNoBodyNoLengthAndNoEmptyContentType) {
  start();
  // The route answers 204 with a JSON null: the server sends no body with a 204, which a client
  // would otherwise read as the start of the next answer on the connection.
  RawConnection c(port_);
  ASSERT_TRUE(c.send("DELETE /items/7 HTTP/1.1\r\nHost: x\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto a = c.readAnswer();
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, 204);
  EXPECT_EQ(a->headers.count("content-length"), 0u) << "RFC 9110 8.6: a 204 carries no Content-Length";
  EXPECT_EQ(a->headers.count("content-type"), 0u) << "no body, no Content-Type (and never an empty one)";
  auto b = c.readAnswer();
  ASSERT_TRUE(b);
  EXPECT_EQ(b->status, 200) << "the next answer on the connection starts right after the 204's head";
}

TEST_F(HttpServerTest, TokensGuardTheApiRoutes) {
  config::HttpSettings s;
  s.api_tokens = {"first-token-0123456789", "second-token-abcdef"};
  start(s);
  auto a = httpRequest(port_, "GET", "/items/42");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, 401);
  EXPECT_EQ(a->headers["www-authenticate"], "Bearer realm=\"abmd\"");
  EXPECT_NE(a->body.find("Authorization: Bearer"), std::string::npos);
  a = httpRequest(port_, "GET", "/items/42", "", "Authorization: Bearer first-token-012345678\r\n");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, 401);
  EXPECT_EQ(a->body.find("first-token"), std::string::npos) << "a token must never be echoed";
  a = httpRequest(port_, "GET", "/items/42", "", "Authorization: bearer second-token-abcdef\r\n");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, 200);
  EXPECT_EQ(nlohmann::json::parse(a->body)["id"], "42");
  // Public and metrics routes need no token by default.
  EXPECT_EQ(httpRequest(port_, "GET", "/hello")->status, 200);
  EXPECT_EQ(httpRequest(port_, "GET", "/metrics")->status, 200);
  // The 401 happens before any method check of the handler, and 405 before auth.
  EXPECT_EQ(httpRequest(port_, "PUT", "/items/1", "x")->status, 405);
}

TEST_F(HttpServerTest, MetricsCanRequireAToken) {
  config::HttpSettings s;
  s.api_tokens = {"metrics-token-0123456789"};
  s.metrics_require_token = true;
  start(s);
  EXPECT_EQ(httpRequest(port_, "GET", "/metrics")->status, 401);
  EXPECT_EQ(httpRequest(port_, "GET", "/metrics", "", "Authorization: Bearer metrics-token-0123456789\r\n")->status, 200);
}

TEST_F(HttpServerTest, WithoutTokensTheApiIsOpenOnLoopback) {
  start();
  auto a = httpRequest(port_, "GET", "/items/9");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, 200);
}

TEST_F(HttpServerTest, TokensReloadWithoutRestart) {
  config::HttpSettings s;
  s.api_tokens = {"old-token-0123456789"};
  start(s);
  EXPECT_EQ(httpRequest(port_, "GET", "/items/1", "", "Authorization: Bearer old-token-0123456789\r\n")->status, 200);
  s.api_tokens = {"new-token-0123456789"};
  std::promise<void> applied;
  boost::asio::post(io_, [&] {
    server_->applySettings(s);
    applied.set_value();
  });
  applied.get_future().wait();
  EXPECT_EQ(httpRequest(port_, "GET", "/items/1", "", "Authorization: Bearer old-token-0123456789\r\n")->status, 401);
  EXPECT_EQ(httpRequest(port_, "GET", "/items/1", "", "Authorization: Bearer new-token-0123456789\r\n")->status, 200);
}

TEST_F(HttpServerTest, BodiesOverTheLimitAre413) {
  config::HttpSettings s;
  s.max_body_bytes = 4096;
  start(s);
  auto a = httpRequest(port_, "POST", "/echo", std::string(4096, 'a'));
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, 200);
  EXPECT_EQ(nlohmann::json::parse(a->body)["bytes"], 4096);
  a = httpRequest(port_, "POST", "/echo", std::string(4097, 'a'));
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, 413);
  EXPECT_NE(a->body.find("max_body_bytes"), std::string::npos);
  // Chunked bodies have no Content-Length up front: the limit stops them while reading.
  RawConnection c(port_);
  std::string chunked = "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 5; ++i) chunked += "400\r\n" + std::string(1024, 'b') + "\r\n";
  chunked += "0\r\n\r\n";
  ASSERT_TRUE(c.send(chunked));
  a = c.readAnswer();
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, 413);
}

TEST_F(HttpServerTest, GzipBodiesAreInflatedWithinTheLimit) {
  config::HttpSettings s;
  s.max_body_bytes = 64 * 1024;
  start(s);
  const std::string json = R"({"batch":[{"type":"track","event":"Signed Up"}]})";
  auto a = httpRequest(port_, "POST", "/echo", gzip(json), "Content-Encoding: gzip\r\n");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, 200);
  EXPECT_EQ(nlohmann::json::parse(a->body)["body"], json);
  // A small body that inflates past the limit (a zip bomb) is refused without inflating it all.
  const std::string bomb = gzip(std::string(10 * 1024 * 1024, 'x'));
  ASSERT_LT(bomb.size(), 64u * 1024);
  a = httpRequest(port_, "POST", "/echo", bomb, "Content-Encoding: gzip\r\n");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, 413);
  a = httpRequest(port_, "POST", "/echo", "not gzip at all", "Content-Encoding: gzip\r\n");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, 400);
  a = httpRequest(port_, "POST", "/echo", "x", "Content-Encoding: br\r\n");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, 415);
}

TEST_F(HttpServerTest, ExpectContinueGetsItsInterimAnswer) {
  start();
  RawConnection c(port_);
  const std::string body(2000, 'c');
  ASSERT_TRUE(c.send("POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2000\r\n\r\n"));
  auto interim = c.readAnswer();
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(c.send(body));
  auto a = c.readAnswer();
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, 200);
  EXPECT_EQ(nlohmann::json::parse(a->body)["bytes"], 2000);
}

TEST_F(HttpServerTest, MalformedRequestsAre400AndHugeHeaders431) {
  config::HttpSettings s;
  s.max_header_bytes = 2048;
  start(s);
  {
    RawConnection c(port_);
    ASSERT_TRUE(c.send("THIS IS NOT HTTP\r\n\r\n"));
    auto a = c.readAnswer();
    ASSERT_TRUE(a);
    EXPECT_EQ(a->status, 400);
  }
  auto a = httpRequest(port_, "GET", "/hello", "", "X-Big: " + std::string(4000, 'h') + "\r\n");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, 431);
  a = httpRequest(port_, "GET", "/hello?q=%zz");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, 400);
  EXPECT_NE(a->body.find("%-escape"), std::string::npos);
}

TEST_F(HttpServerTest, ASlowClientLosesItsConnection) {
  config::HttpSettings s;
  s.read_timeout = 1s;
  start(s);
  RawConnection c(port_);
  ASSERT_TRUE(c.send("GET /hello HTTP/1.1\r\n"));
  // Trickle one header byte every 100 ms: the whole request would take 20 s; the server must cut
  // the connection long before the client is done.
  bool cut = false;
  for (int i = 0; i < 200 && !cut; ++i) {
    std::this_thread::sleep_for(100ms);
    cut = !c.send("X") || c.closedByPeer(1ms);
  }
  EXPECT_TRUE(cut) << "a client trickling its headers kept the connection for 20 s";
  // Others are served meanwhile.
  EXPECT_EQ(httpRequest(port_, "GET", "/hello")->status, 200);
}

TEST_F(HttpServerTest, AnIdleKeepAliveConnectionIsClosed) {
  config::HttpSettings s;
  s.idle_timeout = 1s;
  start(s);
  RawConnection c(port_);
  ASSERT_TRUE(c.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(c.readAnswer());
  EXPECT_TRUE(c.closedByPeer(30s));
}

TEST_F(HttpServerTest, ConnectionsOverTheCapAre503) {
  config::HttpSettings s;
  s.max_connections = 2;
  start(s);
  RawConnection a(port_), b(port_);
  ASSERT_TRUE(a.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(a.readAnswer());
  ASSERT_TRUE(b.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(b.readAnswer());
  RawConnection third(port_);
  auto answer = third.readAnswer();
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 503);
  EXPECT_TRUE(third.closedByPeer(5s));
}

TEST_F(HttpServerTest, AHandlerThatThrowsIs500AndTheServerCarriesOn) {
  start();
  auto a = httpRequest(port_, "GET", "/throw");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, 500);
  EXPECT_EQ(a->body.find("handler bug"), std::string::npos) << "internals stay in the log";
  EXPECT_EQ(httpRequest(port_, "GET", "/hello")->status, 200);
}

TEST_F(HttpServerTest, StopAnswersRequestsInFlightThenDrains) {
  start();
  RawConnection busy(port_);
  ASSERT_TRUE(busy.send("GET /later HTTP/1.1\r\nHost: x\r\n\r\n"));
  entered_.get_future().wait();
  RawConnection idle(port_);
  ASSERT_TRUE(idle.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(idle.readAnswer());
  std::promise<void> drained;
  boost::asio::post(io_, [&] { server_->stop([&] { drained.set_value(); }); });
  auto drained_future = drained.get_future();
  EXPECT_TRUE(idle.closedByPeer(5s)) << "an idle keep-alive connection closes at once on stop";
  EXPECT_EQ(drained_future.wait_for(200ms), std::future_status::timeout) << "drained with a request in flight";
  RawConnection late(port_);
  EXPECT_FALSE(late.connected() && late.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n") && late.readAnswer(2s))
      << "a new connection was served after stop";
  release_.set_value();
  release_set_ = true;
  auto a = busy.readAnswer();
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, 200);
  EXPECT_EQ(a->headers["connection"], "close");
  EXPECT_EQ(drained_future.wait_for(10s), std::future_status::ready);
  io_.stop();
  thread_.join();
}

TEST_F(HttpServerTest, StopLetsARequestStillArrivingFinish) {
  start();
  // The head and part of the body are in when the daemon is told to stop: this request is in
  // flight, not an idle connection, so it is read to its end and answered.
  RawConnection uploading(port_);
  ASSERT_TRUE(uploading.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n01234"));
  RawConnection probe(port_);  // the loop has read the head once it answers another connection
  ASSERT_TRUE(probe.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(probe.readAnswer());
  std::promise<void> drained;
  std::promise<void> stopped;
  boost::asio::post(io_, [&] {
    server_->stop([&] { drained.set_value(); });
    stopped.set_value();
  });
  stopped.get_future().wait();
  EXPECT_TRUE(probe.closedByPeer(5s)) << "the idle keep-alive connection closes at once on stop";
  ASSERT_TRUE(uploading.send("56789"));
  auto a = uploading.readAnswer();
  ASSERT_TRUE(a) << "a request whose head had arrived was cut off by stop";
  EXPECT_EQ(a->status, 200);
  EXPECT_NE(a->body.find("0123456789"), std::string::npos) << a->body;
  EXPECT_EQ(a->headers["connection"], "close");
  EXPECT_EQ(drained.get_future().wait_for(10s), std::future_status::ready);
  io_.stop();
  thread_.join();
}

TEST_F(HttpServerTest, TakenAddressIsAClearStartError) {
  start();
  config::HttpSettings s;
  s.listen = "127.0.0.1:" + std::to_string(port_);
  s.port = port_;
  boost::asio::io_context other;
  http::HttpServer second(other, s, std::make_shared<http::Router>());
  auto started = second.start();
  ASSERT_FALSE(started.isOk());
  EXPECT_NE(started.message().find("127.0.0.1:" + std::to_string(port_)), std::string::npos) << started.message();
  EXPECT_NE(started.message().find("change http.listen"), std::string::npos) << started.message();
}

}  // namespace
}  // namespace abm
