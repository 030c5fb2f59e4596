// The event collector inside a real abmd, over real HTTP on loopback: write keys, refusals, gzip,
// duplicates, abmctl status, an answer that survives kill -9, and the real @segment/analytics-node.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <csignal>

#include "http_client.hpp"
#include "test_support.hpp"

namespace abm::test {
namespace {

using namespace std::chrono_literals;

constexpr const char* kKey = "wk-website-0123456789";
// "Basic " + base64("wk-website-0123456789:")
constexpr const char* kBasic = "Authorization: Basic d2std2Vic2l0ZS0wMTIzNDU2Nzg5Og==\r\n";

std::string gzip(const std::string& in) { return gzipBytes(in); }

class CollectorHttp : public ::testing::Test {
 protected:
  void SetUp() override {
    port_ = freeLoopbackPort();
    ws_.writeConfig(", \"http\": {\"listen\": \"127.0.0.1:" + std::to_string(port_) + "\", \"max_body_bytes\": 200000}");
    writeFile(ws_.connectors() / "website.json",
              std::string(R"({"name": "website", "plugin": "events", "settings": {"write_key": ")") + kKey +
                  R"(", "event_activities": {"Demo Requested": "form_submit"}}})");
    startDaemon();
  }
  void TearDown() override {
    if (abmd_) {
      abmd_->signal(SIGTERM);
      abmd_->wait(30s);
    }
  }
  void startDaemon() {
    abmd_ = std::make_unique<Child>(std::vector<std::string>{(binDir() / "abmd").string(), "-c", ws_.config().string()},
                                    ws_.dir.path());
    ASSERT_TRUE(waitFor([&] { return httpRequest(port_, "GET", "/no/such/thing").has_value(); }, 30s)) << abmd_->err();
  }
  HttpAnswer post(const std::string& path, const std::string& body, const std::string& headers = kBasic) {
    auto a = httpRequest(port_, "POST", path, body, "Content-Type: application/json\r\n" + headers);
    EXPECT_TRUE(a) << "no answer; abmd said: " << abmd_->err();
    return a ? *a : HttpAnswer{};
  }
  int64_t count(const std::string& sql) { return queryInt(ws_.store(), sql); }
  static std::string messageOf(const HttpAnswer& a) {
    const auto j = nlohmann::json::parse(a.body, nullptr, false);
    return j.is_object() && j.contains("error") ? j["error"].value("message", "") : a.body;
  }

  Workspace ws_;
  uint16_t port_ = 0;
  std::unique_ptr<Child> abmd_;
};

TEST_F(CollectorHttp, StoresEventsOnceAndRefusesWhatItCannotTake) {
  const std::string batch = R"({"batch": [
      {"type": "page", "anonymousId": "anon-1", "messageId": "p1", "properties": {"url": "https://acme.com/pricing"}},
      {"type": "track", "anonymousId": "anon-1", "messageId": "t1", "event": "Demo Requested"},
      {"type": "identify", "userId": "u1", "anonymousId": "anon-1", "messageId": "i1",
       "traits": {"email": "jo@acme.com", "company": {"name": "Acme", "domain": "acme.com"}}}],
      "sentAt": "2024-03-01T12:00:00Z"})";
  auto a = post("/v1/batch", batch);
  EXPECT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(nlohmann::json::parse(a.body), nlohmann::json::parse(R"({"success": true})"));
  // The same batch again (a client's retry): 200, stored once.
  EXPECT_EQ(post("/v1/batch", batch).status, 200);
  EXPECT_EQ(count("SELECT count(*) FROM touchpoints WHERE source = 'website'"), 2);
  EXPECT_EQ(count("SELECT count(*) FROM touchpoints t JOIN contacts c USING (contact_id) JOIN accounts a"
                  " ON a.account_id = t.account_id WHERE c.external_id = 'u1' AND a.domain = 'acme.com'"),
            2)
      << "the anonymous page and track are tied to the identified user and the user's account";

  // A gzip body, with the key in the body instead of the header.
  a = post("/v1/track", gzip(R"({"userId": "u1", "event": "Signed Up", "messageId": "t2", "writeKey": ")" +
                             std::string(kKey) + "\"}"),
           "Content-Encoding: gzip\r\n");
  EXPECT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(count("SELECT count(*) FROM touchpoints WHERE external_id = 't2' AND activity = 'signed_up'"), 1);

  // Refusals: nothing of them is stored.
  a = post("/v1/page", R"({"userId": "u1", "messageId": "x1"})", "Authorization: Basic d3Jvbmc6\r\n");
  EXPECT_EQ(a.status, 401);
  EXPECT_NE(messageOf(a).find("unknown write key"), std::string::npos) << a.body;
  a = post("/v1/page", R"({"userId": "u1", "messageId": "x2"})", "");
  EXPECT_EQ(a.status, 401);
  a = post("/v1/batch", R"({"batch": [{"type": "page", "userId": "u1", "messageId": "x3"}, {"type": "page", "userId": "u1", "messageId": "x4"},)");
  EXPECT_EQ(a.status, 400);
  EXPECT_NE(messageOf(a).find("not valid JSON"), std::string::npos) << a.body;
  a = post("/v1/batch", R"({"batch": [{"type": "page", "userId": "u1", "messageId": "x5"}, {"userId": "u1", "messageId": "x6"}]})");
  EXPECT_EQ(a.status, 400);
  EXPECT_EQ(messageOf(a), R"(batch[1]: "type" is missing (one of identify, track, page, screen, group, alias))");
  a = post("/v1/track", R"({"userId": "u1", "event": "e", "messageId": "x7", "properties": {"blob": ")" +
                            std::string(40000, 'x') + "\"}}");
  EXPECT_EQ(a.status, 413);
  EXPECT_NE(messageOf(a).find("at most 32768 bytes"), std::string::npos) << a.body;
  a = post("/v1/batch", R"({"batch": [], "pad": ")" + std::string(250000, 'x') + "\"}");
  EXPECT_EQ(a.status, 413) << "over http.max_body_bytes";
  EXPECT_EQ(count("SELECT count(*) FROM touchpoints WHERE external_id LIKE 'x%'"), 0);

  // abmctl status shows the push connector and its counts.
  ASSERT_TRUE(waitFor([&] { return count("SELECT events_refused FROM push_sources WHERE connector = 'website'") >= 4; }, 20s));
  const auto r = run({(binDir() / "abmctl").string(), "-c", ws_.config().string(), "status"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("push connector"), std::string::npos) << r.out;
  const auto line = r.out.substr(r.out.find("\nwebsite"));
  EXPECT_NE(line.find(" 7 "), std::string::npos) << "3 + 3 + 1 events received: " << r.out;
}

