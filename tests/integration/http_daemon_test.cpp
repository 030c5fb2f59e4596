// The listener inside a real abmd process: it starts with the "http" key, refuses a network address
// without tokens and a taken port with a clear error, stops cleanly on SIGTERM, and push sources
// (plugin "events") are told apart from pulled connectors by config checks and abmctl.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>

#include "http_client.hpp"
#include "test_support.hpp"

namespace abm::test {
namespace {

using namespace std::chrono_literals;

std::string httpKey(uint16_t port, const std::string& more = "") {
  return ", \"http\": {\"listen\": \"127.0.0.1:" + std::to_string(port) + "\"" + more + "}";
}

void addPushSource(const Workspace& ws, const std::string& name, const std::string& extra = "") {
  writeFile(ws.connectors() / (name + ".json"),
            "{\"name\": \"" + name + "\", \"plugin\": \"events\", \"settings\": {\"write_key\": \"wk-" + name +
                "-0123456789\"}" + extra + "}");
}

TEST(HttpDaemon, ListensWithTheHttpKeyAndStopsOnSigterm) {
  Workspace ws;
  const auto port = freeLoopbackPort();
  ws.writeConfig(httpKey(port));
  addPushSource(ws, "website");
  Child abmd({(binDir() / "abmd").string(), "-c", ws.config().string()}, ws.dir.path());
  std::optional<HttpAnswer> answer;
  ASSERT_TRUE(waitFor([&] { return (answer = httpRequest(port, "GET", "/no/such/thing")).has_value(); }, 20s))
      << abmd.err();
  EXPECT_EQ(answer->status, 404);
  EXPECT_NE(abmd.err().find("HTTP listening on 127.0.0.1:" + std::to_string(port)), std::string::npos) << abmd.err();
  // A push source has no schedule and no worker: the daemon starts no run for it.
  EXPECT_NE(abmd.err().find("abmd started: 0 connectors"), std::string::npos) << abmd.err();
  abmd.signal(SIGTERM);
  EXPECT_EQ(abmd.wait(30s), 0) << abmd.err();
  EXPECT_NE(abmd.err().find("abmd stopped"), std::string::npos);
  EXPECT_FALSE(httpRequest(port, "GET", "/no/such/thing")) << "still listening after exit";
}

std::string basic(const std::string& key) { return "Authorization: " + basicAuthValue(key) + "\r\n"; }

int apiStatus(uint16_t port, const std::string& token) {
  auto a = httpRequest(port, "GET", "/api/v1/runs", "", "Authorization: Bearer " + token + "\r\n");
  return a ? a->status : -1;
}

int trackStatus(uint16_t port, const std::string& key, const std::string& message_id) {
  auto a = httpRequest(port, "POST", "/v1/track",
                       R"({"type":"track","event":"Signed Up","userId":"u1","messageId":")" + message_id + "\"}",
                       basic(key) + "Content-Type: application/json\r\n");
  return a ? a->status : -1;
}

TEST(HttpDaemon, SighupReloadsApiTokensAndWriteKeys) {
  Workspace ws;
  const auto port = freeLoopbackPort();
  writeFile(ws.dir / "token", "first-token-0123456789\n");
  ws.writeConfig(httpKey(port, ", \"api_tokens\": [\"${file:" + (ws.dir / "token").string() + "}\"]"));
  writeFile(ws.connectors() / "website.json",
            R"({"name": "website", "plugin": "events", "settings": {"write_key": "${env:SITE_KEY}"}})");
  Child abmd({(binDir() / "abmd").string(), "-c", ws.config().string()}, ws.dir.path(),
             {{"SITE_KEY", "wk-first-0123456789"}});
  ASSERT_TRUE(waitFor([&] { return apiStatus(port, "first-token-0123456789") == 200; }, 20s)) << abmd.err();
  EXPECT_EQ(trackStatus(port, "wk-first-0123456789", "m1"), 200);

  // A new token in its file, and a new write key written into the connector file.
  writeFile(ws.dir / "token", "second-token-0123456789\n");
  writeFile(ws.connectors() / "website.json",
            R"({"name": "website", "plugin": "events", "settings": {"write_key": "wk-second-0123456789"}})");
  abmd.signal(SIGHUP);
  ASSERT_TRUE(waitFor([&] { return apiStatus(port, "second-token-0123456789") == 200; }, 20s)) << abmd.err();
  EXPECT_EQ(apiStatus(port, "first-token-0123456789"), 401);
  EXPECT_EQ(trackStatus(port, "wk-second-0123456789", "m2"), 200);
  EXPECT_EQ(trackStatus(port, "wk-first-0123456789", "m3"), 401);
  EXPECT_EQ(abmd.err().find("second-token"), std::string::npos) << "a token reached the log";
  EXPECT_EQ(abmd.err().find("wk-second"), std::string::npos) << "a write key reached the log";
  abmd.signal(SIGTERM);
  EXPECT_EQ(abmd.wait(30s), 0) << abmd.err();
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM touchpoints WHERE source = 'website'"), 2);
}

TEST(HttpDaemon, ANetworkAddressWithoutTokensIsRefusedAtStart) {
  Workspace ws;
  ws.writeConfig(", \"http\": {\"listen\": \"0.0.0.0:7470\"}");
  const auto r = run({(binDir() / "abmd").string(), "-c", ws.config().string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("http.api_tokens"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("not a loopback address"), std::string::npos) << r.err;
}

TEST(HttpDaemon, ATakenPortIsAClearStartError) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::listen(fd, 1), 0);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  const auto port = ntohs(a.sin_port);
  Workspace ws;
  ws.writeConfig(httpKey(port));
  const auto r = run({(binDir() / "abmd").string(), "-c", ws.config().string()});
  ::close(fd);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("cannot bind"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("127.0.0.1:" + std::to_string(port)), std::string::npos) << r.err;
}

TEST(HttpDaemon, OnceNeverListens) {
  Workspace ws;
  const auto port = freeLoopbackPort();
  ws.writeConfig(httpKey(port));
  const auto r = run({(binDir() / "abmd").string(), "-c", ws.config().string(), "--once"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find("HTTP listening"), std::string::npos) << r.err;
}

TEST(PushSources, HaveNoScheduleWhilePulledConnectorsNeedOne) {
  Workspace ws;
  ws.writeConfig();
  addPushSource(ws, "website");
  addPushSource(ws, "app", ", \"schedule\": \"every 1h\"");
  writeFile(ws.connectors() / "crm.json", R"({"name": "crm", "plugin": "csv", "settings": {"path": "x"}})");
  const auto r = run({(binDir() / "abmctl").string(), "-c", ws.config().string(), "validate"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("app.json: schedule: plugin 'events' is a push source"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("crm.json: schedule: missing"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("website.json: schedule"), std::string::npos) << r.err;
}

TEST(PushSources, AreValidatedLikeAnyPluginAndRedacted) {
  Workspace ws;
  ws.writeConfig();
  writeFile(ws.connectors() / "site.json",
            R"({"name": "site", "plugin": "events", "settings": {"event_activities": {"Demo": 7}, "colour": 1}})");
  auto r = run({(binDir() / "abmctl").string(), "-c", ws.config().string(), "validate"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("settings.write_key"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("settings.colour"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("settings.event_activities"), std::string::npos) << r.err;

  writeFile(ws.connectors() / "site.json",
            R"({"name": "site", "plugin": "events", "settings": {"write_key": "${env:SITE_KEY}",
                "event_activities": {"Demo Requested": "Form Submit!"}}})");
  r = run({(binDir() / "abmctl").string(), "-c", ws.config().string(), "validate"}, {{"SITE_KEY", "wk-site-0123456789"}});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("site.json: settings.event_activities"), std::string::npos) << r.err;

  addPushSource(ws, "site");
  r = run({(binDir() / "abmctl").string(), "-c", ws.config().string(), "config"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find("wk-site-0123456789"), std::string::npos) << "the write key is a secret: " << r.out;
  EXPECT_NE(r.out.find("write_key"), std::string::npos) << r.out;
}

TEST(PushSources, AbmctlSaysThereIsNothingToPull) {
  Workspace ws;
  ws.writeConfig();
  addPushSource(ws, "website");
  const auto abmctl = (binDir() / "abmctl").string();
  auto r = run({abmctl, "-c", ws.config().string(), "sync", "website"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("website is a push source"), std::string::npos) << r.err;
  if (fs::exists(ws.store()))
    EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM sync_runs"), 0) << "a push source got a run";
  r = run({abmctl, "-c", ws.config().string(), "check", "website"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("website: ok"), std::string::npos) << r.out;
  r = run({abmctl, "-c", ws.config().string(), "plugins"});
  EXPECT_NE(r.out.find("events"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("built into abmd"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace abm::test
