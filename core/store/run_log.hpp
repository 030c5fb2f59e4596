// sync_runs and sync_state: what ran, how it ended, and where each stream stands.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "store/sqlite.hpp"

namespace abm::store {

struct RunRecord {
  int64_t run_id = 0;
  std::string connector, started_at, finished_at, status, error;
  int64_t records = 0, rejected = 0;
  bool full_refresh = false;
};

Result<int64_t> startRun(Database& db, const std::string& connector, bool full_refresh);
Status finishRun(Database& db, int64_t run_id, const std::string& status, int64_t records, int64_t rejected,
                 const std::string& error);
// Runs left 'running' by a process that died are marked failed; returns how many.
Result<int> closeAbandonedRuns(Database& db);
Result<std::vector<RunRecord>> listRuns(Database& db, const std::string& connector, int limit);
Result<std::optional<RunRecord>> lastRun(Database& db, const std::string& connector);

// {stream: state} of a connector.
Result<nlohmann::json> loadStates(Database& db, const std::string& connector);
Status resetState(Database& db, const std::string& connector, const std::string& stream, int& removed);

}  // namespace abm::store
