// Account engagement scores and the buying-stage journey replayed from the data
// (docs/metrics.md#engagement, docs/metrics.md#stages).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "metrics/metrics_settings.hpp"

namespace abm::metrics {

// One touchpoint as the engagement model sees it.
struct EngagementTouch {
  int64_t time;    // occurred_at, seconds
  double points;   // weight(activity) × quantity × role multiplier
  int64_t contact; // contact_id, 0 for none
  int channel;     // index into sdk::kChannels
};

struct Engagement {
  double score = 0;
  int64_t touchpoints = 0, engaged_contacts = 0, channels = 0;
};

// The score over the touches with 0 <= at − time <= window, summed in time order. The one
// computation of a score: engagementAt reports it and stage decisions near a threshold use it.
double engagementScore(const std::vector<EngagementTouch>& touches, int64_t at, const MetricsSettings& s);

// Score and counts over the touches with 0 <= as_of − time <= window. `touches` sorted by time.
Engagement engagementAt(const std::vector<EngagementTouch>& touches, int64_t as_of, const MetricsSettings& s);

enum class Stage { Unaware, Target, Aware, Engaged, Mqa, Opportunity, Customer };
constexpr std::string_view kStageNames[] = {"unaware", "target", "aware", "engaged", "mqa", "opportunity", "customer"};

struct OpportunitySpan {
  int64_t created;
  int64_t closed;  // INT64_MAX when still open
  bool won;
};

struct StageSpan {
  Stage stage;
  int64_t entered;
  int64_t exited;  // INT64_MAX for the current stage
};

// The stage an account is in, given what holds at one moment.
Stage stageOf(bool won, bool open_opportunity, double score, int64_t engaged_contacts, int64_t touchpoints,
              bool is_target, const MetricsSettings& s);

// Replays the account's stages from `start` to `as_of`: changes happen at touches (the score jumps),
// when a touch leaves the window, at opportunity creation and closing, and when decay takes the score
// below a threshold (at the first whole second below it). Zero-length spans are dropped.
std::vector<StageSpan> replayJourney(const std::vector<EngagementTouch>& touches,
                                     const std::vector<OpportunitySpan>& opportunities, bool is_target, int64_t start,
                                     int64_t as_of, const MetricsSettings& s);

}  // namespace abm::metrics
