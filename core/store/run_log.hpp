// sync_runs and sync_state: what ran, how it ended, and where each stream stands.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "store/database.hpp"

namespace abm::store {

struct RunRecord {
  int64_t run_id = 0;
  std::string connector, started_at, finished_at, status, error;
  int64_t records = 0, rejected = 0;
  bool full_refresh = false;
};

// Records a new 'running' run owned by this process (`owner`: "abmd", "abmctl sync"; `instance_id`:
// the instance running it, see store/lease_keeper.hpp). A run of the same connector that this
// process left 'running' (its end could not be recorded, e.g. on a full disk) is closed as failed
// first. Run times come from the store's clock, like every time several instances compare.
Result<int64_t> startRun(Database& db, const std::string& connector, bool full_refresh, const std::string& owner,
                         const std::string& instance_id = "");
// The counts so far; called inside each commit of the run's data so that they commit together.
Status recordProgress(Database& db, int64_t run_id, int64_t records, int64_t rejected);
Status finishRun(Database& db, int64_t run_id, const std::string& status, int64_t records, int64_t rejected,
                 const std::string& error);
// Marks the run failed, keeping the counts its commits recorded.
Status failRun(Database& db, int64_t run_id, const std::string& error);
// Runs left 'running' by a process that died are marked failed, each saying which process it was;
// returns one line per run ("run 7 of crm, left by abmctl sync (pid 4242)"). A run whose connector
// lease ("connector:<name>") is live belongs to a live instance and is never touched. On SQLite the
// caller holds the store lock, so the instances of this machine whose process has ended are removed
// first with their leases (store/instances.hpp): their runs are closed at once.
Result<std::vector<std::string>> closeAbandonedRuns(Database& db);
// Called by the instance that has just taken the lease of `connector`: every run of it still
// 'running' was left by an instance that no longer holds the lease (it died, or its lease expired)
// and is closed as interrupted, "left unfinished by instance A; resumed by B". Runs of this very
// process (same instance and pid) are left to startRun. Returns one line per run closed.
Result<std::vector<std::string>> closeRunsLeftUnfinished(Database& db, const std::string& connector,
                                                         const std::string& instance_id);
// When the connector's last succeeded run finished less than `interval` ago (by the store's clock),
// the time it is due again (epoch seconds); nullopt when it is due now.
Result<std::optional<int64_t>> notDueUntil(Database& db, const std::string& connector, std::chrono::seconds interval);
// Whether a run of the connector started at or after `since` (epoch seconds) and did not end
// interrupted: a timer that fired for `since` has then been served (a failed run is retried by the
// instance that ran it).
Result<bool> ranSince(Database& db, const std::string& connector, int64_t since);
// Whether a run of `connector` newer than `run_id` started (and was not interrupted).
Result<bool> ranAfter(Database& db, const std::string& connector, int64_t run_id);
Result<std::vector<RunRecord>> listRuns(Database& db, const std::string& connector, int limit);
Result<std::optional<RunRecord>> lastRun(Database& db, const std::string& connector);
// The connector's last run that succeeded, and its last run that ended with an error (failed,
// retry, rate_limited or interrupted, with its reason), whatever came after.
Result<std::optional<RunRecord>> lastSuccess(Database& db, const std::string& connector);
Result<std::optional<RunRecord>> lastError(Database& db, const std::string& connector);
// Every connector's last succeeded run: connector -> finished_at (the daemon seeds its
// last-success gauges from this at start, so they survive a restart).
Result<std::map<std::string, std::string>> lastSuccesses(Database& db);

// {stream: state} of a connector.
Result<nlohmann::json> loadStates(Database& db, const std::string& connector);
Status resetState(Database& db, const std::string& connector, const std::string& stream, int& removed);

}  // namespace abm::store
