// One shard's per-account results, held in memory between computing them (from the shard's own
// read snapshot, with no lock held) and writing them (in one short write transaction, ShardWrite),
// so that instances compute their shards at the same time. Memory is proportional to the shard's
// output: more shards, less of it at a time. (A store only one daemon writes, SQLite's, skips this
// and writes as it computes: metrics_stage.cpp.)
#pragma once

#include <array>
#include <climits>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "metrics/metrics_cycle.hpp"
#include "metrics/metrics_output.hpp"

namespace abm::metrics {

class ShardResults : public ResultSink {
 public:
  Status clearAttribution(int64_t account) override;
  Status clearJourney(int64_t account) override;
  Status clearJourneyAfter(int64_t account, int64_t after) override;
  Status touch(Conversion c, int64_t account, int64_t opportunity, int64_t touchpoint, int64_t campaign, int channel,
               int64_t occurred_at, const std::array<double, kRuleModelCount>& shares, double amount) override;
  Status path(int64_t account, Conversion c, const std::string& channels, double conversions, double value,
              double nulls) override;
  Status engagement(int64_t account, const Engagement& now, double previous_score) override;
  Status journey(int64_t account, const std::vector<StageSpan>& history, int64_t after = INT64_MIN) override;
  Status accountState(int64_t account, int64_t last_touch) override;

  // Every clear first, then each table's rows in the order they came: an account's clears precede
  // its own rows, and each table gets its rows in the order a direct write would have given them.
  Status writeTo(MetricsOutput& out) const;

 private:
  struct Clear {
    enum Kind { Attribution, Journey, JourneyAfter } kind;
    int64_t account, after;
  };
  struct Touch {
    int64_t account, opportunity, touchpoint, campaign, occurred_at;
    double amount;
    std::array<double, kRuleModelCount> shares;
    Conversion conversion;
    int channel;
  };
  struct Path {
    int64_t account;
    Conversion conversion;
    std::string channels;
    double conversions, value, nulls;
  };
  struct EngagementRow {
    int64_t account;
    Engagement now;
    double previous_score;
  };
  struct Journey {
    int64_t account;
    std::vector<StageSpan> history;
    int64_t after;
  };
  struct State {
    int64_t account, last_touch;
  };
  std::vector<Clear> clears_;
  std::vector<Touch> touches_;
  std::vector<Path> paths_;
  std::vector<EngagementRow> engagement_;
  std::vector<Journey> journeys_;
  std::vector<State> states_;
};

// The shard's one write transaction: its old rows out (a full cycle: every row of its hash class),
// its results in, the shard marked done with its counts; and when it is the cycle's last shard, the
// global results, the run's record (metrics_runs) and the cycle's end too. Rolled back unless
// finish() commits it.
class ShardWrite {
 public:
  ShardWrite(store::Database& writer, const MetricsSettings& settings, const MetricsCycle& cycle, int shard,
             std::string instance)
      : writer_(writer), cycle_(cycle), shard_(shard), instance_(std::move(instance)), tx_(writer),
        out_(writer, settings, cycle.as_of) {}
  // Opens the transaction and clears the shard's old rows. False, and nothing written, when the
  // shard is no longer this instance's to write: its lease is held by another instance (taken
  // over), or the shard is done.
  Result<bool> open();
  // Where the shard's rows go, once open.
  MetricsOutput& output() { return out_; }
  // Marks the shard done, finishes the cycle when it was the last one (which `summary` then tells:
  // finished_cycle, conversions), and commits.
  Status finish(const ShardCounts& counts, MetricsSummary& summary);

 private:
  store::Database& writer_;
  const MetricsCycle& cycle_;
  const int shard_;
  const std::string instance_;
  store::Transaction tx_;
  MetricsOutput out_;
};

// A ShardWrite of results computed beforehand.
Result<bool> writeShard(store::Database& writer, const MetricsSettings& settings, const MetricsCycle& cycle, int shard,
                        const std::string& instance, const ShardResults& results, const ShardCounts& counts,
                        MetricsSummary& summary);

}  // namespace abm::metrics
