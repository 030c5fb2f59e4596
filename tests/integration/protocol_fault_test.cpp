// The fault wall against well-formed messages of the wrong shape: whatever a worker writes on the
// message pipe, the daemon and abmctl fail that one run with a reason and go on, never abort.
// A stand-in worker (a script named by the daemon config's "worker" key) writes the raw lines, as
// a plugin that bypasses the SDK and writes to the pipe itself could.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "test_support.hpp"

using namespace abm::test;

namespace {

const std::string kAbmd = (binDir() / "abmd").string();
const std::string kCtl = (binDir() / "abmctl").string();

// Answers "describe" as a plugin named rawkit; "run" prints the lines of the file named by the
// job's settings.lines, after the catalog line unless the file starts with one.
const char* kRawWorker = R"(#!/usr/bin/env python3
import json, sys
if sys.argv[1] == "describe":
    print(json.dumps({"type": "SPEC", "spec": {"name": "rawkit", "version": "1", "kind": "test", "abi": "1.2",
        "options": [{"name": "lines", "type": "string", "required": True, "description": "file of raw lines"}]}}))
    sys.exit(0)
job = json.load(sys.stdin)
lines = open(job["settings"]["lines"]).read().splitlines()
if job["command"] == "read" and not lines[0].startswith('{"type":"CATALOG"'):
    print(json.dumps({"type": "CATALOG", "catalog": {"streams": [{"name": "accounts"}]}}))
for line in lines:
    print(line)
sys.stdout.flush()
sys.exit(0)
)";

struct RawWorkspace {
  Workspace ws;
  RawWorkspace() {
    fs::create_directories(ws.connectors());
    fs::create_directories(ws.dir / "plugins");
    fs::copy_file(testPluginDir() / "testkit.so", ws.dir / "plugins/rawkit.so");
    writeFile(ws.dir / "raw_worker.py", kRawWorker);
    ::chmod((ws.dir / "raw_worker.py").c_str(), 0755);
    writeFile(ws.config(), R"({"store": "sqlite://abm.db", "connectors_dir": "connectors.d", "plugin_dir": "plugins",
      "worker": "raw_worker.py", "retry": {"attempts": 0}, "schema_dir": ")" + (sourceDir() / "schema").string() + "\"}");
  }
  void addRaw(const std::string& name, const std::string& lines) const {
    writeFile(ws.dir / (name + ".lines"), lines);
    ws.addConnector(name, "rawkit", "{\"lines\": \"" + (ws.dir / (name + ".lines")).string() + "\"}");
  }
  std::string run(const std::string& connector, const std::string& column) const {
    return queryText(ws.store(), "SELECT coalesce(" + column + ", '') FROM sync_runs WHERE connector = '" + connector +
                                     "' ORDER BY run_id DESC LIMIT 1");
  }
};

const std::string kGoodRecord = R"({"type":"RECORD","record":{"stream":"accounts","data":{"external_id":"a1","name":"Acme","domain":"acme.com"}}})";
const std::string kGoodState = R"({"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"accounts"},"stream_state":{"n":1}}}})";

struct Probe {
  const char* name;
  std::string line;
  const char* error_says;
};

const Probe kProbes[] = {
    {"catalog_name_number", R"({"type":"CATALOG","catalog":{"streams":[{"name":1,"entity":"accounts"}]}})",
     "catalog.streams[0]: \"name\" must be a string"},
    // Record data that closed the envelope early, as the worker used to frame it unchecked.
    {"smuggled_envelope", R"({"type":"RECORD","record":{"stream":"accounts","emitted_at":1,"data":{}},"type":"LOG","log":"x","z":{}})",
     "more than one \"type\""},
    {"log_is_string", R"({"type":"LOG","log":"x"})", "\"log\" must be an object"},
    {"state_is_string", R"({"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"accounts"},"stream_state":"x"}}})",
     "\"stream_state\" must be an object"},
    {"trace_message_object", R"({"type":"TRACE","trace":{"type":"ERROR","error":{"message":{"a":1},"failure_type":"system_error"}}})",
     "\"message\" must be a string"},
    {"record_stream_array", R"({"type":"RECORD","record":{"stream":["accounts"],"data":{}}})",
     "\"record.stream\" must be a string"},
};

}  // namespace

