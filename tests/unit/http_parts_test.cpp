// The listener's pure parts: target decoding, routing, token checks, gzip bodies, and the "http"
// object of the daemon config with what a reload may change of it.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "cli/daemon_client.hpp"
#include "config/daemon_config.hpp"
#include "config/daemon_reload.hpp"
#include "http/api_tokens.hpp"
#include "http/gzip_body.hpp"
#include "http/request_target.hpp"
#include "http/router.hpp"
#include "http_client.hpp"
#include "test_support.hpp"

namespace abm {
namespace {

TEST(RequestTarget, DecodesPathAndQuery) {
  http::RequestTarget t;
  std::string error;
  ASSERT_TRUE(http::parseRequestTarget("/api/v1/accounts%2Fx?q=acme+inc&tier=1&&flag&x=%C3%A9#frag", t, error));
  EXPECT_EQ(t.path, "/api/v1/accounts/x");
  ASSERT_EQ(t.query.size(), 4u);
  EXPECT_EQ(t.query[0], (std::pair<std::string, std::string>{"q", "acme inc"}));
  EXPECT_EQ(t.query[1], (std::pair<std::string, std::string>{"tier", "1"}));
  EXPECT_EQ(t.query[2], (std::pair<std::string, std::string>{"flag", ""}));
  EXPECT_EQ(t.query[3].second, "\xC3\xA9");
}

TEST(RequestTarget, RefusesBrokenEscapesNulsAndNonPaths) {
  http::RequestTarget t;
  std::string error;
  for (const char* bad : {"/a%2", "/a%zz", "/a?b=%", "/a%00b", "/a?x=%00", "http://host/a", "*", "", "/a?=v"}) {
    error.clear();
    EXPECT_FALSE(http::parseRequestTarget(bad, t, error)) << bad;
    EXPECT_FALSE(error.empty()) << bad;
  }
}

TEST(Router, MatchesParamsPrefersLiteralsAndListsAllowedMethods) {
  http::Router r;
  auto noop = [](const http::Request&, http::Respond) {};
  r.add("GET", "/api/v1/accounts/{account_id}", http::Access::ApiToken, noop);
  r.add("GET", "/api/v1/accounts/{account_id}/touchpoints", http::Access::ApiToken, noop);
  r.add("GET", "/api/v1/accounts/export", http::Access::ApiToken, noop);
  r.add("POST", "/api/v1/connectors/{name}/sync", http::Access::ApiToken, noop);
  auto m = r.match("GET", "/api/v1/accounts/42/touchpoints");
  ASSERT_TRUE(m.route);
  EXPECT_EQ(m.route->pattern, "/api/v1/accounts/{account_id}/touchpoints");
  EXPECT_EQ(m.params.at("account_id"), "42");
  m = r.match("GET", "/api/v1/accounts/export");
  ASSERT_TRUE(m.route);
  EXPECT_EQ(m.route->pattern, "/api/v1/accounts/export");
  m = r.match("GET", "/api/v1/connectors/crm/sync");
  EXPECT_FALSE(m.route);
  EXPECT_EQ(m.allowed, std::vector<std::string>{"POST"});
  EXPECT_TRUE(r.match("HEAD", "/api/v1/accounts/1").route) << "HEAD is served by the GET route";
  EXPECT_FALSE(r.match("GET", "/api/v1/accounts/").route);
  EXPECT_TRUE(r.match("GET", "/api/v1/accounts/").allowed.empty());
  EXPECT_FALSE(r.match("GET", "/api/v1/accounts/1/touchpoints/9").route);
}

TEST(ApiTokens, AcceptsOnlyABearerOfAKnownToken) {
  http::ApiTokens t;
  EXPECT_TRUE(t.empty());
  EXPECT_FALSE(t.accepts("Bearer anything"));
  t.replace({"tok-one-123456", "tok-two-654321"});
  EXPECT_TRUE(t.accepts("Bearer tok-one-123456"));
  EXPECT_TRUE(t.accepts("BEARER tok-two-654321"));
  EXPECT_FALSE(t.accepts("Bearer tok-one-12345"));
  EXPECT_FALSE(t.accepts("Bearer tok-one-1234567"));
  EXPECT_FALSE(t.accepts("Basic tok-one-123456"));
  EXPECT_FALSE(t.accepts("tok-one-123456"));
  EXPECT_FALSE(t.accepts("Bearer "));
  EXPECT_TRUE(http::equalConstantTime("abc", "abc"));
  EXPECT_FALSE(http::equalConstantTime("abc", "abd"));
  EXPECT_FALSE(http::equalConstantTime("abc", "abcd"));
}

std::string gzip(const std::string& in) { return test::gzipBytes(in); }

TEST(GzipBody, InflatesWithinTheLimitAndRefusesBombsAndGarbage) {
  std::string out;
  const std::string text(100000, 'q');
  EXPECT_EQ(http::inflateGzip(gzip(text), 100000, out), http::InflateResult::Ok);
  EXPECT_EQ(out, text);
  EXPECT_EQ(http::inflateGzip(gzip(text), 99999, out), http::InflateResult::TooLarge);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(http::inflateGzip("plain text", 1000, out), http::InflateResult::Corrupt);
  const auto packed = gzip("{\"a\":1}");
  EXPECT_EQ(http::inflateGzip(packed.substr(0, packed.size() - 6), 1000, out), http::InflateResult::Corrupt)
      << "a truncated stream";
  EXPECT_EQ(http::inflateGzip(packed + "tail", 1000, out), http::InflateResult::Corrupt) << "bytes after the stream";
  EXPECT_EQ(http::inflateGzip(packed + gzip("{\"b\":2}"), 1000, out), http::InflateResult::Ok) << "two gzip members";
  EXPECT_EQ(out, "{\"a\":1}{\"b\":2}");
  EXPECT_EQ(http::inflateGzip(packed + gzip(text), 1000, out), http::InflateResult::TooLarge)
      << "the limit counts every member";
}

class HttpConfig : public ::testing::Test {
 protected:
  config::DaemonConfig load(const std::string& http_json) {
    std::ofstream(dir_.path() / "abmd.json") << R"({"store": "sqlite://abm.db", "http": )" + http_json + "}";
    return config::loadDaemonConfig(dir_.path() / "abmd.json");
  }
  std::string loadError(const std::string& http_json) {
    try {
      load(http_json);
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "";
  }
  test::TempDir dir_;
};

TEST_F(HttpConfig, ParsesEveryKeyAndResolvesTokenReferences) {
  ::setenv("ABMD_TEST_API_TOKEN", "token-from-env-123456", 1);
  const auto c = load(R"({"listen": "[::1]:0", "api_tokens": ["${env:ABMD_TEST_API_TOKEN}", "literal-token-xyz"],
      "max_body_bytes": 2048, "max_header_bytes": 4096, "max_connections": 3, "read_timeout": "2s",
      "idle_timeout": "1m", "write_timeout": "5s", "metrics_require_token": true})");
  ASSERT_TRUE(c.http);
  EXPECT_EQ(c.http->host, "::1");
  EXPECT_EQ(c.http->port, 0);
  EXPECT_TRUE(c.http->loopback);
  EXPECT_EQ(c.http->api_tokens, (std::vector<std::string>{"token-from-env-123456", "literal-token-xyz"}));
  EXPECT_EQ(c.http->max_body_bytes, 2048u);
  EXPECT_EQ(c.http->max_connections, 3);
  EXPECT_EQ(c.http->read_timeout, std::chrono::seconds(2));
  EXPECT_EQ(c.http->idle_timeout, std::chrono::minutes(1));
  EXPECT_TRUE(c.http->metrics_require_token);
  EXPECT_FALSE(load(R"({"listen": "127.0.0.1:7470"})").http->metrics_require_token);
}

// Read-only commands load the config without the daemon's secrets: a token they cannot resolve is
// kept as its reference, and still counts as a token for the rules that need one.
TEST_F(HttpConfig, ATokenThisShellCannotResolveIsAnErrorOnlyWhenSecretsAreRequired) {
  ::unsetenv("ABMD_TEST_UNSET_TOKEN");
  const std::string http = R"({"listen": "0.0.0.0:7470", "metrics_require_token": true,
      "api_tokens": ["${env:ABMD_TEST_UNSET_TOKEN}", "literal-token-xyz"]})";
  EXPECT_NE(loadError(http).find("ABMD_TEST_UNSET_TOKEN"), std::string::npos) << loadError(http);
  std::ofstream(dir_.path() / "abmd.json") << R"({"store": "sqlite://abm.db", "http": )" + http + "}";
  const auto c = config::loadDaemonConfig(dir_.path() / "abmd.json", config::Secrets::Optional);
  ASSERT_TRUE(c.http);
  EXPECT_EQ(c.http->api_tokens, (std::vector<std::string>{"literal-token-xyz"}));
  EXPECT_EQ(c.http->unresolved_tokens, (std::vector<std::string>{"${env:ABMD_TEST_UNSET_TOKEN}"}));
  std::ofstream(dir_.path() / "abmd.json")
      << R"({"store": "sqlite://abm.db", "http": {"listen": "0.0.0.0:7470", "api_tokens": ["${env:ABMD_TEST_UNSET_TOKEN}"]}})";
  EXPECT_NO_THROW(config::loadDaemonConfig(dir_.path() / "abmd.json", config::Secrets::Optional))
      << "an unresolved token is still a token: the address is not open";
}

