#include "metrics/metrics_stage.hpp"

#include <abm/sdk/entities.hpp>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdio>
#include <map>
#include <unordered_map>

#include "common/timestamp.hpp"
#include "metrics/attribution_rules.hpp"
#include "metrics/journey.hpp"
#include "metrics/markov.hpp"
#include "metrics/metrics_output.hpp"
#include "store/sqlite.hpp"

namespace abm::metrics {

namespace {

using Clock = std::chrono::steady_clock;

int64_t ts(std::string_view text, int64_t fallback) {
  if (text.empty()) return fallback;
  auto t = parseTimestamp(text);
  return t ? *t : fallback;
}

struct Opportunity {
  int64_t id, account;
  double amount;
  int64_t created, closed;
  bool won;
};

struct Touch {
  int64_t id, time, contact, campaign;
  int channel, activity;
  double quantity;
};

// Computes one account at a time while the touchpoints stream by in account order.
class Computation {
 public:
  Computation(const MetricsSettings& s, int64_t as_of, MetricsOutput& out) : s_(s), as_of_(as_of), out_(out) {}

  Status load(store::Database& db);
  Status stream(store::Database& db);
  MetricsSummary summary;

 private:
  Status account(int64_t account_id, bool is_target, int64_t created, const std::vector<Touch>& touches);
  Status attribute(int64_t account_id, const std::vector<Touch>& touches);

