// The SDK's HTTP kit over real HTTP on loopback, against tests/fakes/fake_vendor.py.
#include <gtest/gtest.h>
#include <signal.h>

#include <abm/sdk/http.hpp>
#include <abm/sdk/oauth.hpp>

#include "test_support.hpp"

using namespace abm::test;
namespace http = abm::sdk::http;
using namespace std::chrono_literals;

namespace {

class FakeVendor : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    server_ = new Child({"/usr/bin/python3", (sourceDir() / "tests/fakes/fake_vendor.py").string(),
                         (dir_->path() / "port").string()},
                        dir_->path());
    ASSERT_TRUE(waitFor([] { return fs::exists(dir_->path() / "port"); }, 20s)) << server_->err();
    base_ = "http://127.0.0.1:" + readFile(dir_->path() / "port");
  }
  static void TearDownTestSuite() {
    server_->signal(SIGTERM);
    server_->wait(5s);
    delete server_;
    delete dir_;
  }
  static http::ClientOptions options() {
    http::ClientOptions o;
    o.base_url = base_;
    o.timeout = 2s;
    return o;
  }
  static http::RetryOptions fastRetries(std::vector<http::Millis>* waits) {
    http::RetryOptions r;
    r.initial = 10ms;
    r.max = 40ms;
    r.sleep = [waits](http::Millis d) {
      if (waits) waits->push_back(d);
      std::this_thread::sleep_for(std::min(d, http::Millis(2500)));
    };
    return r;
  }
  static int count(const std::string& key) {
    http::Client c(options());
    auto stats = http::parseJsonBody(c.send({"GET", "/stats"}));
    return stats.value["counts"].value(key, 0);
  }
  static TempDir* dir_;
  static Child* server_;
  static std::string base_;
};
TempDir* FakeVendor::dir_ = nullptr;
Child* FakeVendor::server_ = nullptr;
std::string FakeVendor::base_;

TEST_F(FakeVendor, GzipUserAgentAndJson) {
  http::Client c(options());
  auto r = c.send({"GET", "/ok"});
  ASSERT_TRUE(r.ok()) << r.transport_error;
  EXPECT_EQ(r.header("content-encoding"), "gzip");
  auto body = http::parseJsonBody(r);
  ASSERT_TRUE(body.error.empty()) << body.error;
  EXPECT_EQ(body.value["hello"], "world");
  auto stats = http::parseJsonBody(c.send({"GET", "/stats"})).value;
  EXPECT_EQ(stats["user_agent"].get<std::string>().rfind("abmd/", 0), 0u) << stats.dump();
  EXPECT_NE(stats["accept_encoding"].get<std::string>().find("gzip"), std::string::npos);
}

TEST_F(FakeVendor, RetriesA5xxBurstThenSucceeds) {
  http::Client c(options());
  std::vector<http::Millis> waits;
  std::vector<std::string> reasons;
  auto opts = fastRetries(&waits);
  opts.on_retry = [&](int, http::Millis, const std::string& why) { reasons.push_back(why); };
  auto r = http::sendWithRetry(c, {"GET", "/flaky?id=burst"}, opts);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(http::parseJsonBody(r).value["attempt"], 3);
  ASSERT_EQ(waits.size(), 2u);
  // initial × 2^(attempt−1) with ±20% jitter: 10 ms then 20 ms.
  EXPECT_GE(waits[0], 8ms);
  EXPECT_LE(waits[0], 12ms);
  EXPECT_GE(waits[1], 16ms);
  EXPECT_LE(waits[1], 24ms);
  EXPECT_EQ(reasons[0], "HTTP 503");
}