TEST_F(HttpConfig, NoHttpKeyMeansNoListener) {
  std::ofstream(dir_.path() / "abmd.json") << R"({"store": "sqlite://abm.db"})";
  EXPECT_FALSE(config::loadDaemonConfig(dir_.path() / "abmd.json").http);
}

TEST_F(HttpConfig, RefusesANetworkAddressWithoutTokens) {
  const auto e = loadError(R"({"listen": "0.0.0.0:7470"})");
  EXPECT_NE(e.find("http.api_tokens"), std::string::npos) << e;
  EXPECT_NE(e.find("not a loopback address"), std::string::npos) << e;
  EXPECT_NE(e.find("abmd.json"), std::string::npos) << e;
  EXPECT_NO_THROW(load(R"({"listen": "0.0.0.0:7470", "api_tokens": ["network-token-123456"]})"));
}

TEST_F(HttpConfig, NamesTheKeyOfEachMistake) {
  ::unsetenv("ABMD_TEST_MISSING_TOKEN");
  const std::pair<const char*, const char*> cases[] = {
      {R"({"listen": "7470"})", "http.listen"},
      {R"({"listen": "::1:7470"})", "http.listen"},
      {R"({"listen": "example.com:7470"})", "not an IP address"},
      {R"({"listen": "127.0.0.1:70000"})", "http.listen"},
      {R"({"api_tokens": "one"})", "http.api_tokens"},
      {R"({"api_tokens": ["${env:ABMD_TEST_MISSING_TOKEN}"]})", "ABMD_TEST_MISSING_TOKEN is not set"},
      {R"({"api_tokens": ["has space"]})", "http.api_tokens[0]"},
      {R"({"max_body_bytes": 10})", "http.max_body_bytes"},
      {R"({"read_timeout": "soon"})", "http.read_timeout"},
      {R"({"metrics_require_token": true})", "no api_tokens"},
      {R"({"colour": "red"})", "http.colour: unknown key"},
      {R"([])", "http: expected an object"},
  };
  for (const auto& [json, expected] : cases) {
    const auto e = loadError(json);
    EXPECT_NE(e.find(expected), std::string::npos) << json << " -> " << e;
  }
}

