// The collector's handler as the HTTP server calls it: write keys, refusals and their counts, and
// answers that come only once the events are in the store.
#include <gtest/gtest.h>

#include <future>

#include "collector/collector.hpp"
#include "store/migrations.hpp"
#include "test_support.hpp"

using namespace abm;
using namespace abm::collector;
using test::queryInt;

namespace {

config::ConnectorConfig pushConnector(const std::string& name, const std::string& key,
                                      const std::string& activities = "{}") {
  config::ConnectorConfig c;
  c.file = "/etc/abmd/connectors.d/" + name + ".json";
  c.name = name;
  c.plugin = "events";
  c.settings = nlohmann::json{{"write_key", key}, {"event_activities", nlohmann::json::parse(activities)}};
  return c;
}

class CollectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    daemon_.store = store_.location();
    auto db = store::Database::open(daemon_.store);
    ASSERT_TRUE(db) << db.error();
    ASSERT_TRUE(store::applyMigrations(*db, test::sourceDir() / "schema"));
    std::vector<config::ConnectorConfig> connectors{pushConnector("website", "wk-site", R"({"Demo Requested": "form_submit"})"),
                                                    pushConnector("app", "wk-app")};
    collector_ = std::make_unique<Collector>(daemon_, identity_, connectors);
  }

  // Sends one request and waits for its answer; `seen` gets what the store held when it came.
  http::Response send(Endpoint endpoint, const std::string& body, const std::string& authorization = "",
                      int64_t* touchpoints_at_answer = nullptr) {
    http::Request r;
    r.method = "POST";
    r.path = std::string(endpointPath(endpoint));
    r.body = body;
    if (!authorization.empty()) r.headers.emplace_back("authorization", authorization);
    std::promise<http::Response> answer;
    const test::StoreRef path = store_.ref();
    collector_->handle(endpoint, r, [&answer, path, touchpoints_at_answer](http::Response response) {
      if (touchpoints_at_answer) *touchpoints_at_answer = queryInt(path, "SELECT count(*) FROM touchpoints");
      answer.set_value(std::move(response));
    });
    return answer.get_future().get();
  }
  int64_t count(const std::string& sql) { return queryInt(store_.ref(), sql); }
  static std::string messageOf(const http::Response& r) {
    return nlohmann::json::parse(r.body).at("error").at("message").get<std::string>();
  }

  test::TempDir tmp_;
  test::TestStore store_{tmp_ / "abm.db"};
  config::DaemonConfig daemon_;
  pipeline::IdentityRules identity_ = pipeline::IdentityRules::make(
      pipeline::FreeMailDomains::fromList({"gmail.com"}), pipeline::PublicSuffixList::fromRules("com\nio\n"), {});
  std::unique_ptr<Collector> collector_;
};

// "Basic " + base64("wk-site:")
constexpr const char* kSiteBasic = "Basic d2stc2l0ZTo=";

TEST(BasicAuth, TakesTheUserOfTheHeader) {
  EXPECT_EQ(basicAuthUser("Basic d2stc2l0ZTo="), "wk-site");
  EXPECT_EQ(basicAuthUser("basic d2stc2l0ZQ=="), "wk-site");  // without the colon, as older clients send
  EXPECT_EQ(basicAuthUser("Basic d2stc2l0ZTpzZWNyZXQ="), "wk-site");  // "wk-site:secret"
  EXPECT_FALSE(basicAuthUser("Bearer abc"));
  EXPECT_FALSE(basicAuthUser("Basic !!!"));
}

TEST_F(CollectorTest, AnswersOnlyOnceTheEventsAreStored) {
  int64_t stored_when_answered = -1;
  auto r = send(Endpoint::Batch,
                R"({"batch": [{"type": "page", "userId": "u1", "messageId": "m1"}, {"type": "track", "userId": "u1",
                    "event": "Demo Requested", "messageId": "m2"}]})",
                kSiteBasic, &stored_when_answered);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(nlohmann::json::parse(r.body), nlohmann::json::parse(R"({"success": true})"));
  EXPECT_EQ(stored_when_answered, 2) << "a 200 is only sent after the commit";
  EXPECT_EQ(count("SELECT count(*) FROM touchpoints WHERE source = 'website' AND activity = 'form_submit'"), 1);
  // The key in the body, on a single-event endpoint; it goes to the connector of that key.
  r = send(Endpoint::Track, R"({"userId": "u1", "event": "Opened App", "writeKey": "wk-app", "messageId": "m3"})");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(count("SELECT count(*) FROM touchpoints WHERE source = 'app' AND activity = 'opened_app'"), 1);
  collector_->stop();
  EXPECT_EQ(count("SELECT events_received FROM push_sources WHERE connector = 'website'"), 2);
}

