// What the SDK promises a plugin author, checked through the real binaries: a full-refresh stream
// never receives a checkpoint, a descriptor's kind is one of the documented values, and abmctl
// plugins marks what ships with abmd.
#include <gtest/gtest.h>

#include <sstream>

#include "test_support.hpp"

using namespace abm::test;

namespace {

int64_t lastRunRecords(const Workspace& ws, const std::string& connector) {
  return queryInt(ws.store(), "SELECT records FROM sync_runs WHERE connector = '" + connector +
                                  "' ORDER BY run_id DESC LIMIT 1");
}

// testkit with "incremental": false fails its read when it is handed any checkpoint, so a second
// run succeeding with every record again is the host keeping its promise.
TEST(FullRefreshStream, StartsFromNothingEveryRunWhateverIsStored) {
  Workspace ws;
  ws.writeConfig("", true);
  ws.addConnector("full", "testkit", R"({"records": 30, "checkpoint_every": 10, "incremental": false})");
  ws.addConnector("incr", "testkit", R"({"records": 30, "checkpoint_every": 10})");
  for (int pass = 1; pass <= 2; ++pass) {
    for (const char* name : {"full", "incr"}) {
      auto r = runAbmctl(ws, {"sync", name});
      ASSERT_EQ(r.exit_code, 0) << name << " pass " << pass << ": " << r.err;
    }
    // The full-refresh stream reads everything each time; the incremental one resumes at its end.
    EXPECT_EQ(lastRunRecords(ws, "full"), 30) << "pass " << pass;
    EXPECT_EQ(lastRunRecords(ws, "incr"), pass == 1 ? 30 : 0) << "pass " << pass;
  }
  // Its checkpoints are still committed with the records they cover (and shown), never handed back.
  EXPECT_EQ(queryText(ws.store(), "SELECT state FROM sync_state WHERE connector = 'full'"), R"({"next":30})");
  // Rows are upserts on (source, external_id): reading everything again duplicates nothing.
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM touchpoints WHERE source = 'full'"), 30);
}

// The same check seen from the plugin: handed a stored checkpoint, testkit would fail the run.
TEST(FullRefreshStream, AStoredCheckpointIsNotHandedToItEvenAfterTheStreamWasIncremental) {
  Workspace ws;
  ws.writeConfig("", true);
  ws.addConnector("switch", "testkit", R"({"records": 12, "checkpoint_every": 5})");
  ASSERT_EQ(runAbmctl(ws, {"sync", "switch"}).exit_code, 0);
  ASSERT_EQ(queryText(ws.store(), "SELECT state FROM sync_state WHERE connector = 'switch'"), R"({"next":12})");
  ws.addConnector("switch", "testkit", R"({"records": 12, "checkpoint_every": 5, "incremental": false})");
  auto r = runAbmctl(ws, {"sync", "switch"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("synced 12 records"), std::string::npos) << r.out;
}

// A library declaring a kind abmd does not know is refused when it is loaded, with its file and
// the allowed kinds, and a connector naming it is not valid.
TEST(PluginKind, ALibraryOfAnUnknownKindIsRefusedNamingTheFileAndTheAllowedKinds) {
  Workspace ws;
  fs::create_directories(ws.connectors());
  writeFile(ws.config(), "{\"store\": \"sqlite://abm.db\", \"connectors_dir\": \"connectors.d\", \"plugin_dir\": \"" +
                             std::string(ABMD_TEST_BAD_PLUGIN_DIR) + "\", \"worker\": \"" +
                             (binDir() / "abmd-worker").string() + "\"}");
  ws.addConnector("wh", "warehouse", "{}");
  auto r = runAbmctl(ws, {"plugins"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("bad_kind.so: refused: its kind 'warehouse' is not one of crm, marketing_automation, email, "
                       "ads, web_analytics, file, declarative, external, test"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.out.find("warehouse 1.0.0"), std::string::npos) << r.out;
  auto v = runAbmctl(ws, {"validate"});
  EXPECT_NE(v.exit_code, 0);
  EXPECT_NE(v.err.find("no plugin named 'warehouse'"), std::string::npos) << v.err;
}

// The line `abmctl plugins` prints for the plugin named `name` ("" when there is none).
std::string pluginLine(const std::string& listing, const std::string& name) {
  std::istringstream in(listing);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(name + " ", 0) == 0) return line;
  return {};
}

// Built-in means shipped with abmd, read from the library itself (the mark the abmd build compiles
// into each of its plugins), not from a list of names: every library of the build's plugin folder
// is marked, a copy of one elsewhere still is, and a plugin built apart (testkit) is not.
TEST(BuiltInPlugins, AbmctlPluginsMarksWhatShipsWithAbmdWhereverItLies) {
  Workspace ws;
  ws.writeConfig();
  auto r = runAbmctl(ws, {"plugins"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  int libraries = 0;
  for (const auto& e : fs::directory_iterator(pluginDir())) {
    if (e.path().extension() != ".so") continue;
    ++libraries;
    const std::string line = pluginLine(r.out, e.path().stem().string());
    EXPECT_NE(line.find(")  built-in  " + e.path().string()), std::string::npos) << r.out;
  }
  EXPECT_GE(libraries, 3) << "csv, hubspot and salesforce at least";
  EXPECT_NE(pluginLine(r.out, "events").find("(push, ABI built-in)  built-in  built into abmd"), std::string::npos)
      << r.out;

  Workspace tests;
  tests.writeConfig("", true);  // testkit, and a copy of csv
  auto t = runAbmctl(tests, {"plugins"});
  ASSERT_EQ(t.exit_code, 0) << t.err;
  const std::string testkit = pluginLine(t.out, "testkit");
  ASSERT_FALSE(testkit.empty()) << t.out;
  EXPECT_EQ(testkit.find("built-in"), std::string::npos) << testkit;
  EXPECT_NE(pluginLine(t.out, "csv").find(")  built-in  " + (testPluginDir() / "csv.so").string()), std::string::npos)
      << t.out;
}

}  // namespace