TEST_F(HttpConfig, AReloadAppliesTokensButKeepsTheAddress) {
  const auto running = load(R"({"listen": "127.0.0.1:7470", "api_tokens": ["old-token-123456"]})");
  auto fresh = load(R"({"listen": "127.0.0.1:7471", "api_tokens": ["new-token-123456"], "max_body_bytes": 4096})");
  auto plan = config::planDaemonReload(running, fresh);
  ASSERT_TRUE(plan.config.http);
  EXPECT_EQ(plan.config.http->port, 7470);
  EXPECT_EQ(plan.config.http->api_tokens, std::vector<std::string>{"new-token-123456"});
  EXPECT_EQ(plan.config.http->max_body_bytes, 4096u);
  EXPECT_EQ(plan.applied, std::vector<std::string>{"http"});
  EXPECT_EQ(plan.need_restart, std::vector<std::string>{"http.listen"});
  // The next reload still sees the address as pending a restart.
  EXPECT_EQ(config::planDaemonReload(plan.config, fresh).need_restart, std::vector<std::string>{"http.listen"});

  std::ofstream(dir_.path() / "abmd.json") << R"({"store": "sqlite://abm.db"})";
  const auto without = config::loadDaemonConfig(dir_.path() / "abmd.json");
  plan = config::planDaemonReload(running, without);
  EXPECT_TRUE(plan.config.http) << "removing http takes effect at a restart";
  EXPECT_EQ(plan.need_restart, std::vector<std::string>{"http"});
}

}  // namespace
}  // namespace abm

namespace abm {
// How abmctl reaches the daemon's API from the daemon's own config (cli/daemon_client.hpp).
TEST(DaemonClient, ReachesAWildcardListenerOnLoopbackAndSaysWhyItCannot) {
  EXPECT_EQ(cli::daemonBaseUrl("0.0.0.0", 7470), "http://127.0.0.1:7470");
  EXPECT_EQ(cli::daemonBaseUrl("::", 7470), "http://[::1]:7470");
  EXPECT_EQ(cli::daemonBaseUrl("::1", 80), "http://[::1]:80");
  EXPECT_EQ(cli::daemonBaseUrl("10.1.2.3", 7470), "http://10.1.2.3:7470");

  config::DaemonConfig daemon;
  daemon.file = "/etc/abmd/abmd.json";
  auto none = cli::DaemonClient::connect(daemon);
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().find("/etc/abmd/abmd.json has no \"http\" key"), std::string::npos) << none.error();
  daemon.http = config::HttpSettings{};
  daemon.http->port = 0;
  daemon.http->listen = "127.0.0.1:0";
  auto any_port = cli::DaemonClient::connect(daemon);
  ASSERT_FALSE(any_port);
  EXPECT_NE(any_port.error().find("set a fixed port"), std::string::npos) << any_port.error();
  daemon.http->port = 7470;
  daemon.http->unresolved_tokens = {"${env:ABMD_API_TOKEN}"};
  auto no_token = cli::DaemonClient::connect(daemon);
  ASSERT_FALSE(no_token);
  EXPECT_NE(no_token.error().find("http.api_tokens: ${env:ABMD_API_TOKEN} cannot be resolved"), std::string::npos)
      << no_token.error();
  daemon.http->api_tokens = {"resolved-elsewhere-token"};
  auto ok = cli::DaemonClient::connect(daemon);
  ASSERT_TRUE(ok) << ok.error();
  EXPECT_EQ(ok->baseUrl(), "http://127.0.0.1:7470");
}
}  // namespace abm
