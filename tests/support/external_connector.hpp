// A workspace syncing one external connector (tests/connectors/fake_airbyte_source.py or
// fake_singer_tap.py) through the real abmctl, worker and plugin into a real SQLite store. The
// connector writes every invocation (argv, and each file handed to it with its mode and content) to
// <workspace>/log/invocations.ndjson; the private folders it gets live under <workspace>/tmp
// (TMPDIR), so a test sees what was handed over and that nothing is left behind.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace abm::test {

class ExternalConnectorTest : public ::testing::Test {
 protected:
  static constexpr const char* kToken = "tok-5ecret-4f2a9c";  // the value behind ${env:CRM_TOKEN}

  void SetUp() override {
    ws_.writeConfig(R"(, "retry": {"attempts": 0})");
    fs::create_directories(ws_.dir / "log");
    fs::create_directories(ws_.dir / "tmp");
  }

  // The connector's data: {"<stream>": [records]}.
  void data(const nlohmann::json& d) { writeFile(ws_.dir / "data.json", d.dump()); }

  // The connector's config: the secret token, the data file, the log folder, and `extra`.
  nlohmann::json config(const nlohmann::json& extra = nlohmann::json::object()) const {
    nlohmann::json c{{"api_token", "${env:CRM_TOKEN}"},
                     {"data_file", (ws_.dir / "data.json").string()},
                     {"log_dir", (ws_.dir / "log").string()}};
    if (extra.is_object()) c.update(extra);
    return c;
  }
  static std::string script(const std::string& name) {
    return (sourceDir() / "tests/connectors" / name).string();
  }
  // Settings running tests/connectors/<program> with config(config_extra) and `streams` (null:
  // `default_streams`).
  nlohmann::json settingsFor(const std::string& program, const nlohmann::json& default_streams,
                             const nlohmann::json& config_extra, const nlohmann::json& streams) const {
    return {{"command", {"python3", script(program)}},
            {"config", config(config_extra)},
            {"streams", streams.is_null() ? default_streams : streams}};
  }
  // What was in the file an invocation got with `flag` (--config, --catalog, --state, ...).
  static nlohmann::json fileOf(const nlohmann::json& invocation, const std::string& flag) {
    return invocation["files"][flag]["content"];
  }

  // Writes connectors.d/crm.json with `plugin` and `settings`; `extra` adds members to the file.
  void connector(const std::string& plugin, const nlohmann::json& settings, const std::string& extra = "") {
    ws_.addConnector("crm", plugin, settings.dump(), extra);
  }

  CommandResult ctl(std::vector<std::string> args, const std::string& token = kToken) {
    args.insert(args.begin(), {(binDir() / "abmctl").string(), "-c", ws_.config().string()});
    return run(args, {{"CRM_TOKEN", token}, {"TMPDIR", (ws_.dir / "tmp").string()}});
  }
  CommandResult sync() { return ctl({"sync", "crm"}); }

  // Syncs connectors_config/examples/<name>.json as it is written. Its relative paths are taken
  // from its folder (the worker runs there): the copy sits in <workspace>/repo/connectors_config/
  // examples, the only connector of that folder, beside a link <workspace>/repo/tests to the tests.
  CommandResult syncExample(const std::string& name) {
    const fs::path examples = ws_.dir / "repo/connectors_config/examples";
    fs::create_directories(examples);
    fs::create_directory_symlink(sourceDir() / "tests", ws_.dir / "repo/tests");
    fs::copy_file(sourceDir() / "connectors_config/examples" / (name + ".json"), examples / (name + ".json"));
    writeFile(ws_.config(), nlohmann::json{{"store", "sqlite://abm.db"},
                                           {"connectors_dir", examples.string()},
                                           {"connector_state_dir", "connector_state"},
                                           {"plugin_dir", pluginDir().string()},
                                           {"worker", (binDir() / "abmd-worker").string()},
                                           {"schema_dir", (sourceDir() / "schema").string()}}
                                .dump());
    return run({(binDir() / "abmctl").string(), "-c", ws_.config().string(), "sync", name},
               {{"ABMD_EXAMPLE_SECRET", kToken}, {"TMPDIR", (ws_.dir / "tmp").string()}});
  }

  // The connector's invocations so far, oldest first.
  std::vector<nlohmann::json> invocations() const {
    std::vector<nlohmann::json> out;
    const fs::path p = ws_.dir / "log/invocations.ndjson";
    if (!fs::exists(p)) return out;
    std::istringstream in(readFile(p));
    for (std::string line; std::getline(in, line);)
      if (!line.empty()) out.push_back(nlohmann::json::parse(line));
    return out;
  }
  // The invocations whose argv holds `word` ("read", "--discover", ...).
  std::vector<nlohmann::json> invocationsWith(const std::string& word) const {
    std::vector<nlohmann::json> out;
    for (const auto& i : invocations())
      for (const auto& a : i["argv"])
        if (a == word) {
          out.push_back(i);
          break;
        }
    return out;
  }

  std::string runStatus() {
    return queryText(ws_.store(), "SELECT status FROM sync_runs WHERE connector = 'crm' ORDER BY run_id DESC LIMIT 1");
  }
  std::string runError() {
    return queryText(ws_.store(),
                     "SELECT coalesce(error, '') FROM sync_runs WHERE connector = 'crm' ORDER BY run_id DESC LIMIT 1");
  }
  int64_t q(const std::string& sql) { return queryInt(ws_.store(), sql); }
  std::string text(const std::string& sql) { return queryText(ws_.store(), sql); }
  std::string joined(const std::string& sql) { return queryJoined(ws_.store(), sql, "; "); }

  // The entries left in the connector's TMPDIR (the private folders must all be gone).
  size_t leftInTmp() const {
    size_t n = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(ws_.dir / "tmp")) ++n;
    return n;
  }

  // Every byte of the store's files (the SQLite file and its WAL), to look for a secret in.
  std::string storeBytes() const {
    std::string all;
    for (const char* suffix : {"", "-wal", "-journal"}) {
      const fs::path p = ws_.dir / (std::string("abm.db") + suffix);
      if (fs::exists(p)) all += readFile(p);
    }
    return all;
  }

  // True once process `pid` is gone (or a zombie nobody waits for any more).
  static bool processGone(pid_t pid) {
    if (::kill(pid, 0) != 0) return true;
    std::istringstream stat(readFile("/proc/" + std::to_string(pid) + "/stat"));
    std::string id, name, state;
    stat >> id >> name >> state;
    return state == "Z" || state == "X";
  }

  Workspace ws_;
};

}  // namespace abm::test
