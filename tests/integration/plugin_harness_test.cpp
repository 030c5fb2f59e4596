// abm-plugin-test end to end: the real binary, its worker and plugins, real HTTP on loopback. A
// cassette is recorded from tests/fakes' fake HubSpot and replayed with the fake stopped; the csv
// plugin runs without one.
#include <gtest/gtest.h>

#include <memory>

#include "fake_crm.hpp"

using namespace abm::test;
using nlohmann::json;

namespace {

class PluginHarness : public ::testing::Test {
 protected:
  CommandResult harness(const std::string& plugin_file, const fs::path& connector, std::vector<std::string> extra = {},
                        const std::map<std::string, std::string>& env = {}) {
    std::vector<std::string> argv = {(binDir() / "abm-plugin-test").string(), "--plugin", plugin_file, "--connector",
                                     connector.string(), "--format", "json"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return run(argv, env);
  }
  // The report's steps by name: "passed" and "detail" and "lines".
  static std::map<std::string, json> steps(const CommandResult& r) {
    std::map<std::string, json> out;
    const json report = json::parse(r.out, nullptr, false);
    EXPECT_TRUE(report.is_object()) << r.out << r.err;
    if (!report.is_object()) return out;
    for (const auto& s : report["steps"]) out[s["name"]] = s;
    return out;
  }
  std::string plugin(const std::string& name) { return (pluginDir() / (name + ".so")).string(); }

  // A hubspot connector on the fake, signing in with OAuth (so the exchanges carry secrets).
  fs::path hubspotConnector(const std::string& url) {
    const fs::path file = dir_ / "hubspot.json";
    writeFile(file, R"({"name": "hs", "plugin": "hubspot", "settings": {"base_url": ")" + url +
                        R"(", "token_url": ")" + url + R"(/oauth/v1/token", "client_id": "cid",)"
                        R"( "client_secret": "${env:HS_SECRET}", "refresh_token": "${env:HS_REFRESH}",)"
                        R"( "streams": ["companies", "contacts", "deals"], "requests_per_second": 1000,)"
                        R"( "retry_initial_ms": 20}})");
    return file;
  }
  const std::map<std::string, std::string> env_{{"HS_SECRET", "csecret-XYZ"}, {"HS_REFRESH", "rt-1"}};

  TempDir dir_;
};