// A "Survey Responded" track event is a survey answer (and a touchpoint); the answer waits for the
// user's identify, then has its contact and the contact's account.
TEST_F(CollectorHttp, SurveyRespondedEventsBecomeSurveyResponses) {
  auto a = post("/v1/batch", R"({"batch": [
      {"type": "track", "userId": "u9", "messageId": "s1", "event": "Survey Responded",
       "properties": {"score": 9, "comment": "Great support"}, "timestamp": "2024-03-01T12:00:00Z"},
      {"type": "track", "anonymousId": "anon-9", "messageId": "s2", "event": "Survey Responded",
       "properties": {"score": "4"}, "timestamp": "2024-03-02T08:30:00.250Z"}]})");
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(queryRows(ws_.store(), "SELECT external_id, score, comment, responded_at FROM survey_responses ORDER BY 1"),
            (std::vector<std::string>{"s1|9|Great support|2024-03-01T12:00:00Z", "s2|4||2024-03-02T08:30:00Z"}));
  EXPECT_EQ(count("SELECT count(*) FROM survey_responses WHERE contact_id IS NULL AND account_id IS NULL"), 2);
  EXPECT_EQ(count("SELECT count(*) FROM touchpoints WHERE activity = 'survey_responded'"), 2);

  // The user arrives, and is the one behind the anonymous answer too.
  a = post("/v1/identify", R"({"userId": "u9", "anonymousId": "anon-9", "messageId": "i9",
      "traits": {"email": "kim@globex.com", "company": {"name": "Globex", "domain": "globex.com"}}})");
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(count("SELECT count(*) FROM survey_responses s JOIN contacts c USING (contact_id) JOIN accounts a"
                  " ON a.account_id = s.account_id WHERE c.external_id = 'u9' AND a.domain = 'globex.com'"),
            2);
  EXPECT_EQ(count("SELECT count(*) FROM pending_links"), 0);

  // A retry stores nothing twice; a bad score refuses the request, naming the event and the field.
  EXPECT_EQ(post("/v1/track", R"({"userId": "u9", "messageId": "s1", "event": "Survey Responded",
      "properties": {"score": 2}})").status, 200);
  EXPECT_EQ(count("SELECT score FROM survey_responses WHERE external_id = 's1'"), 9);
  a = post("/v1/batch", R"({"batch": [{"type": "page", "userId": "u9", "messageId": "s3"},
      {"type": "track", "userId": "u9", "messageId": "s4", "event": "Survey Responded", "properties": {"score": 11}}]})");
  EXPECT_EQ(a.status, 400);
  EXPECT_EQ(messageOf(a),
            "batch[1]: field 'properties.score' (stored as score): expected a whole number from 0 to 10, got 11");
  a = post("/v1/track", R"({"userId": "u9", "messageId": "s5", "event": "Survey Responded", "properties": {}})");
  EXPECT_EQ(a.status, 400);
  EXPECT_NE(messageOf(a).find("needs properties.score"), std::string::npos) << a.body;
  EXPECT_EQ(count("SELECT count(*) FROM survey_responses"), 2);
  EXPECT_EQ(count("SELECT count(*) FROM touchpoints WHERE external_id IN ('s3', 's4', 's5')"), 0);
}

