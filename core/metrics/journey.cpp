#include "metrics/journey.hpp"

#include <algorithm>
#include <cfloat>
#include <climits>
#include <cmath>
#include <unordered_map>

namespace abm::metrics {

namespace {

std::vector<EngagementTouch>::const_iterator windowStart(const std::vector<EngagementTouch>& touches, int64_t at,
                                                         const MetricsSettings& s) {
  const int64_t window = static_cast<int64_t>(s.engagement_window_days) * 86400;
  return std::lower_bound(touches.begin(), touches.end(), at - window,
                          [](const EngagementTouch& t, int64_t v) { return t.time < v; });
}

}  // namespace

double engagementScore(const std::vector<EngagementTouch>& touches, int64_t at, const MetricsSettings& s) {
  const double h = s.engagement_half_life_days * 86400.0;
  double score = 0;
  for (auto it = windowStart(touches, at, s); it != touches.end() && it->time <= at; ++it)
    score += it->points * std::exp2(-static_cast<double>(at - it->time) / h);
  return score;
}

Engagement engagementAt(const std::vector<EngagementTouch>& touches, int64_t as_of, const MetricsSettings& s) {
  Engagement e;
  e.score = engagementScore(touches, as_of, s);
  std::vector<int64_t> contacts;
  uint32_t channels = 0;
  for (auto it = windowStart(touches, as_of, s); it != touches.end() && it->time <= as_of; ++it) {
    ++e.touchpoints;
    if (it->contact) contacts.push_back(it->contact);
    channels |= 1u << it->channel;
  }
  std::sort(contacts.begin(), contacts.end());
  e.engaged_contacts = std::unique(contacts.begin(), contacts.end()) - contacts.begin();
  e.channels = __builtin_popcount(channels);
  return e;
}

Stage stageOf(bool won, bool open_opportunity, double score, int64_t engaged_contacts, int64_t touchpoints,
              bool is_target, const MetricsSettings& s) {
  if (won) return Stage::Customer;
  if (open_opportunity) return Stage::Opportunity;
  if (score >= s.mqa_score || (score >= s.mqa_score_with_contacts && engaged_contacts >= s.mqa_min_contacts))
    return Stage::Mqa;
  if (score >= s.engaged_score) return Stage::Engaged;
  if (touchpoints > 0) return Stage::Aware;
  return is_target ? Stage::Target : Stage::Unaware;
}

namespace {

enum EventKind { kTouchExit, kTouchEntry, kOpportunityCreated, kOpportunityClosed };

struct Event {
  int64_t time;
  EventKind kind;
  size_t ref;
};

}  // namespace

std::vector<StageSpan> replayJourney(const std::vector<EngagementTouch>& touches,
                                     const std::vector<OpportunitySpan>& opportunities, bool is_target, int64_t start,
                                     int64_t as_of, const MetricsSettings& s) {
  const double h = s.engagement_half_life_days * 86400.0;
  const int64_t window = static_cast<int64_t>(s.engagement_window_days) * 86400;
  std::vector<Event> events;
  events.reserve(touches.size() * 2 + opportunities.size() * 2);
  for (size_t i = 0; i < touches.size(); ++i) {
    if (touches[i].time > as_of) continue;
    events.push_back({touches[i].time, kTouchEntry, i});
    // A touch counts while 0 <= age <= window: it is gone from the next whole second on.
    if (touches[i].time + window + 1 <= as_of) events.push_back({touches[i].time + window + 1, kTouchExit, i});
  }
  for (size_t i = 0; i < opportunities.size(); ++i) {
    if (opportunities[i].created <= as_of) events.push_back({opportunities[i].created, kOpportunityCreated, i});
    if (opportunities[i].closed <= as_of) events.push_back({opportunities[i].closed, kOpportunityClosed, i});
  }
  std::sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
    return a.time != b.time ? a.time < b.time : (a.kind != b.kind ? a.kind < b.kind : a.ref < b.ref);
  });

  // The running score follows the events cheaply, but each multiplication and addition rounds, so
  // it drifts from engagementScore() by a few ulps. Whenever it is within its error bound of a
  // threshold, the decision is taken on engagementScore() itself: the stage must agree with the
  // score account_engagement reports, also for a score exactly on a threshold.
  double score = 0;
  double mass = 0;  // the points entered since the window was last empty: bounds every term
  int64_t steps = 0;  // roundings since the running score was last exact
  int64_t cur = start, in_window = 0, engaged = 0, open = 0;
  bool won = false;
  std::unordered_map<int64_t, int> contact_touches;
  std::vector<StageSpan> spans;
  Stage current = stageOf(false, false, 0, 0, 0, is_target, s);
  int64_t entered = start;
  const double thresholds[] = {s.mqa_score, s.mqa_score_with_contacts, s.engaged_score};
  auto settleNearThreshold = [&](int64_t t) {
    const double bound = 8 * DBL_EPSILON * mass * static_cast<double>(steps + in_window + 2);
    for (const double threshold : thresholds)
      if (threshold > 0 && std::fabs(score - threshold) <= bound) {
        score = engagementScore(touches, t, s);
        steps = 0;
        return;
      }
  };
  auto evaluate = [&](int64_t t) {
    settleNearThreshold(t);
    const Stage st = stageOf(won, open > 0, score, engaged, in_window, is_target, s);
    if (st == current) return;
    if (t > entered) spans.push_back({current, entered, t});
    current = st;
    entered = std::max(entered, t);
  };
  // Lets the score decay until just before `until`, recording a stage change at the first whole
  // second below each threshold it crosses.
  auto decayUntil = [&](int64_t until) {
    while (score > 0) {
      int64_t next = INT64_MAX;
      for (const double threshold : {s.mqa_score, s.engaged_score,
                                     engaged >= s.mqa_min_contacts ? s.mqa_score_with_contacts : 0.0}) {
        if (threshold <= 0 || score < threshold) continue;
        const double crossing = static_cast<double>(cur) + h * std::log2(score / threshold);
        next = std::min(next, static_cast<int64_t>(std::floor(crossing)) + 1);
      }
      if (next >= until) break;
      score *= std::exp2(-static_cast<double>(next - cur) / h);
      ++steps;
      cur = next;
      evaluate(cur);
    }
    if (until > cur) {
      score *= std::exp2(-static_cast<double>(until - cur) / h);
      ++steps;
      cur = until;
    }
  };

  for (size_t i = 0; i < events.size();) {
    const int64_t t = events[i].time;
    decayUntil(t);
    for (; i < events.size() && events[i].time == t; ++i) {
      const Event& e = events[i];
      switch (e.kind) {
        case kTouchEntry: {
          const auto& tp = touches[e.ref];
          score += tp.points;
          mass += std::fabs(tp.points);
          ++steps;
          ++in_window;
          if (tp.contact && contact_touches[tp.contact]++ == 0) ++engaged;
          break;
        }
        case kTouchExit: {
          const auto& tp = touches[e.ref];
          score -= tp.points * std::exp2(-static_cast<double>(t - tp.time) / h);
          ++steps;
          --in_window;
          if (tp.contact && --contact_touches[tp.contact] == 0) --engaged;
          break;
        }
        case kOpportunityCreated: ++open; break;
        case kOpportunityClosed:
          --open;
          won = won || opportunities[e.ref].won;
          break;
      }
    }
    if (in_window == 0 || score < 0) score = 0;  // no rounding residue once the window is empty
    if (in_window == 0) mass = 0, steps = 0;
    evaluate(t);
  }
  // The stage as of as_of is decided on the very score account_engagement reports.
  decayUntil(as_of);
  score = engagementScore(touches, as_of, s);
  steps = 0;
  evaluate(as_of);
  spans.push_back({current, entered, INT64_MAX});
  return spans;
}

}  // namespace abm::metrics
