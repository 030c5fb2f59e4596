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

TEST_F(PluginHarness, RecordingAVendorThatCannotBeReachedFailsNamingTheRequest) {
  const fs::path cassette = dir_ / "hubspot.cassette.json";
  // Nothing listens on port 1.
  const auto r = harness(plugin("hubspot"), hubspotConnector("http://127.0.0.1:1"),
                         {"--cassette", cassette.string(), "--record"}, env_);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  auto s = steps(r);
  EXPECT_FALSE(s["check"]["passed"]);
  EXPECT_FALSE(s["record"]["passed"]);
  ASSERT_FALSE(s["record"]["lines"].empty()) << s["record"];
  EXPECT_EQ(s["record"]["lines"][0].get<std::string>().rfind("POST http://127.0.0.1:1/oauth/v1/token: ", 0), 0u)
      << s["record"]["lines"][0];
  EXPECT_EQ(s["record"]["detail"], "0 exchanges written to " + cassette.string());
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

  writeFile(dir_ / "other.cassette.json", R"({"abm_cassette": 1, "plugin": "salesforce", "interactions": []})");
  r = harness(plugin("hubspot"), hubspotConnector("https://api.hubapi.com"), {"--cassette", (dir_ / "other.cassette.json").string()}, env_);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("other.cassette.json: plugin: recorded for 'salesforce', the library tested is 'hubspot'"),
            std::string::npos)
      << r.err;

  r = harness(plugin("hubspot"), dir_ / "files.json");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("plugin: the connector is for 'csv', the library tested is 'hubspot'"), std::string::npos) << r.err;
}

// The standard suite: a well-behaved plugin passes each check, and each check fails for a testkit
// made to break its rule.
class PluginHarnessSuite : public PluginHarness {
 protected:
  // testkit in `mode`, against a cassette of its vendor written by hand (two pages of records).
  std::map<std::string, json> suite(const std::string& mode, int expected_exit, const std::string& extra = "",
                                    bool cassette = true) {
    writeFile(dir_ / "tk.json", R"({"name": "tk", "plugin": "testkit", "settings": {"mode": ")" + mode +
                                    R"(", "base_url": "https://vendor.example", "records": 30)" + extra + "}}");
    writeFile(dir_ / "tk.cassette.json", R"({"abm_cassette": 1, "interactions": [
      {"request": {"method": "GET", "path": "/records", "query": {"page": "1"}},
       "response": {"status": 200, "body": {"records": [{"id": "r1"}, {"id": "r2"}], "next": 2}}},
      {"request": {"method": "GET", "path": "/records", "query": {"page": "2"}},
       "response": {"status": 200, "body": {"records": [{"id": "r3"}], "next": null}}}]})");
    std::vector<std::string> args = {"--suite", "standard"};
    if (cassette) args.insert(args.end(), {"--cassette", (dir_ / "tk.cassette.json").string()});
    const auto r = harness((testPluginDir() / "testkit.so").string(), dir_ / "tk.json", args);
    EXPECT_EQ(r.exit_code, expected_exit) << r.out << r.err;
    return steps(r);
  }
  static std::vector<std::string> failed(const std::map<std::string, json>& s) {
    std::vector<std::string> out;
    for (const auto& [name, step] : s)
      if (!step["passed"].get<bool>()) out.push_back(name);
    return out;
  }
  static std::string detail(std::map<std::string, json>& s, const std::string& name) { return s[name]["detail"]; }
};

TEST_F(PluginHarnessSuite, AWellBehavedHttpPluginPassesEveryCheck) {
  auto s = suite("http", 0);
  EXPECT_EQ(failed(s), std::vector<std::string>{});
  EXPECT_EQ(detail(s, "suite: checkpoint resume"),
            "ended right after the first checkpoint (2 records committed), resumed (1 records): the store equals one read's");
  EXPECT_EQ(detail(s, "suite: full refresh equals incremental from zero"), "3 records, as a read from zero");
  EXPECT_EQ(detail(s, "suite: 429 survived"), "the read completed with the same rows");
  EXPECT_EQ(detail(s, "suite: 500 survived"), "the read completed with the same rows");
}