TEST_F(CollectorHttp, AnEventAnswered200SurvivesKillMinus9) {
  for (int i = 0; i < 5; ++i) {
    const std::string id = "k" + std::to_string(i);
    const auto a = post("/v1/track", R"({"userId": "u1", "event": "Clicked", "messageId": ")" + id + "\"}");
    ASSERT_EQ(a.status, 200) << a.body;
  }
  abmd_->signal(SIGKILL);
  EXPECT_EQ(abmd_->wait(30s), 128 + SIGKILL);
  abmd_.reset();
  EXPECT_EQ(count("SELECT count(*) FROM touchpoints WHERE external_id LIKE 'k%'"), 5);
  // And the daemon starts again on that store.
  startDaemon();
  EXPECT_EQ(post("/v1/track", R"({"userId": "u1", "event": "Clicked", "messageId": "k0"})").status, 200);
  EXPECT_EQ(count("SELECT count(*) FROM touchpoints WHERE external_id LIKE 'k%'"), 5);
}

TEST_F(CollectorHttp, TheRealSegmentNodeLibraryWorksUnchanged) {
  // /usr/bin/env finds node and npm on PATH (run() starts a program by its path).
  if (run({"/bin/sh", "-c", "command -v node && command -v npm"}).exit_code != 0)
    FAIL() << "node or npm is missing: scripts/install-test-deps.sh installs Debian's nodejs and npm for the "
              "@segment/analytics-node test";
  // Installed into the build folder by the test, never into the repository.
  const auto prefix = binDir().parent_path() / "node_sdk";
  if (!fs::exists(prefix / "node_modules" / "@segment" / "analytics-node")) {
    const auto install = run({"/usr/bin/env", "npm", "install", "--prefix", prefix.string(), "--no-audit", "--no-fund",
                              "@segment/analytics-node"});
    ASSERT_EQ(install.exit_code, 0) << "npm install @segment/analytics-node failed:\n" << install.err;
  }
  const auto sent = run({"/usr/bin/env", "node", (sourceDir() / "tests/integration/segment_node_client.js").string(),
                         std::to_string(port_), kKey},
                        {{"NODE_PATH", (prefix / "node_modules").string()}});
  ASSERT_EQ(sent.exit_code, 0) << sent.out << sent.err << "\nabmd said: " << abmd_->err();
  EXPECT_NE(sent.out.find("flushed"), std::string::npos) << sent.out;

  EXPECT_EQ(queryText(ws_.store(), "SELECT email || '|' || first_name || '|' || last_name || '|' || title FROM contacts"
                                   " WHERE source = 'website' AND external_id = 'node-u1'"),
            "ada@acme.com|Ada|Lovelace|CTO");
  EXPECT_EQ(queryText(ws_.store(), "SELECT a.name || '|' || a.domain || '|' || a.industry || '|' || a.employee_count"
                                   " FROM contacts c JOIN accounts a USING (account_id) WHERE c.external_id = 'node-u1'"),
            "Acme Corp|acme.com|Software|250")
      << "identify's company and group's traits are one account (same domain)";
  int64_t tied = 0;
  for (const auto& row : queryRows(ws_.store(), "SELECT t.activity, t.properties FROM touchpoints t JOIN contacts c"
                                                " USING (contact_id) WHERE c.external_id = 'node-u1'"
                                                " AND t.account_id = c.account_id")) {
    const std::string activity = row.substr(0, row.find('|'));
    const auto properties = nlohmann::json::parse(row.substr(row.find('|') + 1));
    tied += (activity == "form_submit" && properties.value(nlohmann::json::json_pointer("/properties/plan"), "") == "enterprise") ||
            (activity == "page_view" && properties.value("path", "") == "/pricing");
  }
  EXPECT_EQ(tied, 2) << "the track and the (anonymous) page, tied to the user and the account";
  EXPECT_EQ(count("SELECT count(*) FROM account_identities WHERE source = 'website' AND external_id = 'acct-42'"), 1);
  EXPECT_EQ(count("SELECT events_received FROM push_sources WHERE connector = 'website'"), 4);
}

}  // namespace
}  // namespace abm::test
