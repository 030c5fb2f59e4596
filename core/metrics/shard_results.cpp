#include "metrics/shard_results.hpp"

#include <chrono>

#include "metrics/metrics_stage.hpp"
#include "store/lease_keeper.hpp"

namespace abm::metrics {

Status ShardResults::clearAttribution(int64_t account) {
  clears_.push_back({Clear::Attribution, account, 0});
  return Status::ok();
}

Status ShardResults::clearJourney(int64_t account) {
  clears_.push_back({Clear::Journey, account, 0});
  return Status::ok();
}

Status ShardResults::clearJourneyAfter(int64_t account, int64_t after) {
  clears_.push_back({Clear::JourneyAfter, account, after});
  return Status::ok();
}

Status ShardResults::touch(Conversion c, int64_t account, int64_t opportunity, int64_t touchpoint, int64_t campaign,
                           int channel, int64_t occurred_at, const std::array<double, kRuleModelCount>& shares,
                           double amount) {
  touches_.push_back({account, opportunity, touchpoint, campaign, occurred_at, amount, shares, c, channel});
  return Status::ok();
}

Status ShardResults::path(int64_t account, Conversion c, const std::string& channels, double conversions,
                          double value, double nulls) {
  paths_.push_back({account, c, channels, conversions, value, nulls});
  return Status::ok();
}

Status ShardResults::engagement(int64_t account, const Engagement& now, double previous_score) {
  engagement_.push_back({account, now, previous_score});
  return Status::ok();
}

Status ShardResults::journey(int64_t account, const std::vector<StageSpan>& history, int64_t after) {
  journeys_.push_back({account, history, after});
  return Status::ok();
}

Status ShardResults::accountState(int64_t account, int64_t last_touch) {
  states_.push_back({account, last_touch});
  return Status::ok();
}

Status ShardResults::writeTo(MetricsOutput& out) const {
  for (const auto& c : clears_) {
    Status s = c.kind == Clear::Attribution ? out.clearAttribution(c.account)
               : c.kind == Clear::Journey   ? out.clearJourney(c.account)
                                            : out.clearJourneyAfter(c.account, c.after);
    if (!s) return s;
  }
  for (const auto& t : touches_)
    if (auto s = out.touch(t.conversion, t.account, t.opportunity, t.touchpoint, t.campaign, t.channel, t.occurred_at,
                           t.shares, t.amount);
        !s)
      return s;
  for (const auto& p : paths_)
    if (auto s = out.path(p.account, p.conversion, p.channels, p.conversions, p.value, p.nulls); !s) return s;
  for (const auto& e : engagement_)
    if (auto s = out.engagement(e.account, e.now, e.previous_score); !s) return s;
  for (const auto& j : journeys_)
    if (auto s = out.journey(j.account, j.history, j.after); !s) return s;
  for (const auto& st : states_)
    if (auto s = out.accountState(st.account, st.last_touch); !s) return s;
  return Status::ok();
}

Result<bool> ShardWrite::open() {
  if (auto s = tx_.begin(); !s) return s;
  // Read under the writers' lock, which a lease takeover also takes: no takeover lands before COMMIT.
  auto holder = store::leaseHolder(writer_, shardLease(cycle_.id, shard_));
  if (!holder) return holder.status();
  if (*holder != instance_) return false;
  auto pending = shardPending(writer_, cycle_.id, shard_);
  if (!pending) return pending.status();
  if (!*pending) return false;
  if (auto s = out_.prepare(); !s) return s;
  if (cycle_.full)
    if (auto s = out_.clearShard(shard_, cycle_.shards); !s) return s;
  return true;
}

Status ShardWrite::finish(const ShardCounts& counts, MetricsSummary& summary) {
  if (auto s = out_.flush(); !s) return s;
  if (auto s = markShardDone(writer_, cycle_.id, shard_, instance_, counts); !s) return s;
  auto totals = cycleTotals(writer_, cycle_.id);
  if (!totals) return totals.status();
  if (*totals) {
    const auto started = std::chrono::steady_clock::now();
    MetricsSummary run;
    run.as_of = cycle_.as_of;
    run.full = cycle_.full;
    run.accounts = (*totals)->accounts;
    run.accounts_recomputed = (*totals)->accounts_recomputed;
    run.touchpoints = (*totals)->touchpoints;
    if (auto s = out_.rollUp(run); !s) return s;
    if (auto s = out_.recordRun(run, cycle_.settings, cycle_.opened_at); !s) return s;
    if (auto s = closeCycle(writer_, cycle_.id, instance_); !s) return s;
    summary.finished_cycle = true;
    summary.conversions = run.conversions;
    summary.unattributed = run.unattributed;
    summary.seconds_models = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  }
  return tx_.commit();
}

Result<bool> writeShard(store::Database& writer, const MetricsSettings& settings, const MetricsCycle& cycle, int shard,
                        const std::string& instance, const ShardResults& results, const ShardCounts& counts,
                        MetricsSummary& summary) {
  const auto began = std::chrono::steady_clock::now();
  ShardWrite write(writer, settings, cycle, shard, instance);
  auto open = write.open();
  if (!open || !*open) return open;
  if (auto s = results.writeTo(write.output()); !s) return s;
  summary.seconds_write += std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  if (auto s = write.finish(counts, summary); !s) return s;
  return true;
}

}  // namespace abm::metrics