TEST_F(CollectorTest, WrongOrMissingKeysAre401AndStoreNothing) {
  const std::string page = R"({"userId": "u1", "messageId": "m1"})";
  auto r = send(Endpoint::Page, page);
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(messageOf(r).find("no write key"), std::string::npos) << r.body;
  r = send(Endpoint::Page, page, "Basic d3Jvbmc6");  // "wrong:"
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(messageOf(r).find("unknown write key"), std::string::npos) << r.body;
  r = send(Endpoint::Page, R"({"userId": "u1", "writeKey": "wk-sitX"})");
  EXPECT_EQ(r.status, 401);
  r = send(Endpoint::Page, page, "Bearer wk-site");
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(messageOf(r).find("not HTTP Basic"), std::string::npos) << r.body;
  // A right key in the body does not make up for a wrong one in the header.
  r = send(Endpoint::Page, R"({"userId": "u1", "writeKey": "wk-site"})", "Basic d3Jvbmc6");
  EXPECT_EQ(r.status, 401);
  collector_->stop();
  EXPECT_EQ(count("SELECT count(*) FROM touchpoints"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM push_sources"), 0) << "a refusal without a known key counts for no connector";
}

TEST_F(CollectorTest, BadRequestsSayWhichEventAndAreCountedForTheirConnector) {
  auto r = send(Endpoint::Batch,
                R"({"batch": [{"type": "page", "userId": "u1"}, {"type": "page", "userId": "u2"}, {"userId": "u3"}]})",
                kSiteBasic);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(messageOf(r), R"(batch[2]: "type" is missing (one of identify, track, page, screen, group, alias))");
  r = send(Endpoint::Batch, R"({"batch": [{"type": "page", "userId": "u1"},)", kSiteBasic);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(messageOf(r).find("not valid JSON"), std::string::npos) << r.body;
  const std::string big(40000, 'x');
  r = send(Endpoint::Track, R"({"userId": "u1", "event": "e", "properties": {"x": ")" + big + "\"}}", kSiteBasic);
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(nlohmann::json::parse(r.body)["error"]["code"], "too_large");
  collector_->stop();
  EXPECT_EQ(count("SELECT count(*) FROM touchpoints"), 0) << "nothing of a refused request is stored";
  EXPECT_EQ(count("SELECT events_refused FROM push_sources WHERE connector = 'website'"), 3 + 1 + 1);
}

TEST_F(CollectorTest, ReloadTakesNewKeysAndDropsRemovedConnectors) {
  collector_->reload({pushConnector("website", "wk-new")});
  EXPECT_EQ(send(Endpoint::Page, R"({"userId": "u", "writeKey": "wk-site"})").status, 401);
  EXPECT_EQ(send(Endpoint::Page, R"({"userId": "u", "writeKey": "wk-app"})").status, 401);
  EXPECT_EQ(send(Endpoint::Page, R"({"userId": "u", "writeKey": "wk-new"})").status, 200);
  // Two connectors with one key: the second takes no events and says why.
  collector_->reload({pushConnector("a", "same"), pushConnector("b", "same"), pushConnector("c", "")});
  const auto errors = collector_->errors();
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_NE(errors[0].find("b.json: settings.write_key: connector a has the same write key"), std::string::npos) << errors[0];
  EXPECT_NE(errors[1].find("c.json: settings.write_key"), std::string::npos) << errors[1];
  EXPECT_EQ(send(Endpoint::Page, R"({"userId": "u", "writeKey": "same", "messageId": "x1"})").status, 200);
  collector_->stop();
  EXPECT_EQ(count("SELECT count(*) FROM touchpoints WHERE source = 'a' AND external_id = 'x1'"), 1);
}

TEST_F(CollectorTest, AfterStopRequestsAre503) {
  collector_->stop();
  auto r = send(Endpoint::Page, R"({"userId": "u"})", kSiteBasic);
  EXPECT_EQ(r.status, 503);
  EXPECT_NE(messageOf(r).find("shutting down"), std::string::npos) << r.body;
}

}  // namespace