TEST(ProtocolFaultWall, AbmctlSyncFailsTheRunNamingTheMemberAndKeepsWhatCameBefore) {
  for (const auto& p : kProbes) {
    SCOPED_TRACE(p.name);
    RawWorkspace raw;
    raw.addRaw(p.name, kGoodRecord + "\n" + kGoodState + "\n" + p.line + "\n");
    auto r = run({kCtl, "-c", raw.ws.config().string(), "sync", p.name});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_EQ(raw.run(p.name, "status"), "failed");
    EXPECT_NE(raw.run(p.name, "error").find(p.error_says), std::string::npos) << raw.run(p.name, "error");
    // The record and checkpoint before the bad line were committed.
    EXPECT_EQ(queryInt(raw.ws.store(), "SELECT count(*) FROM accounts"), 1);
    EXPECT_EQ(queryInt(raw.ws.store(), "SELECT count(*) FROM sync_state WHERE connector = '" +
                                           std::string(p.name) + "'"), 1);
  }
}

TEST(ProtocolFaultWall, TheDaemonFailsEachBadRunAndRunsTheOthers) {
  RawWorkspace raw;
  for (const auto& p : kProbes) raw.addRaw(p.name, kGoodRecord + "\n" + p.line + "\n");
  raw.addRaw("good", kGoodRecord + "\n" + kGoodState + "\n");
  auto r = run({kAbmd, "-c", raw.ws.config().string(), "--once"});
  EXPECT_EQ(r.exit_code, 1) << "failed runs, but a normal exit\n" << r.err;
  for (const auto& p : kProbes) {
    EXPECT_EQ(raw.run(p.name, "status"), "failed") << p.name;
    EXPECT_NE(raw.run(p.name, "error").find(p.error_says), std::string::npos) << raw.run(p.name, "error");
  }
  EXPECT_EQ(raw.run("good", "status"), "succeeded") << raw.run("good", "error");
  EXPECT_EQ(queryInt(raw.ws.store(), "SELECT count(*) FROM sync_runs WHERE status = 'running'"), 0);
}

TEST(ProtocolFaultWall, CheckAndDiscoverReportWrongShapedAnswers) {
  RawWorkspace raw;
  raw.addRaw("status_bool", R"({"type":"CONNECTION_STATUS","connectionStatus":{"status":true}})" "\n");
  auto r = run({kCtl, "-c", raw.ws.config().string(), "check", "status_bool"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("\"status\" must be a string"), std::string::npos) << r.err;

  raw.addRaw("catalog_bad", R"({"type":"CATALOG","catalog":{"streams":[{"name":"a","incremental":"yes"}]}})" "\n");
  r = run({kCtl, "-c", raw.ws.config().string(), "discover", "catalog_bad"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("\"incremental\" must be a boolean"), std::string::npos) << r.err;
}

// Through the real worker and SDK: record data that is not one JSON object (testkit's garbage
// mode emits half an object) becomes one rejected row with its text; the rest loads.
TEST(ProtocolFaultWall, TheWorkerRejectsRecordDataThatIsNotOneObject) {
  Workspace ws;
  ws.writeConfig(R"(, "retry": {"attempts": 0})", true);
  ws.addConnector("garbler", "testkit", R"({"mode": "garbage", "fail_at": 15, "records": 30})");
  auto r = run({kCtl, "-c", ws.config().string(), "sync", "garbler"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM touchpoints"), 29);
  EXPECT_EQ(queryInt(ws.store(), "SELECT count(*) FROM rejected_records"), 1);
  EXPECT_NE(queryText(ws.store(), "SELECT reason FROM rejected_records").find("not one JSON object"), std::string::npos);
  EXPECT_EQ(queryText(ws.store(), "SELECT data FROM rejected_records"), "{\"external_id\": \"broken");
}
