#include "metrics/metrics_output.hpp"

#include <abm/sdk/entities.hpp>

#include <algorithm>
#include <climits>

#include "common/timestamp.hpp"
#include "metrics/markov.hpp"
#include "metrics/metrics_stage.hpp"

namespace abm::metrics {

namespace {

constexpr const char* kTables[] = {"attribution_touches",   "attribution_channels", "attribution_campaigns",
                                   "attribution_conversions", "account_engagement",  "account_stage_history",
                                   "account_stages",        "journey_funnel"};

// Funnel positions of the stages a target account can pass through; -1 for unaware.
int funnelPosition(Stage s) { return static_cast<int>(s) - 1; }

}  // namespace

Status MetricsOutput::begin() {
  as_of_text_ = formatTimestamp(as_of_);
  started_at_ = nowEpochSeconds();
  if (auto s = db_.exec("BEGIN IMMEDIATE"); !s) return s;
  for (const char* t : kTables)
    if (auto s = db_.exec(std::string("DELETE FROM ") + t); !s) return s;
  struct {
    store::Statement* target;
    const char* sql;
  } const stmts[] = {
      {&touch_,
       "INSERT INTO attribution_touches(conversion, opportunity_id, touchpoint_id, campaign_id, channel, occurred_at,"
       " first_touch, last_touch, linear, time_decay, position_based, u_shaped, w_shaped, full_path, j_shaped,"
       " inverse_j) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)"},
      {&engagement_,
       "INSERT INTO account_engagement(account_id, as_of, score, touchpoints, engaged_contacts, channels,"
       " score_prev_window) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)"},
      {&history_, "INSERT INTO account_stage_history(account_id, stage, entered_at, exited_at) VALUES(?1, ?2, ?3, ?4)"},
      {&stage_, "INSERT INTO account_stages(account_id, stage, since) VALUES(?1, ?2, ?3)"},
  };
  for (const auto& st : stmts) {
    auto p = db_.prepare(st.sql);
    if (!p) return p.status();
    *st.target = std::move(*p);
  }
  return Status::ok();
}

Status MetricsOutput::touch(Conversion c, int64_t opportunity, int64_t touchpoint, int64_t campaign, int channel,
                            int64_t occurred_at, const std::array<double, kRuleModelCount>& shares,
                            double amount) {
  char when[20];
  formatTimestamp(occurred_at, when);
  touch_.bindStatic(1, kConversionNames[c]);
  touch_.bind(2, opportunity);
  touch_.bind(3, touchpoint);
  if (campaign) touch_.bind(4, campaign);
  else touch_.bindNull(4);
  touch_.bindStatic(5, sdk::kChannels[static_cast<size_t>(channel)]);
  touch_.bind(6, std::string_view(when, 20));
  for (size_t m = 0; m < kRuleModelCount; ++m) touch_.bind(static_cast<int>(7 + m), shares[m]);
  if (auto s = touch_.run(); !s) return s;
  auto& by_campaign = campaign_sums_[c][campaign];
  for (size_t m = 0; m < kRuleModelCount; ++m) {
    Sum& ch = channel_sums_[c][m][static_cast<size_t>(channel)];
    ch.conversions += shares[m];
    ch.value += shares[m] * amount;
    by_campaign[m].conversions += shares[m];
    by_campaign[m].value += shares[m] * amount;
  }
  return Status::ok();
}

void MetricsOutput::addUnattributed(Conversion c, int64_t count, double value) {
  conversions_[c] += count;
  value_[c] += value;
}

void MetricsOutput::convertingPath(Conversion c, const std::string& channels, double value) {
  auto& p = paths_[c][channels];
  p.conversions += 1;
  p.value += value;
  ++conversions_[c];
  ++attributed_[c];
  value_[c] += value;
  attributed_value_[c] += value;
}

void MetricsOutput::nullPath(Conversion c, const std::string& channels) { paths_[c][channels].nulls += 1; }

Status MetricsOutput::engagement(int64_t account, const Engagement& now, double previous_score) {
  engagement_.bind(1, account);
  engagement_.bindStatic(2, as_of_text_);
  engagement_.bind(3, now.score);
  engagement_.bind(4, now.touchpoints);
  engagement_.bind(5, now.engaged_contacts);
  engagement_.bind(6, now.channels);
  engagement_.bind(7, previous_score);
  return engagement_.run();
}

Status MetricsOutput::journey(int64_t account, bool is_target, const std::vector<StageSpan>& history) {
  for (const auto& span : history) {
    history_.bind(1, account);
    history_.bindStatic(2, kStageNames[static_cast<size_t>(span.stage)]);
    history_.bind(3, formatTimestamp(span.entered));
    if (span.exited == INT64_MAX) history_.bindNull(4);
    else history_.bind(4, formatTimestamp(span.exited));
    if (auto s = history_.run(); !s) return s;
  }
  const StageSpan& now = history.back();
  stage_.bind(1, account);
  stage_.bindStatic(2, kStageNames[static_cast<size_t>(now.stage)]);
  stage_.bind(3, formatTimestamp(now.entered));
  if (auto s = stage_.run(); !s) return s;

  if (!is_target) return Status::ok();
  // Every target account starts in "target"; then each stage's first entry, and the first entry into
  // any later stage after it.
  std::array<int64_t, 6> first{};
  first.fill(INT64_MAX);
  first[0] = history.front().entered;
  for (const auto& span : history) {
    const int pos = funnelPosition(span.stage);
    if (pos >= 0) first[static_cast<size_t>(pos)] = std::min(first[static_cast<size_t>(pos)], span.entered);
  }
  for (size_t pos = 0; pos < first.size(); ++pos) {
    if (first[pos] == INT64_MAX) continue;
    ++entered_[pos];
    int64_t next = INT64_MAX;
    for (const auto& span : history)
      if (funnelPosition(span.stage) > static_cast<int>(pos) && span.entered >= first[pos])
        next = std::min(next, span.entered);
    if (next != INT64_MAX) days_to_next_[pos].push_back(static_cast<double>(next - first[pos]) / 86400.0);
  }
  return Status::ok();
}

Status MetricsOutput::writeChannelModels() {
  auto ch = db_.prepare("INSERT INTO attribution_channels(model, conversion, channel, conversions, value) VALUES(?1, ?2, ?3, ?4, ?5)");
  auto cp = db_.prepare("INSERT INTO attribution_campaigns(model, conversion, campaign_id, conversions, value) VALUES(?1, ?2, ?3, ?4, ?5)");
  if (!ch) return ch.status();
  if (!cp) return cp.status();
  auto put = [&](const std::string& model, int conv, const std::string& channel, double n, double v) {
    ch->bind(1, model);
    ch->bindStatic(2, kConversionNames[conv]);
    ch->bind(3, channel);
    ch->bind(4, n);
    ch->bind(5, v);
    return ch->run();
  };
  for (int c = 0; c < 2; ++c) {
    for (size_t m = 0; m < kRuleModelCount; ++m)
      for (size_t k = 0; k < 7; ++k) {
        const Sum& s = channel_sums_[static_cast<size_t>(c)][m][k];
        if (s.conversions == 0 && s.value == 0) continue;
        if (auto st = put(std::string(kRuleModelNames[m]), c, std::string(sdk::kChannels[k]), s.conversions, s.value); !st)
          return st;
      }
    for (const auto& [campaign, sums] : campaign_sums_[static_cast<size_t>(c)])
      for (size_t m = 0; m < kRuleModelCount; ++m) {
        cp->bind(1, std::string(kRuleModelNames[m]));
        cp->bindStatic(2, kConversionNames[c]);
        if (campaign) cp->bind(3, campaign);
        else cp->bindNull(3);
        cp->bind(4, sums[m].conversions);
        cp->bind(5, sums[m].value);
        if (auto st = cp->run(); !st) return st;
      }
    std::vector<ChannelPath> paths;
    for (const auto& [channels, count] : paths_[static_cast<size_t>(c)]) {
      ChannelPath p;
      for (char k : channels) p.channels.emplace_back(sdk::kChannels[static_cast<size_t>(k)]);
      p.conversions = count.conversions;
      p.value = count.value;
      p.nulls = count.nulls;
      paths.push_back(std::move(p));
    }
    for (const auto& [channel, credit] : markovCredits(paths, s_.markov_order))
      if (auto st = put("markov", c, channel, credit.conversions, credit.value); !st) return st;
    for (const auto& [channel, credit] : shapleyCredits(paths))
      if (auto st = put("shapley", c, channel, credit.conversions, credit.value); !st) return st;
  }
  auto conv = db_.prepare("INSERT INTO attribution_conversions(conversion, conversions, attributed, unattributed, value,"
                          " attributed_value) VALUES(?1, ?2, ?3, ?4, ?5, ?6)");
  if (!conv) return conv.status();
  for (int c = 0; c < 2; ++c) {
    conv->bindStatic(1, kConversionNames[c]);
    conv->bind(2, conversions_[static_cast<size_t>(c)]);
    conv->bind(3, attributed_[static_cast<size_t>(c)]);
    conv->bind(4, conversions_[static_cast<size_t>(c)] - attributed_[static_cast<size_t>(c)]);
    conv->bind(5, value_[static_cast<size_t>(c)]);
    conv->bind(6, attributed_value_[static_cast<size_t>(c)]);
    if (auto st = conv->run(); !st) return st;
  }
  return Status::ok();
}

Status MetricsOutput::writeFunnel() {
  auto f = db_.prepare("INSERT INTO journey_funnel(stage, position, accounts_entered, accounts_reached_next,"
                       " conversion_rate, median_days_to_next) VALUES(?1, ?2, ?3, ?4, ?5, ?6)");
  if (!f) return f.status();
  for (size_t pos = 0; pos < entered_.size(); ++pos) {
    auto& days = days_to_next_[pos];
    std::sort(days.begin(), days.end());
    const bool last = pos + 1 == entered_.size();
    f->bindStatic(1, kStageNames[pos + 1]);
    f->bind(2, static_cast<int64_t>(pos + 1));
    f->bind(3, entered_[pos]);
    f->bind(4, static_cast<int64_t>(days.size()));
    if (last || entered_[pos] == 0) f->bindNull(5);
    else f->bind(5, static_cast<double>(days.size()) / static_cast<double>(entered_[pos]));
    if (days.empty()) f->bindNull(6);
    else {
      const size_t n = days.size();
      f->bind(6, n % 2 ? days[n / 2] : (days[n / 2 - 1] + days[n / 2]) / 2);
    }
    if (auto s = f->run(); !s) return s;
  }
  return Status::ok();
}

Status MetricsOutput::finish(const MetricsSummary& summary) {
  if (auto s = writeChannelModels(); !s) return s;
  if (auto s = writeFunnel(); !s) return s;
  auto run = db_.prepare("INSERT INTO metrics_runs(as_of, started_at, finished_at, accounts, touchpoints, conversions,"
                         " unattributed, seconds) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  if (!run) return run.status();
  run->bind(1, as_of_text_);
  run->bind(2, formatTimestamp(started_at_));
  run->bind(3, formatTimestamp(nowEpochSeconds()));
  run->bind(4, summary.accounts);
  run->bind(5, summary.touchpoints);
  run->bind(6, summary.conversions);
  run->bind(7, summary.unattributed);
  run->bind(8, static_cast<double>(nowEpochSeconds() - started_at_));
  if (auto s = run->run(); !s) return s;
  return db_.exec("COMMIT");
}

}  // namespace abm::metrics
