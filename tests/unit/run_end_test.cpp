// How a run ended and what the operator reads, for every way a run can end.
#include <gtest/gtest.h>
#include <signal.h>

#include "pipeline/run_end.hpp"
#include "wire/protocol.hpp"

using namespace abm;
using namespace abm::pipeline;
using Read = worker::WorkerProcess::Read;
using namespace std::chrono_literals;

namespace {

RunFacts exitedWith(int code) {
  RunFacts f;
  f.exit = {true, code, false};
  f.limits = {2h, 512, 30s, "/etc/abmd/connectors.d/crm.json"};
  return f;
}
RunFacts killedBy(int sig, bool by_host) {
  RunFacts f = exitedWith(0);
  f.exit = {false, sig, by_host};
  return f;
}

TEST(RunEnd, ACleanExitSucceedsAndIsLoggedAtInfo) {
  const RunEnd e = decideRunEnd(exitedWith(wire::kExitOk));
  EXPECT_EQ(e.status, RunStatus::Succeeded);
  EXPECT_EQ(e.error, "");
  EXPECT_EQ(e.level, log::Level::Info);
}

TEST(RunEnd, AWorkerKilledMidLineCrashedItDidNotSendGarbage) {
  for (int sig : {SIGKILL, SIGSEGV, SIGABRT}) {
    RunFacts f = killedBy(sig, false);
    f.protocol_error = "plugin sent a malformed message (line 41): unterminated string";
    const RunEnd e = decideRunEnd(f);
    EXPECT_EQ(e.status, RunStatus::Failed);
    EXPECT_EQ(e.error.rfind("plugin crashed: worker killed by signal " + std::to_string(sig) + " (SIG", 0), 0u)
        << e.error;
  }
  EXPECT_EQ(decideRunEnd(killedBy(SIGSEGV, false)).error, "plugin crashed: worker killed by signal 11 (SIGSEGV)");
}

TEST(RunEnd, GarbageThatGotTheWorkerKilledIsReportedAsGarbage) {
  RunFacts f = killedBy(SIGKILL, true);
  f.protocol_error = "plugin sent a malformed message (line 16): expected '}'";
  EXPECT_EQ(decideRunEnd(f).error, f.protocol_error);
  f.exit = {true, wire::kExitOk, false};  // it had already finished
  EXPECT_EQ(decideRunEnd(f).status, RunStatus::Failed);
}

TEST(RunEnd, LimitsSayWhichSettingToRaise) {
  RunFacts f = killedBy(SIGKILL, true);
  f.read_end = Read::TimedOut;
  EXPECT_EQ(decideRunEnd(f).error,
            "sync exceeded its time limit of 7200s and was killed (raise \"timeout\" in "
            "/etc/abmd/connectors.d/crm.json)");
  f.read_end = Read::OverMemory;
  EXPECT_EQ(decideRunEnd(f).error,
            "plugin exceeded its memory limit of 512 MiB and was killed (raise \"memory_limit_mb\" in "
            "/etc/abmd/connectors.d/crm.json)");
}

TEST(RunEnd, TheShutdownGraceEndsARunInterruptedAsAWarning) {
  RunFacts f = killedBy(SIGKILL, true);
  f.read_end = Read::StopTimedOut;
  f.stop_requested = true;
  const RunEnd e = decideRunEnd(f);
  EXPECT_EQ(e.status, RunStatus::Interrupted);
  EXPECT_EQ(e.level, log::Level::Warn);
  EXPECT_NE(e.error.find("did not stop within 30s of the shutdown request"), std::string::npos) << e.error;
}

TEST(RunEnd, AStopAtACheckpointIsDeliberateNotAnError) {
  RunFacts f = exitedWith(wire::kExitStopped);
  f.stop_requested = true;
  const RunEnd e = decideRunEnd(f);
  EXPECT_EQ(e.status, RunStatus::Interrupted);
  EXPECT_EQ(e.level, log::Level::Info);
}

TEST(RunEnd, AWorkerEndedByTheShutdownsSigtermWasStoppedNotCrashed) {
  RunFacts f = killedBy(SIGTERM, false);
  EXPECT_EQ(decideRunEnd(f).status, RunStatus::Failed) << "nobody asked it to stop";
  f.stop_requested = true;
  EXPECT_EQ(decideRunEnd(f).status, RunStatus::Interrupted);
}

TEST(RunEnd, ARetryCutShortByTheShutdownIsInterrupted) {
  RunFacts f = exitedWith(wire::kExitRetry);
  f.plugin_error = "GET /crm/v3/objects/companies: stopped while waiting to retry (HTTP 503)";
  EXPECT_EQ(decideRunEnd(f).status, RunStatus::Retry) << "without a shutdown it is a retry";
  EXPECT_EQ(decideRunEnd(f).error, f.plugin_error);
  f.stop_requested = true;
  const RunEnd e = decideRunEnd(f);
  EXPECT_EQ(e.status, RunStatus::Interrupted);
  EXPECT_EQ(e.level, log::Level::Info);
  EXPECT_NE(e.error.find(f.plugin_error), std::string::npos);
}

TEST(RunEnd, ASpentQuotaIsRateLimitedWithTheResumeTime) {
  RunFacts f = exitedWith(wire::kExitRetry);
  f.plugin_error = "daily quota spent";
  f.resume_at = 1767225600;  // 2026-01-01T00:00:00Z
  f.stop_requested = true;   // the vendor's word still counts
  const RunEnd e = decideRunEnd(f);
  EXPECT_EQ(e.status, RunStatus::RateLimited);
  EXPECT_EQ(e.resume_at, 1767225600);
  EXPECT_EQ(e.error, "daily quota spent; resumes at 2026-01-01T00:00:00Z from the last checkpoint");
  EXPECT_EQ(e.level, log::Level::Warn);
}

TEST(RunEnd, StoreAndInternalFailuresComeFirst) {
  RunFacts f = killedBy(SIGSEGV, false);
  f.internal_error = "internal error: json type_error";
  EXPECT_EQ(decideRunEnd(f).error, f.internal_error);
  f.store_error = "store: database or disk is full";
  EXPECT_EQ(decideRunEnd(f).error, f.store_error);
  EXPECT_EQ(decideRunEnd(f).status, RunStatus::Failed);
}

TEST(RunEnd, APluginErrorIsTheReasonOfAFailedExit) {
  RunFacts f = exitedWith(wire::kExitError);
  EXPECT_EQ(decideRunEnd(f).error, "worker exited with code 1");
  f.plugin_error = "testkit: credentials rejected";
  EXPECT_EQ(decideRunEnd(f).error, "testkit: credentials rejected");
  EXPECT_EQ(decideRunEnd(exitedWith(wire::kExitRetry)).error, "plugin asked to retry");
}

TEST(RunEnd, ALostLeaseInterruptsTheRunWhateverElseItSaw) {
  // The loss kills the worker and refuses the last commit: neither is the run's real ending.
  RunFacts f = killedBy(SIGKILL, true);
  f.store_error = "store: lease lost";
  f.lease_lost = "connector:crm taken by host2:77";
  const RunEnd e = decideRunEnd(f);
  EXPECT_EQ(e.status, RunStatus::Interrupted);
  EXPECT_EQ(e.error, "lease lost (connector:crm taken by host2:77): stopped at once, nothing more committed; the "
                     "instance holding the lease resumes from the last checkpoint");
  EXPECT_EQ(e.level, log::Level::Warn);
}

TEST(RunEnd, OutcomesThatAreNotRunsAreNamedButNeverRecorded) {
  EXPECT_EQ(runStatusName(RunStatus::HeldElsewhere), "held_elsewhere");
  EXPECT_EQ(runStatusName(RunStatus::NotDue), "not_due");
  EXPECT_FALSE(isRecordedRun(RunStatus::HeldElsewhere));
  EXPECT_FALSE(isRecordedRun(RunStatus::NotDue));
  for (auto s : {RunStatus::Succeeded, RunStatus::Failed, RunStatus::Retry, RunStatus::Interrupted, RunStatus::RateLimited})
    EXPECT_TRUE(isRecordedRun(s)) << runStatusName(s);
}

}  // namespace