TEST_F(PluginHarnessSuite, DuplicatesOnResumeFailTheResumeCheck) {
  auto s = suite("dup_resume", 1, R"(, "checkpoint_every": 10)", false);
  EXPECT_EQ(failed(s), (std::vector<std::string>{"suite: checkpoint resume", "suite: full refresh equals incremental from zero"}));
  EXPECT_EQ(detail(s, "suite: checkpoint resume").rfind(
                "touchpoints: 40 rows after stopping and resuming, 30 after one read; only after stopping and resuming: "
                "tk-0-again, tk-1-again",
                0),
            0u)
      << detail(s, "suite: checkpoint resume");
}

TEST_F(PluginHarnessSuite, APositionKeptOutsideTheCheckpointsFailsTheFullRefreshCheck) {
  auto s = suite("state_file", 1, R"(, "checkpoint_every": 10)", false);
  // (Whether the resume check fails too depends on how far the plugin got before the run was cut
  // off: its own file may already be ahead of the committed checkpoint.)
  EXPECT_FALSE(s["suite: full refresh equals incremental from zero"]["passed"]);
  EXPECT_EQ(detail(s, "suite: full refresh equals incremental from zero"),
            "stream touchpoints: the full refresh wrote 0 records, a read from zero 30");
  // Without a cassette there is nothing to put a 429 or a 500 in front of: said, not failed.
  EXPECT_EQ(detail(s, "suite: 429 survived"), "skipped: no cassette to put it in front of");
}

TEST_F(PluginHarnessSuite, ACrashOnA429OrA500FailsThoseChecks) {
  auto s = suite("http_fragile", 1);
  EXPECT_EQ(failed(s), (std::vector<std::string>{"suite: 429 survived", "suite: 500 survived"}));
  EXPECT_EQ(detail(s, "suite: 500 survived"),
            "the read after a 500 ended failed: plugin crashed: worker killed by signal 6 (SIGABRT)");
}

TEST_F(PluginHarnessSuite, WhenTheFirstReadFailsTheReadChecksAreNotRunAndSayWhy) {
  // The reads they compare with would be meaningless: they fail, naming the first read's end.
  auto s = suite("segfault", 1, R"(, "fail_at": 5)", false);
  EXPECT_FALSE(s["suite: checkpoint resume"]["passed"]);
  EXPECT_EQ(detail(s, "suite: checkpoint resume").rfind("not run: the first read did not succeed (failed: plugin crashed", 0), 0u)
      << detail(s, "suite: checkpoint resume");
}

TEST_F(PluginHarnessSuite, NoStreamsFailsTheStreamsCheck) {
  auto s = suite("no_streams", 1, "", false);
  EXPECT_FALSE(s["suite: streams declared"]["passed"]);
  EXPECT_EQ(s["suite: streams declared"]["lines"], json::array({"discover returned no stream"}));
}

TEST_F(PluginHarnessSuite, ABadOptionsTableFailsTheSpecCheckNamingEachProblem) {
  writeFile(dir_ / "bad.json", R"({"name": "tk", "plugin": "testkit_bad_spec", "settings": {"records": 5}})");
  const auto r = harness((testPluginDir().parent_path() / "suite_plugins/testkit_bad_spec.so").string(), dir_ / "bad.json",
                         {"--suite", "standard"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  auto s = steps(r);
  EXPECT_FALSE(s["suite: spec well-formed"]["passed"]);
  EXPECT_EQ(s["suite: spec well-formed"]["lines"],
            json::array({"option mode: no description", "option records: default \"many\" is not an integer",
                         "option color: default \"mauve\" is not one of its choices",
                         "option api_key: looks like a credential but is not marked secret"}));
  // The well-formed testkit passes the same check.
  auto good = suite("ok", 0, "", false);
  EXPECT_TRUE(good["suite: spec well-formed"]["passed"]);
}

TEST_F(PluginHarnessSuite, CsvPassesWithoutACassette) {
  writeFile(dir_ / "data/accounts.csv", "external_id,domain,name\na1,acme.com,Acme\na2,beta.io,Beta\n");
  writeFile(dir_ / "files.json", R"({"name": "files", "plugin": "csv", "settings": {"path": "data"}})");
  const auto r = harness(plugin("csv"), dir_ / "files.json", {"--suite", "standard"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(steps(r)["suite: full refresh equals incremental from zero"]["detail"], "2 records, as a read from zero");
}

}  // namespace
