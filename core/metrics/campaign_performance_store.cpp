#include "metrics/campaign_performance_store.hpp"

#include <abm/sdk/entities.hpp>

#include <algorithm>
#include <unordered_map>

#include "common/timestamp.hpp"
#include "metrics/attribution_rules.hpp"
#include "store/bulk_insert.hpp"

namespace abm::metrics {

namespace {

using Row = store::Step;

int64_t ts(std::string_view text, int64_t fallback) {
  auto t = parseTimestamp(text);
  return t ? *t : fallback;
}

Status failed(const char* what, const Status& s) {
  return Status::error(std::string("campaign performance: cannot read ") + what + ": " + s.message());
}

struct Opportunity {
  int64_t account = 0, created = 0, closed = INT64_MAX;  // closed: when won, else INT64_MAX
  double amount = 0;
};

class Loader {
 public:
  Loader(store::Database& db, const MetricsSettings& s, int64_t as_of)
      : db_(db), as_of_(as_of), lookback_seconds_(int64_t{s.lookback_days} * 86400),
        kpi_model_(static_cast<size_t>(s.kpi_model)),
        table_(as_of, s.lookback_days, s.other_costs) {}

  Result<std::vector<CampaignPerformanceRow>> run() {
    for (auto step : {&Loader::campaigns, &Loader::opportunities, &Loader::touchpoints, &Loader::spend,
                      &Loader::credits})
      if (auto s = (this->*step)(); !s) return s;
    return table_.rows();
  }

 private:
  Status campaigns() {
    auto q = db_.prepare("SELECT campaign_id, channel FROM campaigns ORDER BY campaign_id");
    if (!q) return q.status();
    while (q->step() == Row::Row) table_.addCampaign(q->columnInt(0), q->isNull(1) ? -1 : channelIndex(q->columnView(1)));
    if (auto s = q->status(); !s) return failed("campaigns", s);
    return Status::ok();
  }

  // Every opportunity up to as_of, as the attribution sees it: a won deal without closed_at is
  // dated at its creation.
  Status opportunities() {
    auto q = db_.prepare(
        "SELECT opportunity_id, account_id, coalesce(amount, 0), created_at, closed_at, is_won FROM opportunities"
        " WHERE account_id IS NOT NULL ORDER BY account_id, opportunity_id");
    if (!q) return q.status();
    std::vector<WonDeal> won;
    while (q->step() == Row::Row) {
      Opportunity o;
      o.account = q->columnInt(1);
      o.amount = q->columnDouble(2);
      o.created = ts(q->columnView(3), INT64_MAX);
      if (o.created > as_of_) continue;
      if (q->columnInt(5) != 0) o.closed = q->isNull(4) ? o.created : ts(q->columnView(4), o.created);
      if (o.closed <= as_of_) won.push_back({o.account, q->columnInt(0), o.closed});
      by_account_[o.account].push_back({o.created, o.amount});
      opportunities_.emplace(q->columnInt(0), o);
    }
    if (auto s = q->status(); !s) return failed("opportunities", s);
    first_wins_ = firstWonDeals(std::move(won));
    return Status::ok();
  }

  // One account's touchpoints at a time, in time order: memory for one account, not for all.
  Status touchpoints() {
    // Only touches a period or a lookback before a deal of one can see.
    int64_t earliest = as_of_;
    for (const auto& p : table_.periods()) earliest = std::min(earliest, p.start - lookback_seconds_);
    auto q = db_.prepare(
        "SELECT account_id, occurred_at, channel, activity, coalesce(campaign_id, 0) FROM touchpoints"
        " WHERE account_id IS NOT NULL AND occurred_at >= ?1 AND occurred_at <= ?2"
        " ORDER BY account_id, occurred_at, touchpoint_id");
    if (!q) return q.status();
    q->bind(1, formatTimestamp(earliest));
    q->bind(2, formatTimestamp(as_of_));
    std::vector<CampaignTouch> touches;
    const std::vector<CampaignOpportunity> none;
    int64_t account = 0;
    auto flush = [&] {
      if (touches.empty()) return;
      auto it = by_account_.find(account);
      table_.addAccount(touches, it == by_account_.end() ? none : it->second);
      touches.clear();
    };
    const int other = activityIndex("other");
    while (q->step() == Row::Row) {
      if (q->columnInt(0) != account) {
        flush();
        account = q->columnInt(0);
      }
      CampaignTouch t;
      t.time = ts(q->columnView(1), INT64_MAX);
      t.channel = std::max(0, channelIndex(q->columnView(2)));
      t.activity = activityIndex(q->columnView(3));
      if (t.activity < 0) t.activity = other;
      t.campaign = q->columnInt(4);
      touches.push_back(t);
    }
    if (auto s = q->status(); !s) return failed("touchpoints", s);
    flush();
    return Status::ok();
  }

