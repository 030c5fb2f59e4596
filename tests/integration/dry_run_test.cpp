// abmctl sync NAME --dry-run through the real binaries: the testkit plugin read in its worker,
// every record validated as a sync would, and the store left exactly as it was (or not created).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "test_support.hpp"

using namespace abm::test;

namespace {

const std::string kCtl = (binDir() / "abmctl").string();

// The store file as it is: its bytes and modification time.
struct FileState {
  std::string bytes;
  fs::file_time_type mtime;
  bool operator==(const FileState&) const = default;
};

FileState storeFile(const Workspace& ws) { return {readFile(ws.dir / "abm.db"), fs::last_write_time(ws.dir / "abm.db")}; }

// What a reader leaves beside an SQLite store in WAL mode (as abmctl state show does): an empty
// write-ahead log, no frame of data in it.
bool walHoldsNothing(const Workspace& ws) {
  const fs::path wal = ws.dir / "abm.db-wal";
  return !fs::exists(wal) || fs::file_size(wal) == 0;
}

const std::string kTeleport = "field 'activity': expected one of";

TEST(DryRun, ReportsWhatWouldBeWrittenAndCreatesNoStore) {
  Workspace ws;
  ws.writeConfig("", true);
  ws.addConnector("tk", "testkit", R"({"records": 30, "checkpoint_every": 10, "mode": "bad_rows"})");
  auto r = runAbmctl(ws, {"sync", "tk", "--dry-run"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("no store yet at"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("touchpoints -> touchpoints: 27 record(s) would be written, 3 rejected"), std::string::npos) << r.out;
  for (const char* origin : {"testkit:3", "testkit:13", "testkit:23"})
    EXPECT_NE(r.out.find(std::string("rejected at ") + origin + ": " + kTeleport), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("checkpoint that would be committed: {\"next\":30}"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("tk: would sync 27 records, 3 rejected"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(ws.dir / "abm.db"));

  auto j = runAbmctl(ws, {"sync", "tk", "--dry-run", "--format", "json"});
  ASSERT_EQ(j.exit_code, 0) << j.err;
  const auto out = nlohmann::json::parse(j.out);
  EXPECT_EQ(out["status"], "succeeded");
  EXPECT_EQ(out["records"], 27);
  const auto& s = out["streams"]["touchpoints"];
  EXPECT_EQ(s["entity"], "touchpoints");
  EXPECT_EQ(s["rejected"], 3);
  ASSERT_EQ(s["rejections"].size(), 3u);
  EXPECT_EQ(s["rejections"][1]["origin"], "testkit:13");
  EXPECT_EQ(s["checkpoint"], nlohmann::json({{"next", 30}}));
  EXPECT_FALSE(fs::exists(ws.dir / "abm.db"));
}

// Resumes from the stored checkpoint as a sync would, and changes not a byte of the store: no run,
// no checkpoint, no record. The real sync that follows writes what the dry run announced.
TEST(DryRun, ResumesFromTheStoredCheckpointAndLeavesTheStoreUntouched) {
  Workspace ws;
  if (onPostgresql()) GTEST_SKIP() << "checks the SQLite file itself";
  ws.writeConfig("", true);
  ws.addConnector("tk", "testkit", R"({"records": 20, "checkpoint_every": 10})");
  ASSERT_EQ(runAbmctl(ws, {"sync", "tk"}).exit_code, 0);
  ws.addConnector("tk", "testkit", R"({"records": 35, "checkpoint_every": 10})");
  ASSERT_TRUE(walHoldsNothing(ws));
  const auto before = storeFile(ws);

  auto r = runAbmctl(ws, {"sync", "tk", "--dry-run"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("1 stored checkpoint(s) handed to the plugin"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("15 record(s) would be written, 0 rejected"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("checkpoint that would be committed: {\"next\":35}"), std::string::npos) << r.out;
  EXPECT_TRUE(storeFile(ws) == before) << "the dry run changed the store file";
  EXPECT_TRUE(walHoldsNothing(ws)) << "the dry run wrote to the store's write-ahead log";
  EXPECT_EQ(queryText(ws.store(), "SELECT state FROM sync_state WHERE connector = 'tk'"), R"({"next":20})");
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM sync_runs"), 1);

  // --full-refresh reads everything, as a full-refresh sync would.
  auto full = runAbmctl(ws, {"sync", "tk", "--dry-run", "--full-refresh"});
  ASSERT_EQ(full.exit_code, 0) << full.err;
  EXPECT_NE(full.out.find("35 record(s) would be written"), std::string::npos) << full.out;

  auto real = runAbmctl(ws, {"sync", "tk"});
  ASSERT_EQ(real.exit_code, 0) << real.err;
  EXPECT_NE(real.out.find("synced 15 records, 0 rejected"), std::string::npos) << real.out;
}

// The exit status is the sync's: a plugin that refuses or crashes fails the dry run with the
// reason a sync would give, and what was read before is still reported.
TEST(DryRun, ExitsAsTheSyncWouldWhenThePluginFails) {
  Workspace ws;
  ws.writeConfig("", true);
  ws.addConnector("refused", "testkit", R"({"mode": "error"})");
  auto r = runAbmctl(ws, {"sync", "refused", "--dry-run"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("refused: dry run: the sync would end failed: testkit: credentials rejected"), std::string::npos)
      << r.err;

  ws.addConnector("crash", "testkit", R"({"mode": "segfault", "fail_at": 6, "checkpoint_every": 3})");
  auto c = runAbmctl(ws, {"sync", "crash", "--dry-run"});
  EXPECT_EQ(c.exit_code, 1);
  EXPECT_NE(c.err.find("crash: dry run: the sync would end failed: plugin crashed"), std::string::npos) << c.err;
  EXPECT_NE(c.out.find("checkpoint that would be committed: {\"next\":6}"), std::string::npos) << c.out;
  EXPECT_EQ(c.out.find("would sync"), std::string::npos) << c.out;
  if (!onPostgresql()) {
    EXPECT_FALSE(fs::exists(ws.dir / "abm.db"));
  }
}

TEST(DryRun, IsInTheHelpAndRefusesWhatDoesNotGoWithIt) {
  Workspace ws;
  ws.writeConfig("", true);
  ws.addConnector("tk", "testkit", R"({"records": 3})");
  auto help = run({kCtl, "--help"});
  EXPECT_NE(help.out.find("sync NAME --dry-run [--format text|json]"), std::string::npos) << help.out;
  auto bad = runAbmctl(ws, {"sync", "tk", "--dry-run", "--format", "xml"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--format takes text or json, not 'xml'"), std::string::npos) << bad.err;
  auto check = runAbmctl(ws, {"check", "tk", "--dry-run"});
  EXPECT_EQ(check.exit_code, 2);
  EXPECT_NE(check.err.find("--dry-run goes with sync only"), std::string::npos) << check.err;
  EXPECT_FALSE(fs::exists(ws.dir / "abm.db"));
}

}  // namespace
