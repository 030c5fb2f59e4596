#include "metrics/metrics_output.hpp"

#include <abm/sdk/entities.hpp>

#include <algorithm>
#include <climits>
#include <map>

#include "common/timestamp.hpp"
#include "metrics/campaign_performance_store.hpp"
#include "metrics/kpis_run.hpp"
#include "metrics/markov.hpp"
#include "metrics/metrics_stage.hpp"
#include "store/db_clock.hpp"

namespace abm::metrics {

namespace {

constexpr const char* kAccountTables[] = {"attribution_touches",  "metrics_account_paths",  "account_engagement",
                                          "account_stage_history", "account_stages",        "metrics_account_state"};
constexpr const char* kGlobalTables[] = {"attribution_channels", "attribution_campaigns", "attribution_conversions",
                                         "journey_funnel"};

// Funnel positions of the stages a target account passes through; -1 for unaware.
int funnelPosition(Stage s) { return static_cast<int>(s) - 1; }

Stage stageFromName(std::string_view name) {
  for (size_t i = 0; i < std::size(kStageNames); ++i)
    if (kStageNames[i] == name) return static_cast<Stage>(i);
  return Stage::Unaware;
}

}  // namespace

MetricsOutput::MetricsOutput(store::Database& db, const MetricsSettings& s, int64_t as_of)
    : db_(db),
      s_(s),
      as_of_(as_of),
      as_of_text_(formatTimestamp(as_of)),
      touch_(db, "attribution_touches",
             {"conversion", "account_id", "opportunity_id", "touchpoint_id", "campaign_id", "channel", "occurred_at",
              "first_touch", "last_touch", "linear", "time_decay", "position_based", "u_shaped", "w_shaped",
              "full_path", "j_shaped", "inverse_j", "amount"}),
      path_(db, "metrics_account_paths", {"account_id", "conversion", "channels", "conversions", "value", "nulls"}),
      engagement_(db, "account_engagement",
                  {"account_id", "as_of", "score", "touchpoints", "engaged_contacts", "channels", "score_prev_window"},
                  "account_id"),
      history_(db, "account_stage_history", {"account_id", "stage", "entered_at", "exited_at"}),
      stage_(db, "account_stages", {"account_id", "stage", "since"}, "account_id"),
      state_(db, "metrics_account_state", {"account_id", "last_touch_at"}, "account_id") {}

Status MetricsOutput::clearShard(int shard, int shards) {
  // One shard is every account: a plain DELETE, which SQLite empties a table with fastest.
  const std::string which =
      shards == 1 ? "" : " WHERE account_id % " + std::to_string(shards) + " = " + std::to_string(shard);
  for (const char* t : kAccountTables)
    if (auto s = db_.exec(std::string("DELETE FROM ") + t + which); !s) return s;
  return Status::ok();
}

Status MetricsOutput::prepare() {
  for (store::BulkInsert* rows : {&touch_, &path_, &engagement_, &history_, &stage_, &state_})
    if (auto s = rows->prepare(); !s) return s;
  return store::prepareAll(db_, {
      {&clear_touches_, "DELETE FROM attribution_touches WHERE account_id = ?1"},
      {&clear_paths_, "DELETE FROM metrics_account_paths WHERE account_id = ?1"},
      {&clear_history_, "DELETE FROM account_stage_history WHERE account_id = ?1"},
      {&clear_history_after_,
       "DELETE FROM account_stage_history WHERE account_id = ?1 AND (exited_at IS NULL OR exited_at > ?2)"},
  });
}

Status MetricsOutput::flush() {
  for (store::BulkInsert* rows : {&touch_, &path_, &engagement_, &history_, &stage_, &state_})
    if (auto s = rows->flush(); !s) return s;
  return Status::ok();
}

Status MetricsOutput::clearAttribution(int64_t account) {
  clear_touches_.bind(1, account);
  if (auto s = clear_touches_.run(); !s) return s;
  clear_paths_.bind(1, account);
  return clear_paths_.run();
}

Status MetricsOutput::clearJourney(int64_t account) {
  clear_history_.bind(1, account);
  return clear_history_.run();
}

Status MetricsOutput::clearJourneyAfter(int64_t account, int64_t after) {
  clear_history_after_.bind(1, account);
  clear_history_after_.bind(2, formatTimestamp(after));
  return clear_history_after_.run();
}

Status MetricsOutput::touch(Conversion c, int64_t account, int64_t opportunity, int64_t touchpoint, int64_t campaign,
                            int channel, int64_t occurred_at, const std::array<double, kRuleModelCount>& shares,
                            double amount) {
  char when[20];
  formatTimestamp(occurred_at, when);
  touch_.addStatic(kConversionNames[c]).add(account).add(opportunity).add(touchpoint);
  if (campaign) touch_.add(campaign);
  else touch_.addNull();
  touch_.addStatic(sdk::kChannels[static_cast<size_t>(channel)]).add(std::string_view(when, 20));
  for (size_t m = 0; m < kRuleModelCount; ++m) touch_.add(shares[m]);
  return touch_.add(amount).endRow();
}

Status MetricsOutput::path(int64_t account, Conversion c, const std::string& channels, double conversions, double value,
                           double nulls) {
  std::string text;
  for (char k : channels) {
    if (!text.empty()) text.push_back('>');
    text += sdk::kChannels[static_cast<size_t>(k)];
  }
  return path_.add(account).addStatic(kConversionNames[c]).add(text).add(conversions).add(value).add(nulls).endRow();
}

Status MetricsOutput::engagement(int64_t account, const Engagement& now, double previous_score) {
  return engagement_.add(account)
      .addStatic(as_of_text_)
      .add(now.score)
      .add(static_cast<int64_t>(now.touchpoints))
      .add(static_cast<int64_t>(now.engaged_contacts))
      .add(static_cast<int64_t>(now.channels))
      .add(previous_score)
      .endRow();
}

Status MetricsOutput::journey(int64_t account, const std::vector<StageSpan>& history, int64_t after) {
  for (const auto& span : history) {
    if (span.exited <= after) continue;
    history_.add(account).addStatic(kStageNames[static_cast<size_t>(span.stage)]).add(formatTimestamp(span.entered));
    if (span.exited == INT64_MAX) history_.addNull();
    else history_.add(formatTimestamp(span.exited));
    if (auto s = history_.endRow(); !s) return s;
  }
  const StageSpan& now = history.back();
  return stage_.add(account)
      .addStatic(kStageNames[static_cast<size_t>(now.stage)])
      .add(formatTimestamp(now.entered))
      .endRow();
}

Status MetricsOutput::accountState(int64_t account, int64_t last_touch) {
  state_.add(account);
  if (last_touch == INT64_MIN) state_.addNull();
  else state_.add(formatTimestamp(last_touch));
  return state_.endRow();
}

// Channel and campaign totals of the rule-based models, from every kept attribution row.
Status MetricsOutput::rollUpRuleModels() {
  struct Sum {
    double conversions = 0, value = 0;
  };
  std::array<std::array<std::array<Sum, 7>, kRuleModelCount>, 2> channels{};
  std::array<std::map<int64_t, std::array<Sum, kRuleModelCount>>, 2> campaigns;
  auto q = db_.prepare(
      "SELECT conversion, channel, coalesce(campaign_id, 0), amount, first_touch, last_touch, linear, time_decay,"
      " position_based, u_shaped, w_shaped, full_path, j_shaped, inverse_j FROM attribution_touches"
      // Straight off the index, and the same order whichever run wrote the rows: an account's rows
      // are written together in a fixed order, so the sums come out the same to the last bit.
      " ORDER BY account_id, rowid");
  if (!q) return q.status();
  while (q->step() == store::Statement::Step::Row) {
    const size_t c = q->columnView(0) == "revenue" ? 1 : 0;
    const size_t ch = static_cast<size_t>(std::max(0, channelIndex(q->columnView(1))));
    auto& by_campaign = campaigns[c][q->columnInt(2)];
    const double amount = q->columnDouble(3);
    for (size_t m = 0; m < kRuleModelCount; ++m) {
      const double share = q->columnDouble(static_cast<int>(4 + m));
      channels[c][m][ch].conversions += share;
      channels[c][m][ch].value += share * amount;
      by_campaign[m].conversions += share;
      by_campaign[m].value += share * amount;
    }
  }
  if (auto s = q->status(); !s) return Status::error("reading attribution_touches: " + s.message());
  auto ch = db_.prepare("INSERT INTO attribution_channels(model, conversion, channel, conversions, value) VALUES(?1, ?2, ?3, ?4, ?5)");
  auto cp = db_.prepare("INSERT INTO attribution_campaigns(model, conversion, campaign_id, conversions, value) VALUES(?1, ?2, ?3, ?4, ?5)");
  if (!ch) return ch.status();
  if (!cp) return cp.status();
  for (size_t c = 0; c < 2; ++c) {
    for (size_t m = 0; m < kRuleModelCount; ++m)
      for (size_t k = 0; k < 7; ++k) {
        const Sum& s = channels[c][m][k];
        if (s.conversions == 0 && s.value == 0) continue;
        ch->bind(1, std::string(kRuleModelNames[m]));
        ch->bindStatic(2, kConversionNames[c]);
        ch->bind(3, std::string(sdk::kChannels[k]));
        ch->bind(4, s.conversions);
        ch->bind(5, s.value);
        if (auto st = ch->run(); !st) return st;
      }
    for (const auto& [campaign, sums] : campaigns[c])
      for (size_t m = 0; m < kRuleModelCount; ++m) {
        cp->bind(1, std::string(kRuleModelNames[m]));
        cp->bindStatic(2, kConversionNames[c]);
        if (campaign) cp->bind(3, campaign);
        else cp->bindNull(3);
        cp->bind(4, sums[m].conversions);
        cp->bind(5, sums[m].value);
        if (auto st = cp->run(); !st) return st;
      }
  }
  return Status::ok();
}

// Markov and Shapley credits from every account's channel paths.
Status MetricsOutput::channelModels() {
  std::array<std::map<std::string, ChannelPath>, 2> paths;
  auto q = db_.prepare("SELECT conversion, channels, conversions, value, nulls FROM metrics_account_paths"
                       " ORDER BY account_id, rowid");
  if (!q) return q.status();
  std::string ids;
  while (q->step() == store::Statement::Step::Row) {
    // "web>email>web" back to channel ids
    ids.clear();
    const std::string_view text = q->columnView(1);
    for (size_t start = 0; start < text.size();) {
      const size_t end = std::min(text.find('>', start), text.size());
      ids.push_back(static_cast<char>(std::max(0, channelIndex(text.substr(start, end - start)))));
      start = end + 1;
    }
    auto& p = paths[q->columnView(0) == "revenue" ? 1 : 0][ids];
    p.conversions += q->columnDouble(2);
    p.value += q->columnDouble(3);
    p.nulls += q->columnDouble(4);
  }
  if (auto s = q->status(); !s) return Status::error("reading metrics_account_paths: " + s.message());
  auto ch = db_.prepare("INSERT INTO attribution_channels(model, conversion, channel, conversions, value) VALUES(?1, ?2, ?3, ?4, ?5)");
  if (!ch) return ch.status();
  for (size_t c = 0; c < 2; ++c) {
    std::vector<ChannelPath> list;
    list.reserve(paths[c].size());
    for (auto& [key, p] : paths[c]) {
      p.channels = key;
      list.push_back(std::move(p));
    }
    paths[c].clear();
    for (const auto& [model, credits] :
         {std::pair{"markov", markovCredits(list, s_.markov_order)}, std::pair{"shapley", shapleyCredits(list)}})
      for (const auto& [channel, credit] : credits) {
        ch->bindStatic(1, model);
        ch->bindStatic(2, kConversionNames[c]);
        ch->bindStatic(3, sdk::kChannels[channel]);
        ch->bind(4, credit.conversions);
        ch->bind(5, credit.value);
        if (auto st = ch->run(); !st) return st;
      }
  }
  return Status::ok();
}

// Every opportunity up to as_of is a conversion; the attributed ones are those with a path. The sums
// are taken here, in a fixed order: SQL's total() adds in table order, which an incremental run
// changes, and the last bits of the sum with it.
Status MetricsOutput::conversions(MetricsSummary& summary) {
  struct Totals {
    int64_t count = 0;
    double value = 0, attributed = 0, attributed_value = 0;
  };
  std::array<Totals, 2> totals{};
  auto o = db_.prepare("SELECT created_at <= ?1, is_won AND coalesce(closed_at, created_at) <= ?1,"
                       " coalesce(amount, 0) FROM opportunities ORDER BY opportunity_id");
  if (!o) return o.status();
  o->bind(1, as_of_text_);
  while (o->step() == store::Statement::Step::Row)
    for (const Conversion c : {kPipeline, kRevenue})
      if (o->columnInt(c) != 0) {
        ++totals[c].count;
        totals[c].value += o->columnDouble(2);
      }
  if (!o->status().isOk()) return o->status();
  auto p = db_.prepare("SELECT conversion = 'revenue', conversions, value FROM metrics_account_paths"
                       " ORDER BY account_id, rowid");
  if (!p) return p.status();
  while (p->step() == store::Statement::Step::Row) {
    Totals& t = totals[p->columnInt(0) != 0 ? kRevenue : kPipeline];
    t.attributed += p->columnDouble(1);
    t.attributed_value += p->columnDouble(2);
  }
  if (!p->status().isOk()) return p->status();
  auto ins = db_.prepare("INSERT INTO attribution_conversions(conversion, conversions, attributed, unattributed, value,"
                         " attributed_value) VALUES(?1, ?2, ?3, ?4, ?5, ?6)");
  if (!ins) return ins.status();
  summary.conversions = summary.unattributed = 0;
  for (const Conversion c : {kPipeline, kRevenue}) {
    const Totals& t = totals[c];
    const auto attributed = static_cast<int64_t>(t.attributed);
    ins->bindStatic(1, kConversionNames[c]);
    ins->bind(2, t.count);
    ins->bind(3, attributed);
    ins->bind(4, t.count - attributed);
    ins->bind(5, t.value);
    ins->bind(6, t.attributed_value);
    if (auto s = ins->run(); !s) return s;
    summary.conversions += t.count;
    summary.unattributed += t.count - attributed;
  }
  return Status::ok();
}

// Over target accounts: each stage's first entry, and the first entry into any later stage after it.
Status MetricsOutput::funnel() {
  std::array<int64_t, 6> entered{};
  std::array<std::vector<double>, 6> days;
  auto q = db_.prepare(
      "SELECT h.account_id, h.stage, h.entered_at FROM account_stage_history h JOIN account_targeting a USING (account_id)"
      " WHERE a.is_target ORDER BY h.account_id, h.entered_at, h.rowid");
  if (!q) return q.status();
  std::vector<std::pair<Stage, int64_t>> spans;
  auto account = [&] {
    if (spans.empty()) return;
    std::array<int64_t, 6> first{};
    first.fill(INT64_MAX);
    first[0] = spans.front().second;  // every target account starts in "target"
    for (const auto& [stage, t] : spans) {
      const int pos = funnelPosition(stage);
      if (pos >= 0) first[static_cast<size_t>(pos)] = std::min(first[static_cast<size_t>(pos)], t);
    }
    for (size_t pos = 0; pos < first.size(); ++pos) {
      if (first[pos] == INT64_MAX) continue;
      ++entered[pos];
      int64_t next = INT64_MAX;
      for (const auto& [stage, t] : spans)
        if (funnelPosition(stage) > static_cast<int>(pos) && t >= first[pos]) next = std::min(next, t);
      if (next != INT64_MAX) days[pos].push_back(static_cast<double>(next - first[pos]) / 86400.0);
    }
    spans.clear();
  };
  int64_t current = -1;
  while (q->step() == store::Statement::Step::Row) {
    if (q->columnInt(0) != current) {
      account();
      current = q->columnInt(0);
    }
    spans.emplace_back(stageFromName(q->columnView(1)), *parseTimestamp(q->columnView(2)));
  }
  if (auto s = q->status(); !s) return Status::error("reading account_stage_history: " + s.message());
  account();
  auto f = db_.prepare("INSERT INTO journey_funnel(stage, position, accounts_entered, accounts_reached_next,"
                       " conversion_rate, median_days_to_next) VALUES(?1, ?2, ?3, ?4, ?5, ?6)");
  if (!f) return f.status();
  for (size_t pos = 0; pos < entered.size(); ++pos) {
    auto& d = days[pos];
    std::sort(d.begin(), d.end());
    f->bindStatic(1, kStageNames[pos + 1]);
    f->bind(2, static_cast<int64_t>(pos + 1));
    f->bind(3, entered[pos]);
    f->bind(4, static_cast<int64_t>(d.size()));
    if (pos + 1 == entered.size() || entered[pos] == 0) f->bindNull(5);
    else f->bind(5, static_cast<double>(d.size()) / static_cast<double>(entered[pos]));
    if (d.empty()) f->bindNull(6);
    else f->bind(6, d.size() % 2 ? d[d.size() / 2] : (d[d.size() / 2 - 1] + d[d.size() / 2]) / 2);
    if (auto s = f->run(); !s) return s;
  }
  return Status::ok();
}

Status MetricsOutput::rollUp(MetricsSummary& summary) {
  for (const char* t : kGlobalTables)
    if (auto s = db_.exec(std::string("DELETE FROM ") + t); !s) return s;
  // Accounts an incremental run left alone keep their rows; only the date moves on.
  auto refresh = db_.prepare("UPDATE account_engagement SET as_of = ?1 WHERE as_of != ?1");
  if (!refresh) return refresh.status();
  refresh->bind(1, as_of_text_);
  if (auto s = refresh->run(); !s) return s;
  if (auto s = rollUpRuleModels(); !s) return s;
  if (auto s = channelModels(); !s) return s;
  if (auto s = conversions(summary); !s) return s;
  if (auto s = writeCampaignPerformance(db_, s_, as_of_); !s) return s;
  if (auto s = funnel(); !s) return s;
  return runKpis(db_, s_, as_of_);
}

Status MetricsOutput::recordRun(const MetricsSummary& summary, const std::string& settings_text,
                                const std::string& started_at) {
  auto now = store::databaseNow(db_);
  if (!now) return now.status();
  const auto started = parseTimestamp(started_at);
  auto run = db_.prepare(
      "INSERT INTO metrics_runs(as_of, started_at, finished_at, mode, settings, accounts, accounts_recomputed,"
      " touchpoints, conversions, unattributed, seconds) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
  if (!run) return run.status();
  run->bind(1, as_of_text_);
  run->bind(2, started_at);
  run->bind(3, formatTimestamp(*now));
  run->bindStatic(4, summary.full ? "full" : "incremental");
  run->bind(5, settings_text);
  run->bind(6, summary.accounts);
  run->bind(7, summary.accounts_recomputed);
  run->bind(8, summary.touchpoints);
  run->bind(9, summary.conversions);
  run->bind(10, summary.unattributed);
  run->bind(11, static_cast<double>(started ? *now - *started : 0));
  return run->run();
}

}  // namespace abm::metrics