  const MetricsSettings& s_;
  const int64_t as_of_;
  MetricsOutput& out_;
  std::vector<std::tuple<int64_t, bool, int64_t>> accounts_;  // id, is_target, created
  std::unordered_map<int64_t, int64_t> lead_created_;         // account -> earliest contact created_at
  std::unordered_map<int64_t, double> role_multiplier_;       // contact -> multiplier, when not 1
  std::vector<Opportunity> opportunities_;                    // by account, then id
  size_t next_opportunity_ = 0;
  Clock::duration t_attr_{}, t_eng_{}, t_journey_{};
};

Status Computation::load(store::Database& db) {
  auto a = db.prepare("SELECT account_id, is_target, created_at FROM accounts ORDER BY account_id");
  if (!a) return a.status();
  while (a->step()) accounts_.emplace_back(a->columnInt(0), a->columnInt(1) != 0, ts(a->columnView(2), as_of_));

  auto c = db.prepare("SELECT account_id, min(created_at) FROM contacts WHERE account_id IS NOT NULL GROUP BY account_id");
  if (!c) return c.status();
  while (c->step()) lead_created_[c->columnInt(0)] = ts(c->columnView(1), INT64_MAX);

  if (!s_.role_multipliers.empty()) {
    auto r = db.prepare("SELECT contact_id, buying_role FROM contacts WHERE buying_role IS NOT NULL");
    if (!r) return r.status();
    while (r->step()) {
      auto it = s_.role_multipliers.find(std::string(r->columnView(1)));
      if (it != s_.role_multipliers.end() && it->second != 1.0) role_multiplier_[r->columnInt(0)] = it->second;
    }
  }

  auto o = db.prepare(
      "SELECT opportunity_id, account_id, coalesce(amount, 0), created_at, closed_at, is_closed, is_won"
      " FROM opportunities WHERE account_id IS NOT NULL ORDER BY account_id, opportunity_id");
  if (!o) return o.status();
  while (o->step()) {
    Opportunity op{o->columnInt(0), o->columnInt(1), o->columnDouble(2), ts(o->columnView(3), INT64_MAX), INT64_MAX,
                   o->columnInt(6) != 0};
    if (o->columnInt(5) != 0) op.closed = ts(o->columnView(4), op.created);  // closed without a date: at creation
    opportunities_.push_back(op);
  }
  // Opportunities without an account are conversions with an empty path.
  auto orphan = db.prepare(
      "SELECT count(*), coalesce(sum(coalesce(amount, 0)), 0), coalesce(sum(is_won), 0),"
      " coalesce(sum(CASE WHEN is_won = 1 THEN coalesce(amount, 0) END), 0)"
      " FROM opportunities WHERE account_id IS NULL AND created_at <= ?1");
  if (!orphan) return orphan.status();
  orphan->bind(1, formatTimestamp(as_of_));
  if (orphan->step()) {
    out_.addUnattributed(kPipeline, orphan->columnInt(0), orphan->columnDouble(1));
    out_.addUnattributed(kRevenue, orphan->columnInt(2), orphan->columnDouble(3));
    summary.conversions += orphan->columnInt(0) + orphan->columnInt(2);
    summary.unattributed += orphan->columnInt(0) + orphan->columnInt(2);
  }
  return Status::ok();
}

Status Computation::stream(store::Database& db) {
  auto q = db.prepare(
      "SELECT account_id, touchpoint_id, occurred_at, channel, activity, quantity, coalesce(contact_id, 0),"
      " coalesce(campaign_id, 0) FROM touchpoints WHERE account_id IS NOT NULL AND occurred_at <= ?1"
      " ORDER BY account_id, occurred_at, touchpoint_id");
  if (!q) return q.status();
  q->bind(1, formatTimestamp(as_of_));
  std::vector<Touch> touches;
  size_t next_account = 0;
  bool have_row = q->step();
  while (next_account < accounts_.size()) {
    const auto [id, is_target, created] = accounts_[next_account++];
    touches.clear();
    while (have_row && q->columnInt(0) < id) have_row = q->step();  // touches of unknown accounts
    while (have_row && q->columnInt(0) == id) {
      Touch t;
      t.id = q->columnInt(1);
      t.time = ts(q->columnView(2), as_of_);
      t.channel = std::max(0, channelIndex(q->columnView(3)));
      t.activity = activityIndex(q->columnView(4));
      if (t.activity < 0) t.activity = activityIndex("other");
      t.quantity = q->columnDouble(5);
      t.contact = q->columnInt(6);
      t.campaign = q->columnInt(7);
      touches.push_back(std::move(t));
      have_row = q->step();
    }
    summary.touchpoints += static_cast<int64_t>(touches.size());
    if (auto s = account(id, is_target, created, touches); !s) return s;
  }
  if (!q->status().isOk()) return q->status();
  summary.accounts = static_cast<int64_t>(accounts_.size());
  summary.seconds_attribution = std::chrono::duration<double>(t_attr_).count();
  summary.seconds_engagement = std::chrono::duration<double>(t_eng_).count();
  summary.seconds_journey = std::chrono::duration<double>(t_journey_).count();
  return Status::ok();
}

Status Computation::account(int64_t account_id, bool is_target, int64_t created, const std::vector<Touch>& touches) {
  auto t0 = Clock::now();
  if (auto s = attribute(account_id, touches); !s) return s;
  auto t1 = Clock::now();
  std::vector<EngagementTouch> eng;
  eng.reserve(touches.size());
  for (const auto& t : touches) {
    double points = s_.activity_weights[static_cast<size_t>(t.activity)] * t.quantity;
    if (t.contact)
      if (auto it = role_multiplier_.find(t.contact); it != role_multiplier_.end()) points *= it->second;
    eng.push_back({t.time, points, t.contact, t.channel});
  }
  const Engagement now = engagementAt(eng, as_of_, s_);
  const Engagement prev = engagementAt(eng, as_of_ - static_cast<int64_t>(s_.engagement_window_days) * 86400, s_);
  if (auto s = out_.engagement(account_id, now, prev.score); !s) return s;
  auto t2 = Clock::now();

  std::vector<OpportunitySpan> spans;
  int64_t start = created;
  for (size_t i = next_opportunity_; i < opportunities_.size() && opportunities_[i].account == account_id; ++i) {
    spans.push_back({opportunities_[i].created, opportunities_[i].closed, opportunities_[i].won});
    start = std::min(start, opportunities_[i].created);
  }
  if (!touches.empty()) start = std::min(start, touches.front().time);
  start = std::min(start, as_of_);
  const auto history = replayJourney(eng, spans, is_target, start, as_of_, s_);
  if (auto s = out_.journey(account_id, is_target, history); !s) return s;
  while (next_opportunity_ < opportunities_.size() && opportunities_[next_opportunity_].account == account_id)
    ++next_opportunity_;
  auto t3 = Clock::now();
  t_attr_ += t1 - t0;
  t_eng_ += t2 - t1;
  t_journey_ += t3 - t2;
  return Status::ok();
}

Status Computation::attribute(int64_t account_id, const std::vector<Touch>& touches) {
  // Skip opportunities of accounts that no longer exist (stale ids): they stay unattributed.
  while (next_opportunity_ < opportunities_.size() && opportunities_[next_opportunity_].account < account_id)
    ++next_opportunity_;
  std::vector<const Touch*> attributable;
  for (const auto& t : touches)
    if (s_.attributable[static_cast<size_t>(t.activity)]) attributable.push_back(&t);
  std::vector<int64_t> all_times;
  for (const auto* t : attributable) all_times.push_back(t->time);

  const auto lead = lead_created_.find(account_id);
  const bool has_lead = lead != lead_created_.end();
  const int64_t lookback = static_cast<int64_t>(s_.lookback_days) * 86400;
  bool any_opportunity = false, any_won = false;
  std::vector<int64_t> times;
  std::vector<const Touch*> path;
  for (size_t i = next_opportunity_; i < opportunities_.size() && opportunities_[i].account == account_id; ++i) {
    const Opportunity& op = opportunities_[i];
    for (const Conversion conv : {kPipeline, kRevenue}) {
      const int64_t at = conv == kPipeline ? op.created : op.closed;
      if (conv == kRevenue && !op.won) continue;
      if (at > as_of_) continue;
      (conv == kPipeline ? any_opportunity : any_won) = true;
      ++summary.conversions;
      auto lo = std::lower_bound(all_times.begin(), all_times.end(), at - lookback);
      auto hi = std::upper_bound(all_times.begin(), all_times.end(), at);
      if (lo == hi) {
        ++summary.unattributed;
        out_.addUnattributed(conv, 1, op.amount);
        continue;
      }
      times.assign(lo, hi);
      path.assign(attributable.begin() + (lo - all_times.begin()), attributable.begin() + (hi - all_times.begin()));
      const Milestones m = findMilestones(times, has_lead ? lead->second : 0, has_lead, op.created);
      const auto shares = ruleShares(times, m, at, s_.time_decay_half_life_days);
      std::string channels;
      for (size_t k = 0; k < path.size(); ++k) {
        const Touch& t = *path[k];
        if (auto s = out_.touch(conv, op.id, t.id, t.campaign, t.channel, t.time, shares[k], op.amount); !s)
          return s;
        if (channels.empty() || channels.back() != static_cast<char>(t.channel))
          channels.push_back(static_cast<char>(t.channel));
      }
      summary.attribution_rows += static_cast<int64_t>(path.size());
      out_.convertingPath(conv, channels, op.amount);
    }
  }
  // Accounts that engaged but did not convert make the Markov chain's null paths.
  if (!attributable.empty() && (!any_opportunity || !any_won)) {
    std::string channels;
    for (const auto* t : attributable)
      if (channels.empty() || channels.back() != static_cast<char>(t->channel))
        channels.push_back(static_cast<char>(t->channel));
    if (!any_opportunity) out_.nullPath(kPipeline, channels);
    if (!any_won) out_.nullPath(kRevenue, channels);
  }
  return Status::ok();
}

}  // namespace

std::string MetricsSummary::describe() const {
  char buf[400];
  std::snprintf(buf, sizeof buf,
                "metrics as of %s: %lld accounts, %lld touchpoints, %lld conversions (%lld unattributed), "
                "%lld attribution rows in %.2fs (read+attribution %.2fs, engagement %.2fs, journey %.2fs, "
                "models+write %.2fs)",
                formatTimestamp(as_of).c_str(), static_cast<long long>(accounts), static_cast<long long>(touchpoints),
                static_cast<long long>(conversions), static_cast<long long>(unattributed),
                static_cast<long long>(attribution_rows), seconds_total, seconds_attribution + seconds_read,
                seconds_engagement, seconds_journey, seconds_models);
  return buf;
}

Result<MetricsSummary> runMetrics(const std::string& store_path, const MetricsSettings& settings, int64_t as_of) {
  const auto started = Clock::now();
  auto reader = store::Database::open(store_path, true);
  if (!reader) return reader.status();
  auto writer = store::Database::open(store_path);
  if (!writer) return writer.status();
  // The reader sees one snapshot of the store for the whole computation.
  if (auto s = reader->exec("BEGIN"); !s) return s;
  MetricsOutput out(*writer, settings, as_of);
  if (auto s = out.begin(); !s) return Status::error("metrics: " + s.message());
  Computation comp(settings, as_of, out);
  comp.summary.as_of = as_of;
  if (auto s = comp.load(*reader); !s) return Status::error("metrics: reading the store: " + s.message());
  const auto loaded = Clock::now();
  if (auto s = comp.stream(*reader); !s) return Status::error("metrics: " + s.message());
  reader->exec("COMMIT");
  const auto streamed = Clock::now();
  MetricsSummary summary = comp.summary;
  if (auto s = out.finish(summary); !s) return Status::error("metrics: writing results: " + s.message());
  const auto done = Clock::now();
  summary.seconds_read = std::chrono::duration<double>(loaded - started).count();
  summary.seconds_models = std::chrono::duration<double>(done - streamed).count();
  summary.seconds_total = std::chrono::duration<double>(done - started).count();
  return summary;
}

}  // namespace abm::metrics
