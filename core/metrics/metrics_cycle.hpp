// The bookkeeping of a sharded metrics run in the store (migration 0010, docs/metrics.md#sharded-runs).
// A cycle is one computation of every metric as of one time, split into shards of accounts
// (account_id % shards). It is opened once, by whichever instance comes first; every instance that
// runs the stage while it is open joins it and computes shards no one has written yet, each under a
// lease "metrics/<cycle>/<shard>"; the instance writing the last shard finishes the cycle.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.hpp"
#include "store/database.hpp"

namespace abm::metrics {

struct MetricsCycle {
  int64_t id = 0;
  int64_t as_of = 0;
  std::string settings;  // settingsText() of the instance that opened it
  bool full = true;
  int64_t previous = 0;  // an incremental cycle: the as_of of the run it builds on
  int shards = 1;
  std::string opened_by, opened_at;
  bool joined = false;  // opened by another call, this one joined it
};

// In one short write transaction (so under SQLite's write lock or PostgreSQL's writers' lock): the
// open cycle when there is one, else a new one as of `as_of`, full when `force_full`, when no run
// came before, when the last run used other settings or a later as_of; else incremental. A new cycle
// moves the dirty marks into its own snapshot, so marks written from then on wait for the next cycle.
// An open cycle with other settings is not joined: the error says what differs and who opened it.
Result<MetricsCycle> openOrJoinCycle(store::Database& db, const std::string& settings_text, int64_t as_of,
                                     bool force_full, int shards, const std::string& instance);

// The lease resource of a shard.
std::string shardLease(int64_t cycle, int shard);

// The shards of `cycle` whose results are not written yet, in order.
Result<std::vector<int>> pendingShards(store::Database& db, int64_t cycle);

struct ShardCounts {
  int64_t accounts = 0, accounts_recomputed = 0, touchpoints = 0, attribution_rows = 0;
};

// The steps of a shard's write transaction. shardPending: whether nobody has written the shard yet.
Result<bool> shardPending(store::Database& db, int64_t cycle, int shard);
Status markShardDone(store::Database& db, int64_t cycle, int shard, const std::string& instance,
                     const ShardCounts& counts);
// nullopt while a shard is still pending; else the counts of all the shards added up.
Result<std::optional<ShardCounts>> cycleTotals(store::Database& db, int64_t cycle);
// Drops the cycle's dirty snapshot and marks it finished by `instance`.
Status closeCycle(store::Database& db, int64_t cycle, const std::string& instance);

// For `abmctl status`: the open cycle and its shards, who wrote each and who holds each lease.
struct ShardState {
  int shard = 0;
  std::string done_by, done_at;             // empty while pending
  std::string holder, expires_at;           // the lease, if any row exists
  bool lease_live = false;
};
struct OpenCycle {
  MetricsCycle cycle;
  std::vector<ShardState> shards;
};
// nullopt when no cycle is open (or the store predates migration 0010).
Result<std::optional<OpenCycle>> readOpenCycle(store::Database& db);

// What differs between two settingsText() values, key by key: "lookback_days (365 there, 30 here)".
std::string settingsDifference(const std::string& theirs, const std::string& ours);

}  // namespace abm::metrics