TEST_F(FakeVendor, GivesUpAfterMaxAttempts) {
  http::Client c(options());
  std::vector<http::Millis> waits;
  std::vector<int> attempts;
  auto opts = fastRetries(&waits);
  opts.max_attempts = 4;
  opts.on_retry = [&](int attempt, http::Millis, const std::string&) { attempts.push_back(attempt); };
  auto r = http::sendWithRetry(c, {"GET", "/always-500"}, opts);
  EXPECT_EQ(r.status, 500) << "the last answer is returned";
  EXPECT_FALSE(r.stopped);
  EXPECT_EQ(count("/always-500"), 4);
  EXPECT_EQ(attempts, (std::vector<int>{1, 2, 3})) << "no wait after the last attempt";
  ASSERT_EQ(waits.size(), 3u);
  // 10, 20, then 40 ms: the cap (max = 40 ms) is reached, jitter stays within ±20%.
  EXPECT_GE(waits[2], 32ms);
  EXPECT_LE(waits[2], 48ms);
  EXPECT_LT(waits[0], waits[2]);
}

TEST_F(FakeVendor, AStopRequestEndsTheRetryWaitAndTheRetries) {
  http::Client c(options());
  std::vector<http::Millis> slept;
  http::RetryOptions opts;
  opts.initial = 60s;  // a wait far longer than any shutdown grace
  opts.max_attempts = 6;
  opts.sleep = [&](http::Millis d) { slept.push_back(d); };  // no real sleeping
  int asked = 0;
  opts.stop_requested = [&] { return ++asked > 3; };  // the stop arrives during the first wait
  auto r = http::sendWithRetry(c, {"GET", "/always-500?id=stop"}, opts);
  EXPECT_TRUE(r.stopped);
  EXPECT_EQ(r.status, 500) << "the last answer is returned";
  EXPECT_EQ(count("/always-500?stop"), 1) << "no request after the stop";
  http::Millis total{0};
  for (auto d : slept) total += d;
  EXPECT_LT(total, 1s) << "the 60 s wait was cut short";
  EXPECT_LE(slept.front(), opts.stop_check);
}

TEST_F(FakeVendor, HonoursRetryAfterSecondsAndHttpDates) {
  http::Client c(options());
  std::vector<http::Millis> waits;
  auto r = http::sendWithRetry(c, {"GET", "/rate?id=s"}, fastRetries(&waits));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(waits.size(), 1u);
  EXPECT_GE(waits[0], 1000ms) << "Retry-After: 1 outweighs the 10 ms backoff";
  waits.clear();
  r = http::sendWithRetry(c, {"GET", "/rate-date?id=d"}, fastRetries(&waits));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(waits.size(), 1u);
  EXPECT_GE(waits[0], 1000ms);
  EXPECT_LE(waits[0], 3000ms);
}

TEST_F(FakeVendor, ClientErrorsAreNotRetried) {
  http::Client c(options());
  auto r = http::sendWithRetry(c, {"GET", "/not-found?id=once"}, fastRetries(nullptr));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(count("/not-found?once"), 1);
}

TEST_F(FakeVendor, TimeoutIsATransientFailure) {
  auto o = options();
  o.timeout = 500ms;
  http::Client c(o);
  auto r = c.send({"GET", "/slow"});
  EXPECT_EQ(r.transport, CURLE_OPERATION_TIMEDOUT);
  EXPECT_FALSE(http::retryReason(r).empty());
  EXPECT_NE(http::parseJsonBody(r).error.find("GET /slow: "), std::string::npos);
}

TEST_F(FakeVendor, BadBodiesSayWhatAndWhere) {
  http::Client c(options());
  auto truncated = http::parseJsonBody(c.send({"GET", "/truncated"}));
  EXPECT_EQ(truncated.error, "GET /truncated: the response was cut short (truncated body)");
  auto html = http::parseJsonBody(c.send({"GET", "/html?status=200"}));
  EXPECT_EQ(html.error, "GET /html: HTTP 200 answered with an HTML page where JSON was expected");
  auto bad = http::parseJsonBody(c.send({"GET", "/bad-json"}));
  EXPECT_EQ(bad.error, "GET /bad-json: HTTP 200 with malformed JSON");
}

