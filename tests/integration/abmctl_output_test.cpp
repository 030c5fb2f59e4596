// abmctl for scripts and for people: --format json on status, runs, state show and plugins (config
// always prints JSON), status's next run / last success / last error, and per-command --help.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <regex>
#include <sstream>

#include "test_support.hpp"

using namespace abm::test;
using nlohmann::json;

namespace {

const std::string kCtl = (binDir() / "abmctl").string();

class AbmctlOutput : public ::testing::Test {
 protected:
  void SetUp() override {
    ws_.writeConfig("", true);
    writeFile(ws_.dir / "data/accounts.csv", "external_id,name,domain\na1,One,one.com\n");
    ws_.addConnector("files", "csv", R"({"path": "../data"})");
    ws_.addConnector("broken", "testkit", R"({"mode": "error"})");
  }
  CommandResult ctl(std::vector<std::string> args) {
    args.insert(args.begin(), {kCtl, "-c", ws_.config().string()});
    return run(args);
  }
  json ctlJson(const std::vector<std::string>& args) {
    auto r = ctl(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto j = json::parse(r.out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r.out;
    return j;
  }
  Workspace ws_;
};

TEST_F(AbmctlOutput, StatusSaysNextRunLastSuccessAndLastErrorAsTextAndJson) {
  ASSERT_EQ(ctl({"sync", "files"}).exit_code, 0);
  ASSERT_EQ(ctl({"sync", "files"}).exit_code, 0);
  ASSERT_NE(ctl({"sync", "broken"}).exit_code, 0);
  const auto st = ctlJson({"status", "--format", "json"});
  ASSERT_EQ(st["connectors"].size(), 2u) << st.dump(2);
  json files, broken;
  for (const auto& c : st["connectors"]) (c["name"] == "files" ? files : broken) = c;
  EXPECT_EQ(files["plugin"], "csv");
  EXPECT_EQ(files["last_run"]["status"], "succeeded");
  EXPECT_EQ(files["last_success"]["run_id"], 2);
  EXPECT_TRUE(files["last_error"].is_null());
  // Every 1h after the last success (Workspace::addConnector schedules hourly).
  ASSERT_TRUE(files["next_run"].is_string()) << files.dump(2);
  EXPECT_GT(files["next_run"].get<std::string>(), files["last_success"]["finished_at"].get<std::string>());
  EXPECT_EQ(broken["last_run"]["status"], "failed");
  EXPECT_TRUE(broken["last_success"].is_null());
  EXPECT_EQ(broken["last_error"]["run_id"], 3);
  EXPECT_NE(broken["last_error"]["error"].get<std::string>().find("credentials rejected"), std::string::npos);
  EXPECT_EQ(broken["next_run"], "due now") << "a connector whose last run failed runs at once when a daemon starts";
  EXPECT_TRUE(st["instances"].is_array());
  EXPECT_TRUE(st["metrics_cycle"].is_null());

  auto text = ctl({"status"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("next run " + files["next_run"].get<std::string>() + "; last success " +
                          files["last_success"]["finished_at"].get<std::string>() + " (run 2)"),
            std::string::npos) << text.out;
  EXPECT_NE(text.out.find("next run due now; last success never; last error"), std::string::npos) << text.out;
}

TEST_F(AbmctlOutput, RunsStateAndPluginsAsJson) {
  ASSERT_EQ(ctl({"sync", "files"}).exit_code, 0);
  const auto runs = ctlJson({"runs", "files", "--format", "json"});
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0]["connector"], "files");
  EXPECT_EQ(runs[0]["records"], 1);
  EXPECT_TRUE(runs[0]["error"].is_null());
  const auto state = ctlJson({"state", "show", "files", "--format=json"});
  EXPECT_EQ(state["connector"], "files");
  EXPECT_EQ(state["streams"]["accounts"]["complete"], true) << state.dump(2);
  const auto plugins = ctlJson({"plugins", "--format", "json"});
  bool csv = false;
  for (const auto& p : plugins)
    if (p["name"] == "csv") {
      csv = true;
      EXPECT_FALSE(p["options"].empty());
      EXPECT_TRUE(p["options"][0].contains("secret"));
    }
  EXPECT_TRUE(csv) << plugins.dump(2);
  EXPECT_TRUE(ctlJson({"config", "--format", "json"})["connectors"].is_array());
}

TEST_F(AbmctlOutput, AFormatThatIsNotThereOrNotForThatCommandIsAUsageError) {
  auto r = ctl({"status", "--format", "yaml"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--format takes text or json, not 'yaml'"), std::string::npos) << r.err;
  r = ctl({"sync", "files", "--format", "json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--format json goes with status, runs, state show, config and plugins"), std::string::npos) << r.err;
  r = ctl({"state", "reset", "files", "--format", "json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_FALSE(fs::exists(ws_.dir / "abm.db")) << "nothing ran, not even the store was opened";
}

TEST_F(AbmctlOutput, EachCommandHasItsOwnHelp) {
  auto all = ctl({"--help"});
  auto sync = ctl({"sync", "--help"});
  EXPECT_EQ(sync.exit_code, 0);
  EXPECT_NE(sync.out.find("sync NAME [--full-refresh]"), std::string::npos) << sync.out;
  EXPECT_EQ(sync.out.find("segments create"), std::string::npos) << "only sync's part";
  EXPECT_LT(sync.out.size(), all.out.size() / 4);
  auto state = ctl({"state", "--help"});
  EXPECT_NE(state.out.find("state show NAME"), std::string::npos) << state.out;
  EXPECT_NE(state.out.find("state reset NAME [STREAM]"), std::string::npos) << state.out;
  auto lists = ctl({"lists", "--help"});
  EXPECT_NE(lists.out.find("lists import NAME FILE.csv"), std::string::npos) << lists.out;
  auto bad = ctl({"sink", "--help"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("unknown command 'sink'"), std::string::npos) << bad.err;
}

TEST_F(AbmctlOutput, LogsAreJsonForProgramsTextForPeopleAndTheProgressLineStaysBelowTheLog) {
  ws_.addConnector("slow", "testkit", R"({"mode": "slow", "records": 30, "delay_ms": 30, "checkpoint_every": 10})");
  // stderr to a file (not a terminal): JSON lines, unless asked for text.
  auto piped = ctl({"sync", "slow"});
  ASSERT_EQ(piped.exit_code, 0) << piped.err;
  EXPECT_NE(piped.err.find("{\"time\":"), std::string::npos) << piped.err;
  auto text = ctl({"--log-format", "text", "sync", "slow"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_EQ(text.err.find("{\"time\":"), std::string::npos) << text.err;
  EXPECT_TRUE(std::regex_search(text.err, std::regex(R"(\d\d:\d\d:\d\d info  slow \(run 2\): sync started)"))) << text.err;
  auto bad = ctl({"--log-format", "xml", "status"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--log-format takes text or json, not 'xml'"), std::string::npos) << bad.err;

  // On a terminal (script(1) gives abmctl one): text, and each log line clears the progress line
  // and redraws it below, so what the terminal shows is never the two run together.
  auto tty = run({"/usr/bin/script", "-qfec", kCtl + " -c " + ws_.config().string() + " sync slow", "/dev/null"});
  ASSERT_EQ(tty.exit_code, 0) << tty.out << tty.err;
  EXPECT_EQ(tty.out.find("{\"time\":"), std::string::npos) << tty.out;
  EXPECT_NE(tty.out.find(" records "), std::string::npos) << "the progress line: " << tty.out;
  std::istringstream lines(tty.out);
  int log_lines = 0;
  for (std::string line; std::getline(lines, line);) {
    const auto cleared = line.rfind("\033[K");
    const std::string shown = cleared == std::string::npos ? line : line.substr(cleared + 3);
    if (line.find(": sync ") == std::string::npos) continue;
    ++log_lines;
    EXPECT_TRUE(std::regex_search(shown, std::regex(R"(^\d\d:\d\d:\d\d info  slow \(run 3\): sync )"))) << shown;
  }
  EXPECT_EQ(log_lines, 2) << tty.out;  // started, succeeded
}

}  // namespace