  Status spend() {
    // The primary key's order: the sums come out the same on both backends.
    auto q = db_.prepare("SELECT coalesce(campaign_id, 0), date, impressions, clicks, cost FROM ad_spend"
                         " ORDER BY source, campaign_external_id, date");
    if (!q) return q.status();
    while (q->step() == Row::Row) {
      SpendDay d;
      d.campaign = q->columnInt(0);
      d.day = ts(q->columnView(1), INT64_MAX);
      d.impressions = q->columnInt(2);
      d.clicks = q->columnInt(3);
      d.cost = q->columnDouble(4);
      table_.addSpend(d);
    }
    if (auto s = q->status(); !s) return failed("ad_spend", s);
    return Status::ok();
  }

  // The credits attribution_credits shows for the KPI model, read from the table under that view
  // in the order its rows were written: the same sums whichever run or shard wrote them.
  Status credits() {
    const std::string model(kRuleModelNames[kpi_model_]);
    auto q = db_.prepare("SELECT conversion, opportunity_id, coalesce(campaign_id, 0), channel, " + model +
                         ", amount FROM attribution_touches ORDER BY account_id, rowid");
    if (!q) return q.status();
    while (q->step() == Row::Row) {
      auto o = opportunities_.find(q->columnInt(1));
      if (o == opportunities_.end()) continue;
      CampaignCredit c;
      c.revenue = q->columnView(0) == "revenue";
      c.at = c.revenue ? o->second.closed : o->second.created;
      c.campaign = q->columnInt(2);
      c.channel = std::max(0, channelIndex(q->columnView(3)));
      c.credit = q->columnDouble(4);
      c.value = c.credit * q->columnDouble(5);
      c.first_win = c.revenue && std::binary_search(first_wins_.begin(), first_wins_.end(), o->first);
      table_.addCredit(c);
    }
    if (auto s = q->status(); !s) return failed("attribution_touches", s);
    return Status::ok();
  }

  store::Database& db_;
  const int64_t as_of_, lookback_seconds_;
  const size_t kpi_model_;
  CampaignPerformance table_;
  std::unordered_map<int64_t, Opportunity> opportunities_;
  std::unordered_map<int64_t, std::vector<CampaignOpportunity>> by_account_;
  std::vector<int64_t> first_wins_;
};

}  // namespace

Result<std::vector<CampaignPerformanceRow>> computeCampaignPerformance(store::Database& db,
                                                                       const MetricsSettings& settings, int64_t as_of) {
  return Loader(db, settings, as_of).run();
}

Status writeCampaignPerformance(store::Database& db, const MetricsSettings& settings, int64_t as_of) {
  auto rows = computeCampaignPerformance(db, settings, as_of);
  if (!rows) return rows.status();
  if (auto s = db.exec("DELETE FROM campaign_performance"); !s) return s;
  store::BulkInsert out(db, "campaign_performance",
                        {"as_of", "period", "campaign_id", "channel", "spend", "impressions", "clicks", "ctr", "cpc",
                         "cpm", "accounts_reached", "accounts_engaged", "influenced_pipeline", "sourced_pipeline",
                         "attributed_pipeline", "attributed_revenue", "roas", "roi", "cac"});
  if (auto s = out.prepare(); !s) return s;
  const std::string when = formatTimestamp(as_of);
  auto optional = [&](const std::optional<double>& v) -> store::BulkInsert& { return v ? out.add(*v) : out.addNull(); };
  for (const CampaignPerformanceRow& r : *rows) {
    out.addStatic(when).add(std::string_view(r.period));
    if (r.campaign_id) out.add(r.campaign_id);
    else out.addNull();
    if (r.channel) out.addStatic(sdk::kChannels[static_cast<size_t>(*r.channel)]);
    else out.addNull();
    out.add(r.spend).add(r.impressions).add(r.clicks);
    optional(r.ctr);
    optional(r.cpc);
    optional(r.cpm);
    out.add(r.accounts_reached).add(r.accounts_engaged).add(r.influenced_pipeline).add(r.sourced_pipeline);
    out.add(r.attributed_pipeline).add(r.attributed_revenue);
    optional(r.roas);
    optional(r.roi);
    optional(r.cac);
    if (auto s = out.endRow(); !s) return s;
  }
  return out.flush();
}

}  // namespace abm::metrics