TEST_F(FakeVendor, HubSpotPagingUntilThereIsNoPaging) {
  http::Client c(options());
  std::vector<std::string> ids;
  std::optional<std::string> after = "";
  int pages = 0;
  while (after) {
    auto page = http::parseJsonBody(c.send({"GET", "/crm/v3/objects/companies?limit=2" +
                                                       (after->empty() ? "" : "&after=" + *after)}));
    ASSERT_TRUE(page.error.empty()) << page.error;
    for (const auto& r : page.value["results"]) ids.push_back(r["id"]);
    after = http::hubspotNextAfter(page.value);
    ++pages;
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(ids, (std::vector<std::string>{"1", "2", "3", "4", "5", "6"}));
}

TEST_F(FakeVendor, SalesforceNextRecordsUrlUntilDone) {
  auto o = options();
  o.base_url = base_ + "/services/data/v59.0";
  http::Client c(o);
  std::vector<std::string> names;
  std::optional<std::string> next = "query?q=SELECT+Id,Name+FROM+Account";
  while (next) {
    auto page = http::parseJsonBody(c.send({"GET", *next}));
    ASSERT_TRUE(page.error.empty()) << page.error;
    for (const auto& r : page.value["records"]) names.push_back(r["Name"]);
    next = http::salesforceNextRecordsUrl(page.value);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"One", "Two", "Three"}));
}

TEST(HttpKit, NeverFollowsAUrlToAnotherHost) {
  EXPECT_EQ(*http::resolveUrl("https://api.hubapi.com", "/crm/v3/objects/companies"),
            "https://api.hubapi.com/crm/v3/objects/companies");
  EXPECT_EQ(*http::resolveUrl("https://api.hubapi.com/", "https://API.hubapi.com/crm/v3/x?after=2"),
            "https://API.hubapi.com/crm/v3/x?after=2");
  EXPECT_FALSE(http::resolveUrl("https://api.hubapi.com", "https://evil.example/crm/v3/x"));
  EXPECT_FALSE(http::resolveUrl("https://api.hubapi.com", "http://api.hubapi.com/crm"));  // scheme too
  // Salesforce's nextRecordsUrl is an absolute path that repeats the base URL's path.
  EXPECT_EQ(*http::resolveUrl("https://acme.my.salesforce.com/services/data/v59.0",
                              "/services/data/v59.0/query/01g-2000"),
            "https://acme.my.salesforce.com/services/data/v59.0/query/01g-2000");
  http::ClientOptions o;
  o.base_url = "https://api.hubapi.com";
  http::Client c(o);
  auto r = c.send({"GET", "https://evil.example/steal"});
  EXPECT_EQ(r.transport, CURLE_URL_MALFORMAT);
  EXPECT_NE(r.transport_error.find("not the configured host https://api.hubapi.com"), std::string::npos);
  EXPECT_TRUE(http::retryReason(r).empty());
}