TEST_F(PluginHarness, CsvRunsWithoutACassetteAndFailsAStreamWhoseRowsTheHostRejects) {
  writeFile(dir_ / "data/accounts.csv", "external_id,domain,name\na1,acme.com,Acme\na2,beta.io,Beta\n");
  writeFile(dir_ / "data/touchpoints.csv",
            "external_id,account_domain,channel,activity,occurred_at\n"
            "t1,acme.com,web,page_view,2026-01-01T00:00:00Z\nt2,acme.com,web,teleport,2026-01-01T00:00:00Z\n");
  writeFile(dir_ / "files.json", R"({"name": "files", "plugin": "csv", "settings": {"path": "data"}})");
  auto r = harness(plugin("csv"), dir_ / "files.json");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  auto s = steps(r);
  EXPECT_TRUE(s["check"]["passed"]);
  EXPECT_EQ(s["discover"]["detail"], "accounts (accounts), touchpoints (touchpoints)");
  EXPECT_TRUE(s["read"]["passed"]) << s["read"];
  EXPECT_TRUE(s["stream accounts"]["passed"]);
  EXPECT_EQ(s["stream accounts"]["detail"], "2 written, 0 rejected by the host's validation");
  EXPECT_FALSE(s["stream touchpoints"]["passed"]);
  EXPECT_EQ(s["stream touchpoints"]["detail"], "1 written, 1 rejected by the host's validation");
  ASSERT_EQ(s["stream touchpoints"]["lines"].size(), 1u);
  EXPECT_NE(s["stream touchpoints"]["lines"][0].get<std::string>().find("touchpoints at touchpoints.csv:3: field 'activity'"),
            std::string::npos);

  // Once the bad row is fixed, everything passes, and the text report says so.
  writeFile(dir_ / "data/touchpoints.csv",
            "external_id,account_domain,channel,activity,occurred_at\nt1,acme.com,web,page_view,2026-01-01T00:00:00Z\n");
  r = run({(binDir() / "abm-plugin-test").string(), "--plugin", plugin("csv"), "--connector", (dir_ / "files.json").string()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("PASS  stream touchpoints: 1 written, 0 rejected"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\npassed\n"), std::string::npos) << r.out;
}

TEST_F(PluginHarness, HubSpotRecordedOnceReplaysOfflineWithTheSameRowsAndNoSecret) {
  const fs::path cassette = dir_ / "hubspot.cassette.json";
  CommandResult recorded;
  size_t vendor_requests = 0;
  {
    FakeCrm crm;
    crm.seed({{"broken_company", false}});
    recorded = harness(plugin("hubspot"), hubspotConnector(crm.url()), {"--cassette", cassette.string(), "--record"}, env_);
    ASSERT_EQ(recorded.exit_code, 0) << recorded.out << recorded.err;
    vendor_requests = crm.log().size();
  }  // the fake is stopped: the replay cannot reach it
  auto rec = steps(recorded);
  EXPECT_EQ(rec["stream companies"]["detail"], "5 written, 0 rejected by the host's validation");
  EXPECT_EQ(rec["stream contacts"]["detail"], "10 written, 0 rejected by the host's validation");
  EXPECT_EQ(rec["record"]["detail"], std::to_string(vendor_requests) + " exchanges written to " + cassette.string());

  // Every exchange, each request masked, and nothing that was secret.
  const std::string text = readFile(cassette);
  const json c = json::parse(text);
  EXPECT_EQ(c["interactions"].size(), vendor_requests);
  for (const std::string secret : {"csecret-XYZ", "rt-1", "rt-2", "hs-at-1"})
    EXPECT_EQ(text.find(secret), std::string::npos) << secret << " in the cassette";
  EXPECT_EQ(c["interactions"][0]["request"]["path"], "/oauth/v1/token");
  EXPECT_NE(c["interactions"][0]["request"]["body"].get<std::string>().find("client_secret=<secret:client_secret>"),
            std::string::npos);
  EXPECT_EQ(c["interactions"][0]["response"]["body"]["access_token"], "<secret:access_token>");

  // The replay: other secret values (CI has none), the same rows, every request answered.
  const auto replayed = harness(plugin("hubspot"), hubspotConnector("https://api.hubapi.com"),
                                {"--cassette", cassette.string()}, {{"HS_SECRET", "other-secret"}, {"HS_REFRESH", "other-refresh"}});
  ASSERT_EQ(replayed.exit_code, 0) << replayed.out << replayed.err;
  auto rep = steps(replayed);
  for (const std::string step : {"check", "discover", "stream companies", "stream contacts", "stream deals"})
    EXPECT_EQ(rep[step]["detail"], rec[step]["detail"]) << step;
  EXPECT_EQ(rep["cassette"]["detail"], std::to_string(vendor_requests) + " requests answered");
}

TEST_F(PluginHarness, ARequestTheCassetteDoesNotHoldFailsTheRunAndIsNamedWithTheNearestOne) {
  const fs::path cassette = dir_ / "hubspot.cassette.json";
  {
    FakeCrm crm;
    crm.seed({{"broken_company", false}});
    ASSERT_EQ(harness(plugin("hubspot"), hubspotConnector(crm.url()), {"--cassette", cassette.string(), "--record"}, env_)
                  .exit_code,
              0);
  }
  // The connector now asks for fewer records per page than were recorded.
  std::string conn = readFile(hubspotConnector("https://api.hubapi.com"));
  conn.replace(conn.find("\"streams\""), 0, "\"page_size\": 7, ");
  writeFile(dir_ / "hubspot.json", conn);
  const auto r = harness(plugin("hubspot"), dir_ / "hubspot.json", {"--cassette", cassette.string()}, env_);
  EXPECT_EQ(r.exit_code, 1) << r.out;
  auto s = steps(r);
  EXPECT_FALSE(s["read"]["passed"]);
  EXPECT_FALSE(s["cassette"]["passed"]);
  ASSERT_FALSE(s["cassette"]["lines"].empty()) << s["cassette"];
  const std::string miss = s["cassette"]["lines"][0];
  EXPECT_EQ(miss.rfind("GET /crm/v3/objects/companies?archived=false&limit=7&properties=", 0), 0u) << miss;
  EXPECT_NE(miss.find("(nearest recorded: GET /crm/v3/objects/companies?archived=false&limit=100&properties="),
            std::string::npos)
      << miss;
}

TEST_F(PluginHarness, UnusableInputsExitTwoWithOneLineSayingWhat) {
  auto r = run({(binDir() / "abm-plugin-test").string(), "--connector", "x.json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--plugin and --connector are required"), std::string::npos) << r.err;
  r = run({(binDir() / "abm-plugin-test").string(), "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("--cassette FILE"), std::string::npos);

  writeFile(dir_ / "files.json", R"({"name": "files", "plugin": "csv", "settings": {"path": "data"}})");
  writeFile(dir_ / "bad.cassette.json", R"({"abm_cassette": 1, "interactions": [{"request": {"method": "GET"}}]})");
  r = harness(plugin("csv"), dir_ / "files.json", {"--cassette", (dir_ / "bad.cassette.json").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("has no base_url setting, so no cassette can stand in for its vendor"), std::string::npos) << r.err;

  r = harness(plugin("hubspot"), hubspotConnector("https://api.hubapi.com"), {"--cassette", (dir_ / "bad.cassette.json").string()}, env_);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("bad.cassette.json: interactions[0]: expected {\"request\""), std::string::npos) << r.err;

  r = harness(plugin("hubspot"), dir_ / "files.json");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("plugin: the connector is for 'csv', the library tested is 'hubspot'"), std::string::npos) << r.err;
}

}  // namespace
