// Where the metrics stage's results go. Per-account results (attribution rows, channel paths,
// engagement, stage history) are kept between runs so an incremental run rewrites only the accounts
// it recomputes; the global results (channel and campaign roll-ups, Markov, Shapley, conversions,
// funnel) are then rebuilt from them. Everything happens in one write transaction.
#pragma once

#include <array>
#include <climits>
#include <string>
#include <vector>

#include "metrics/attribution_rules.hpp"
#include "metrics/journey.hpp"
#include "store/database.hpp"

namespace abm::metrics {

enum Conversion { kPipeline = 0, kRevenue = 1 };
constexpr const char* kConversionNames[] = {"pipeline", "revenue"};

struct MetricsSummary;

class MetricsOutput {
 public:
  MetricsOutput(store::Database& db, const MetricsSettings& s, int64_t as_of) : db_(db), s_(s), as_of_(as_of) {}

  // Opens the write transaction (BEGIN IMMEDIATE on SQLite; PostgreSQL's writers' advisory lock).
  Status open();
  // Prepares the statements; a full run also clears every per-account result.
  Status begin(bool full);
  // Incremental runs: forget what was computed for this account before.
  Status clearAttribution(int64_t account);
  Status clearJourney(int64_t account);
  // Forgets only the spans still open at `after` or later; earlier ones cannot have changed.
  Status clearJourneyAfter(int64_t account, int64_t after);

  Status touch(Conversion c, int64_t account, int64_t opportunity, int64_t touchpoint, int64_t campaign, int channel,
               int64_t occurred_at, const std::array<double, kRuleModelCount>& shares, double amount);
  // One channel path (one char per step, an index into sdk::kChannels) of an account.
  Status path(int64_t account, Conversion c, const std::string& channels, double conversions, double value,
              double nulls);
  Status engagement(int64_t account, const Engagement& now, double previous_score);
  // Writes the spans that end after `after` (all of them by default) and the current stage.
  Status journey(int64_t account, const std::vector<StageSpan>& history, int64_t after = INT64_MIN);
  Status accountState(int64_t account, int64_t last_touch);

  // Rebuilds the global results, records the run, commits. Fills summary.conversions/unattributed.
  Status finish(MetricsSummary& summary, bool full, const std::string& settings_text);

 private:
  Status rollUpRuleModels();
  Status channelModels();
  Status conversions(MetricsSummary& summary);
  Status funnel();

  store::Database& db_;
  const MetricsSettings& s_;
  const int64_t as_of_;
  std::string as_of_text_;
  int64_t started_at_ = 0;
  store::Statement touch_, path_, engagement_, history_, stage_, state_, clear_touches_, clear_paths_,
      clear_history_, clear_history_after_;
};

}  // namespace abm::metrics