TEST(HttpKit, RetryAfterForms) {
  EXPECT_EQ(*http::parseRetryAfter("120", 0), 120s);
  EXPECT_EQ(*http::parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", 1445412470), 10s);
  EXPECT_EQ(*http::parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", 1445412490), 0s);  // already past
  EXPECT_FALSE(http::parseRetryAfter("", 0));
  EXPECT_FALSE(http::parseRetryAfter("soon", 0));
}

TEST(HttpKit, RateLimiterSpacesRequests) {
  // A fake clock that only moves when the limiter sleeps.
  auto now = http::RateLimiter::Clock::time_point{} + std::chrono::hours(1);
  std::vector<http::Millis> waits;
  http::RateLimiter limiter(
      10, [&](http::Millis d) { waits.push_back(d), now += d; }, [&] { return now; });  // 10 per second
  limiter.acquire();
  EXPECT_TRUE(waits.empty()) << "the first request goes at once";
  limiter.acquire();
  limiter.acquire();
  EXPECT_EQ(waits, (std::vector<http::Millis>{100ms, 100ms}));
  now += 1s;  // idle for a while: the budget does not pile up into a burst beyond one slot
  limiter.acquire();
  limiter.acquire();
  EXPECT_EQ(waits, (std::vector<http::Millis>{100ms, 100ms, 100ms}));
}

}  // namespace

namespace {

class FakeVendorOAuth : public FakeVendor {
 protected:
  void SetUp() override {
    http::Client c(options());
    ASSERT_TRUE(c.send({"GET", "/reset-oauth"}).ok());
  }
};

http::OAuthSettings oauthSettings(const std::string& base, const fs::path& state) {
  http::OAuthSettings o;
  o.token_url = base + "/oauth/v1/token";
  o.client_id = "cid";
  o.client_secret = "csecret-XYZ";
  o.refresh_token = "rt-1";
  o.state_file = state.string();
  return o;
}

TEST_F(FakeVendorOAuth, RefreshesRotatesAndKeepsTheNewRefreshTokenPrivate) {
  TempDir t;
  const fs::path state = t / "oauth-state.json";
  http::Client api(options());
  {
    http::OAuth auth(oauthSettings(base_, state));
    auto r = http::sendAuthorized(api, auth, {"GET", "/crm/v3/objects/contacts"});
    ASSERT_TRUE(r.ok()) << r.status << " " << auth.error();
    EXPECT_EQ(auth.refreshes(), 1);
    // The rotated refresh token is on disk, readable by the owner only; the access token is not.
    ASSERT_TRUE(fs::exists(state));
    EXPECT_EQ(fs::status(state).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
    EXPECT_EQ(readFile(state), R"({"refresh_token":"rt-2"})");
    // The vendor expires the token: one 401, one refresh, the same request again.
    http::Client c(options());
    ASSERT_TRUE(c.send({"GET", "/expire-tokens"}).ok());
    r = http::sendAuthorized(api, auth, {"GET", "/crm/v3/objects/contacts"});
    ASSERT_TRUE(r.ok()) << r.status;
    EXPECT_EQ(auth.refreshes(), 2);
    EXPECT_EQ(readFile(state), R"({"refresh_token":"rt-3"})");
  }
  // The next run starts from the state file: the config's rt-1 was invalidated by the rotation.
  http::OAuth next(oauthSettings(base_, state));
  auto r = http::sendAuthorized(api, next, {"GET", "/crm/v3/objects/contacts"});
  EXPECT_TRUE(r.ok()) << next.error();
}

TEST_F(FakeVendorOAuth, A401AfterRefreshIsReturnedNotLoopedOn) {
  TempDir t;
  http::Client api(options());
  http::OAuth auth(oauthSettings(base_, t / "state.json"));
  auto r = http::sendAuthorized(api, auth, {"GET", "/always-401?id=x"});
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(auth.refreshes(), 2) << "the first token, then one refresh after the 401";
  EXPECT_EQ(count("/always-401?x"), 2);
}

TEST_F(FakeVendorOAuth, ARejectedRefreshSaysWhereAndWhyWithoutSecrets) {
  TempDir t;
  auto s = oauthSettings(base_, t / "state.json");
  s.refresh_token = "rt-stale-SECRET";
  http::OAuth auth(s);
  http::Client api(options());
  auto r = http::sendAuthorized(api, auth, {"GET", "/crm/v3/objects/contacts"});
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(auth.error(), "OAuth token refresh at " + base_ +
                              "/oauth/v1/token failed: invalid_grant: missing or unknown refresh token");
  EXPECT_EQ(auth.error().find("SECRET"), std::string::npos);
  EXPECT_EQ(auth.error().find("csecret"), std::string::npos);
  EXPECT_FALSE(fs::exists(t / "state.json"));
}

TEST_F(FakeVendorOAuth, ARotatedRefreshTokenThatCannotBeSavedFailsNow) {
  TempDir t;
  const fs::path state = t / "no-such-folder" / "state.json";
  http::OAuth auth(oauthSettings(base_, state));
  http::Client api(options());
  auto r = http::sendAuthorized(api, auth, {"GET", "/crm/v3/objects/contacts"});
  EXPECT_EQ(r.status, 401) << "no request goes out on a token whose successor is lost";
  EXPECT_NE(auth.error().find("could not be saved to " + state.string()), std::string::npos) << auth.error();
  EXPECT_EQ(auth.error().find("rt-2"), std::string::npos) << "the token itself is never in a message";
}

TEST(HttpKit, AStaticAccessTokenNeedsNoTokenEndpoint) {
  http::OAuthSettings s;
  s.access_token = "pat-123";
  http::OAuth auth(s);
  EXPECT_EQ(auth.header(), "Authorization: Bearer pat-123");
  EXPECT_FALSE(auth.canRefresh());
  EXPECT_EQ(http::formEncode("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
}

}  // namespace

#include <abm/sdk/request_budget.hpp>

namespace {

// A budget on a fake clock that starts at 2026-11-28T10:00:00Z and never really sleeps.
struct FakeTime {
  int64_t now = 1795860000;
  http::RequestBudget budget(double per_second, int64_t per_day, const std::string& state = {}) {
    return http::RequestBudget(per_second, per_day, state, [](http::Millis) {}, [this] { return now; });
  }
};

http::Response withHeader(const std::string& name, const std::string& value, long status = 200,
                          const std::string& body = "{}") {
  http::Response r;
  r.status = status;
  r.headers[name] = value;
  r.body = body;
  return r;
}

TEST(RequestBudget, OurOwnDailyBudgetEndsTheDayAndSurvivesRuns) {
  FakeTime t;
  TempDir dir;
  const std::string state = (dir / "budget.json").string();
  {
    auto b = t.budget(0, 3, state);
    for (int i = 0; i < 3; ++i) {
      ASSERT_TRUE(b.acquire());
      http::Response ok;
      ok.status = 200;
      b.record(ok);
    }
  }
  auto b = t.budget(0, 3, state);  // the next run of the same day
  EXPECT_EQ(b.usedToday(), 3);
  EXPECT_FALSE(b.acquire());
  EXPECT_EQ(b.quota().resume_at, 1795910400) << "the next UTC midnight";
  EXPECT_NE(b.quota().why.find("budget of 3 requests a day"), std::string::npos);
  t.now = 1795910400 + 5;  // a new day
  EXPECT_TRUE(b.acquire());
}

TEST(RequestBudget, ACountThatCannotBeSavedIsReported) {
  FakeTime t;
  TempDir dir;
  const std::string state = (dir / "no-such-folder" / "budget.json").string();
  auto b = t.budget(0, 100, state);
  ASSERT_TRUE(b.acquire());
  EXPECT_EQ(b.saveError(), "");
  b.record(http::Response{});
  EXPECT_NE(b.saveError().find("cannot save the request count to " + state), std::string::npos) << b.saveError();
}

TEST(RequestBudget, HubSpotDailySignals) {
  FakeTime t;
  auto b = t.budget(0, 0);
  b.record(withHeader("x-hubspot-ratelimit-daily-remaining", "12"));
  EXPECT_TRUE(b.acquire());
  b.record(withHeader("x-hubspot-ratelimit-daily-remaining", "0"));
  EXPECT_FALSE(b.acquire());
  EXPECT_EQ(b.quota().resume_at, 1795910400);
  auto c = t.budget(0, 0);
  c.record(withHeader("retry-after", "600", 429,
                      R"({"status":"error","message":"You have reached your daily limit.","errorType":"RATE_LIMIT",)"
                      R"("correlationId":"x","policyName":"DAILY"})"));
  EXPECT_FALSE(c.acquire());
  EXPECT_EQ(c.quota().resume_at, t.now + 600);
  EXPECT_NE(c.quota().why.find("429 DAILY"), std::string::npos);
  auto d = t.budget(0, 0);  // the ten-secondly policy is a retry, not the end of the day
  d.record(withHeader("retry-after", "1", 429, R"({"policyName":"TEN_SECONDLY_ROLLING"})"));
  EXPECT_TRUE(d.acquire());
}

TEST(RequestBudget, SalesforceAllowanceSignals) {
  FakeTime t;
  auto b = t.budget(0, 0);
  b.record(withHeader("sforce-limit-info", "api-usage=10018/100000"));
  EXPECT_TRUE(b.acquire());
  b.record(withHeader("sforce-limit-info", "api-usage=100000/100000; api-bursts=1/750"));
  EXPECT_FALSE(b.acquire());
  EXPECT_EQ(b.quota().resume_at, t.now + 3600);
  auto c = t.budget(0, 0);
  c.record(withHeader("content-type", "application/json", 403,
                      R"([{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}])"));
  EXPECT_FALSE(c.acquire());
  EXPECT_NE(c.quota().why.find("403 REQUEST_LIMIT_EXCEEDED"), std::string::npos);
  t.now += 3600;  // an hour later it looks again
  EXPECT_TRUE(c.acquire());
}

}  // namespace

#include <abm/sdk/api_session.hpp>

namespace {

// A host for an ApiSession outside a worker: it keeps the warnings, and has no state folder.
struct TestHost {
  std::vector<std::string> warnings;
  abm_host raw{};
  TestHost() {
    raw.struct_size = offsetof(abm_host, rate_limited);
    raw.ctx = this;
    raw.log = [](void* ctx, abm_log_level level, const char* m) {
      if (level == ABM_LOG_WARN) static_cast<TestHost*>(ctx)->warnings.push_back(m);
    };
    raw.should_stop = [](void*) { return 0; };
  }
};

nlohmann::json sessionSettings(const std::string& base_url, bool allow_insecure = false) {
  return {{"base_url", base_url}, {"access_token", "tok-123456"}, {"max_attempts", 3}, {"retry_initial_ms", 1},
          {"timeout_seconds", 5}, {"allow_insecure_http", allow_insecure}};
}

TEST(HttpKit, HostsAndLoopbackFromUrls) {
  EXPECT_EQ(http::hostPortOf("https://api.hubapi.com"), "api.hubapi.com:443");
  EXPECT_EQ(http::hostPortOf("http://crm.example.com/api/v1"), "crm.example.com:80");
  EXPECT_EQ(http::hostPortOf("https://user:pw@crm.example.com:8443/x"), "crm.example.com:8443");
  EXPECT_EQ(http::hostPortOf("http://[::1]:9000"), "[::1]:9000");
  EXPECT_TRUE(http::isLoopbackUrl("http://127.0.0.1:8080"));
  EXPECT_TRUE(http::isLoopbackUrl("http://localhost"));
  EXPECT_TRUE(http::isLoopbackUrl("http://[::1]:9000/x"));
  EXPECT_FALSE(http::isLoopbackUrl("http://crm.example.com"));
  EXPECT_FALSE(http::isLoopbackUrl("http://127.example.com"));
}

TEST(HttpKit, AnUnresolvableHostIsAConfigurationErrorNamingTheSetting) {
  bool config = false;
  EXPECT_EQ(http::describeTransportFailure(CURLE_COULDNT_RESOLVE_HOST, "https://api.hubapi.cmo/crm", "base_url", 0, config),
            "cannot resolve host api.hubapi.cmo (from base_url): no such host; check base_url");
  EXPECT_TRUE(config);
  http::Response r;
  r.transport = CURLE_COULDNT_RESOLVE_HOST;
  r.config_error = true;
  EXPECT_EQ(http::retryReason(r), "") << "a DNS failure is not retried six times";
}

TEST(HttpKit, ARefusedConnectionNamesHostPortAndSettingAndIsRetried) {
  // A port nobody listens on: bound, then released.
  TempDir dir;
  auto port = run({"/usr/bin/python3", "-c",
                   "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1]); s.close()"});
  ASSERT_EQ(port.exit_code, 0);
  const std::string hp = "127.0.0.1:" + port.out.substr(0, port.out.find('\n'));
  http::ClientOptions o;
  o.base_url = "http://" + hp;
  http::Client c(o);
  auto r = c.send({"GET", "/crm/v3/objects/companies"});
  EXPECT_EQ(r.transport_error, "cannot connect to " + hp + " (from base_url): Connection refused");
  EXPECT_FALSE(r.config_error);
  EXPECT_FALSE(http::retryReason(r).empty());
}

TEST_F(FakeVendor, TlsAgainstAPlainHttpServerIsAConfigurationErrorNotRetried) {
  TestHost host;
  abm::sdk::Host h(&host.raw);
  const std::string https = "https://" + base_.substr(7);
  http::ApiSession session(h, sessionSettings(https), 0, "", {});
  auto a = session.call({"GET", "/ok"});
  EXPECT_EQ(a.status.code, ABM_ERROR) << a.status.message;
  EXPECT_NE(a.status.message.find("GET /ok: TLS with " + base_.substr(7) + " (from base_url) failed"), std::string::npos)
      << a.status.message;
  EXPECT_NE(a.status.message.find("is it an http:// server"), std::string::npos) << a.status.message;
  EXPECT_TRUE(host.warnings.empty()) << "no retry: " << host.warnings.front();
}

TEST_F(FakeVendor, A404BeforeAnyAnswerHintsAtAnExtraPathInBaseUrl) {
  TestHost host;
  abm::sdk::Host h(&host.raw);
  http::ApiSession wrong(h, sessionSettings(base_ + "/v3"), 0, "", {});
  auto a = wrong.call({"GET", "/not-found"});
  EXPECT_NE(a.status.message.find("every request so far answered 404; does base_url (" + base_ +
                                  "/v3) carry an extra path?"), std::string::npos) << a.status.message;
  http::ApiSession right(h, sessionSettings(base_), 0, "", {});
  ASSERT_TRUE(right.call({"GET", "/ok"}).ok());
  auto later = right.call({"GET", "/not-found"});
  EXPECT_EQ(later.status.message.find("extra path"), std::string::npos) << "a 404 after answers is the vendor's";
}

TEST(HttpKit, PlainHttpToAnotherMachineIsRefusedUnlessAllowedAndThenWarnedOf) {
  TestHost host;
  abm::sdk::Host h(&host.raw);
  http::ApiSession refused(h, sessionSettings("http://crm.example.com/api"), 0, "", {});
  auto a = refused.call({"GET", "/companies"});
  EXPECT_EQ(a.status.code, ABM_ERROR);
  EXPECT_EQ(a.status.message, "base_url: http://crm.example.com is plain http to another machine, so the credentials "
                              "would travel in clear; use https://, or set allow_insecure_http: true");
  EXPECT_EQ(a.response.status, 0) << "nothing was sent";
  EXPECT_TRUE(host.warnings.empty());
  http::ApiSession allowed(h, sessionSettings("http://crm.example.com/api", true), 0, "", {});
  EXPECT_EQ(allowed.settingsError(), "");
  ASSERT_EQ(host.warnings.size(), 1u);
  EXPECT_EQ(host.warnings[0], "base_url http://crm.example.com is plain http: credentials travel in clear "
                              "(allow_insecure_http is set)");
  // Loopback never leaves the machine: the tests' fakes and a local proxy need no setting.
  http::ApiSession local(h, sessionSettings("http://127.0.0.1:9"), 0, "", {});
  EXPECT_EQ(local.settingsError(), "");
}

}  // namespace
