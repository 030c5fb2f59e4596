#include "metrics/metrics_stage.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
#include <cstdio>
#include <memory>

#include <unistd.h>
#include <unordered_map>
#include <unordered_set>

#include "common/timestamp.hpp"
#include "metrics/attribution_rules.hpp"
#include "metrics/journey.hpp"
#include "metrics/metrics_cycle.hpp"
#include "metrics/metrics_output.hpp"
#include "metrics/shard_results.hpp"
#include "store/database.hpp"
#include "store/instances.hpp"
#include "store/lease_keeper.hpp"

namespace abm::metrics {

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto Row = store::Statement::Step::Row;
constexpr auto Done = store::Statement::Step::Done;
constexpr auto Error = store::Statement::Step::Error;

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

// What an incremental run may skip: the previous run's as_of, and the accounts that must be redone.
struct Plan {
  bool full = true;
  int64_t previous = 0;
  std::unordered_set<int64_t> dirty;          // data changed since the previous run
  std::unordered_set<int64_t> events;         // an opportunity created or closed in (previous, as_of]
  std::unordered_map<int64_t, int64_t> last;  // account -> latest touch, as of the previous run
};

// The SQL condition that picks one shard's accounts, "" when one shard holds them all.
struct ShardFilter {
  std::string condition;
  std::string where() const { return condition.empty() ? "" : " WHERE " + condition; }
  std::string andAlso() const { return condition.empty() ? "" : " AND " + condition; }
};

ShardFilter shardFilter(int shard, int shards) {
  if (shards == 1) return {};
  return {"account_id % " + std::to_string(shards) + " = " + std::to_string(shard)};
}

// Computes one account at a time while the touchpoints stream by in account order.
class Computation {
 public:
  Computation(const MetricsSettings& s, int64_t as_of, const Plan& plan, const ShardFilter& shard, ResultSink& out)
      : s_(s), as_of_(as_of), plan_(plan), shard_(shard), out_(out) {}

  Status load(store::Database& db);
  Status stream(store::Database& db);
  MetricsSummary summary;

 private:
  Status account(int64_t account_id, bool is_target, int64_t created, const std::vector<Touch>& all);
  Status attribute(int64_t account_id, const std::vector<Touch>& touches, size_t first_opportunity);
  std::pair<bool, bool> whatToRedo(int64_t account_id, const std::vector<Touch>& all) const;

  const MetricsSettings& s_;
  const int64_t as_of_;
  const Plan& plan_;
  const ShardFilter& shard_;
  ResultSink& out_;
  std::vector<std::tuple<int64_t, bool, int64_t>> accounts_;  // id, is_target, created
  std::unordered_map<int64_t, int64_t> lead_created_;         // account -> earliest contact created_at
  std::unordered_set<int64_t> created_at_first_touch_;        // contacts without a created_at of their own
  std::unordered_map<int64_t, double> role_multiplier_;       // contact -> multiplier, when not 1
  std::vector<Opportunity> opportunities_;                    // by account, then id
  size_t next_opportunity_ = 0;
  Clock::duration t_attr_{}, t_eng_{}, t_journey_{};
};

Status Computation::load(store::Database& db) {
  // A target is flagged by its source or on a target list (the view account_targeting).
  auto a = db.prepare("SELECT account_id, is_target, created_at FROM (SELECT a.account_id, t.is_target, a.created_at"
                      " FROM accounts a JOIN account_targeting t ON t.account_id = a.account_id) x" +
                      shard_.where() + " ORDER BY account_id");
  if (!a) return a.status();
  while (a->step() == Row) accounts_.emplace_back(a->columnInt(0), a->columnInt(1) != 0, ts(a->columnView(2), as_of_));
  if (auto s = a->status(); !s) return s;

  auto c = db.prepare("SELECT account_id, min(created_at) FROM contacts WHERE account_id IS NOT NULL"
                      " AND created_at_known" + shard_.andAlso() + " GROUP BY account_id");
  if (!c) return c.status();
  while (c->step() == Row) lead_created_[c->columnInt(0)] = ts(c->columnView(1), INT64_MAX);
  if (auto s = c->status(); !s) return s;
  // A contact whose source gave no creation time is taken as created at its first touch. Every such
  // contact, not only the shard's: a touch may name a contact tied to an account of another shard.
  auto u = db.prepare("SELECT contact_id FROM contacts WHERE account_id IS NOT NULL AND NOT created_at_known");
  if (!u) return u.status();
  while (u->step() == Row) created_at_first_touch_.insert(u->columnInt(0));
  if (auto s = u->status(); !s) return s;

  if (!s_.role_multipliers.empty()) {
    auto r = db.prepare("SELECT contact_id, buying_role FROM contacts WHERE buying_role IS NOT NULL");
    if (!r) return r.status();
    while (r->step() == Row) {
      auto it = s_.role_multipliers.find(std::string(r->columnView(1)));
      if (it != s_.role_multipliers.end() && it->second != 1.0) role_multiplier_[r->columnInt(0)] = it->second;
    }
    if (auto s = r->status(); !s) return s;
  }

  auto o = db.prepare(
      "SELECT opportunity_id, account_id, coalesce(amount, 0), created_at, closed_at, is_closed, is_won"
      " FROM opportunities WHERE account_id IS NOT NULL" + shard_.andAlso() + " ORDER BY account_id, opportunity_id");
  if (!o) return o.status();
  while (o->step() == Row) {
    Opportunity op{o->columnInt(0), o->columnInt(1), o->columnDouble(2), ts(o->columnView(3), INT64_MAX), INT64_MAX,
                   o->columnInt(6) != 0};
    if (o->columnInt(5) != 0) op.closed = ts(o->columnView(4), op.created);  // closed without a date: at creation
    opportunities_.push_back(op);
  }
  if (auto s = o->status(); !s) return s;
  summary.accounts = static_cast<int64_t>(accounts_.size());
  return Status::ok();
}

Status Computation::stream(store::Database& db) {
  // Every touchpoint, also those after as_of: an account's latest touch tells later incremental
  // runs whether decay can still change its results.
  auto q = db.prepare(
      "SELECT account_id, touchpoint_id, occurred_at, channel, activity, quantity, coalesce(contact_id, 0),"
      " coalesce(campaign_id, 0) FROM touchpoints WHERE account_id IS NOT NULL" + shard_.andAlso() +
      " ORDER BY account_id, occurred_at, touchpoint_id");
  if (!q) return q.status();
  std::vector<Touch> touches;
  size_t next_account = 0;
  bool have_row = q->step() == Row;
  while (next_account < accounts_.size()) {
    const auto [id, is_target, created] = accounts_[next_account++];
    touches.clear();
    while (have_row && q->columnInt(0) < id) have_row = q->step() == Row;  // touches of unknown accounts
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
      touches.push_back(t);
      have_row = q->step() == Row;
    }
    summary.touchpoints += static_cast<int64_t>(touches.size());
    if (auto s = account(id, is_target, created, touches); !s) return s;
  }
  // An error ends the rows early: the accounts after it must not be taken for accounts without touches.
  if (auto s = q->status(); !s) return s;
  summary.seconds_attribution = std::chrono::duration<double>(t_attr_).count();
  summary.seconds_engagement = std::chrono::duration<double>(t_eng_).count();
  summary.seconds_journey = std::chrono::duration<double>(t_journey_).count();
  return Status::ok();
}

// {attribution, engagement and journey}: which of an account's results can differ from the
// previous run's. Attribution of a conversion depends only on data at or before it, so it changes
// only with the data or with conversions and touches that as_of newly uncovers. Engagement and
// stages also change as scores decay and touches leave the window, which only touches from two
// windows before the previous as_of on can do.
std::pair<bool, bool> Computation::whatToRedo(int64_t account_id, const std::vector<Touch>& all) const {
  if (plan_.full || plan_.dirty.count(account_id) || plan_.events.count(account_id)) return {true, true};
  const int64_t window = static_cast<int64_t>(s_.engagement_window_days) * 86400;
  const auto last = plan_.last.find(account_id);
  if (last == plan_.last.end()) return {true, true};  // never computed: a new account
  const int64_t latest = all.empty() ? INT64_MIN : all.back().time;
  if (latest != last->second) return {true, true};  // cannot happen for a clean account; be safe
  auto newly_seen = std::find_if(all.begin(), all.end(), [&](const Touch& t) {
    return t.time > plan_.previous && t.time <= as_of_;
  });
  const bool attribution = newly_seen != all.end();
  const bool recent = latest != INT64_MIN && latest >= plan_.previous - 2 * window - 1;
  return {attribution, attribution || recent};
}

Status Computation::account(int64_t account_id, bool is_target, int64_t created, const std::vector<Touch>& all) {
  while (next_opportunity_ < opportunities_.size() && opportunities_[next_opportunity_].account < account_id)
    ++next_opportunity_;  // opportunities of accounts that no longer exist stay unattributed
  const size_t first_opportunity = next_opportunity_;
  while (next_opportunity_ < opportunities_.size() && opportunities_[next_opportunity_].account == account_id)
    ++next_opportunity_;
  const auto [redo_attribution, redo_journey] = whatToRedo(account_id, all);
  if (!redo_journey) return Status::ok();
  ++summary.accounts_recomputed;

  // Nothing after as_of has happened yet.
  const auto visible_end = std::upper_bound(all.begin(), all.end(), as_of_,
                                            [](int64_t t, const Touch& x) { return t < x.time; });
  const std::vector<Touch> touches(all.begin(), visible_end);

  auto t0 = Clock::now();
  if (redo_attribution) {
    if (!plan_.full)
      if (auto s = out_.clearAttribution(account_id); !s) return s;
    if (auto s = attribute(account_id, touches, first_opportunity); !s) return s;
  }
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
  for (size_t i = first_opportunity; i < next_opportunity_; ++i) {
    spans.push_back({opportunities_[i].created, opportunities_[i].closed, opportunities_[i].won});
    start = std::min(start, opportunities_[i].created);
  }
  if (!touches.empty()) start = std::min(start, touches.front().time);
  start = std::min(start, as_of_);
  // Replaying is causal: when the data did not change, the spans that ended by the previous as_of are
  // the ones already stored.
  const bool data_changed = plan_.full || plan_.dirty.count(account_id) || plan_.events.count(account_id) ||
                            redo_attribution || !plan_.last.count(account_id);
  const int64_t keep_until = data_changed ? INT64_MIN : plan_.previous;
  if (!plan_.full) {
    auto s = data_changed ? out_.clearJourney(account_id) : out_.clearJourneyAfter(account_id, keep_until);
    if (!s) return s;
  }
  if (auto s = out_.journey(account_id, replayJourney(eng, spans, is_target, start, as_of_, s_), keep_until); !s)
    return s;
  if (auto s = out_.accountState(account_id, all.empty() ? INT64_MIN : all.back().time); !s) return s;
  auto t3 = Clock::now();
  t_attr_ += t1 - t0;
  t_eng_ += t2 - t1;
  t_journey_ += t3 - t2;
  return Status::ok();
}

Status Computation::attribute(int64_t account_id, const std::vector<Touch>& touches, size_t first_opportunity) {
  std::vector<const Touch*> attributable;
  std::vector<int64_t> all_times;
  for (const auto& t : touches)
    if (s_.attributable[static_cast<size_t>(t.activity)]) {
      attributable.push_back(&t);
      all_times.push_back(t.time);
    }
  int64_t lead = INT64_MAX;
  if (const auto it = lead_created_.find(account_id); it != lead_created_.end()) lead = it->second;
  if (!created_at_first_touch_.empty())
    for (const auto& t : touches) {  // in time order: the first such touch is the earliest
      if (t.time >= lead) break;
      if (t.contact && created_at_first_touch_.count(t.contact)) lead = t.time;
    }
  const bool has_lead = lead != INT64_MAX;
  const int64_t lookback = static_cast<int64_t>(s_.lookback_days) * 86400;
  bool any_opportunity = false, any_won = false;
  std::map<std::pair<int, std::string>, std::pair<double, double>> converting;  // (conversion, path) -> n, value
  std::vector<int64_t> times;
  for (size_t i = first_opportunity; i < next_opportunity_; ++i) {
    const Opportunity& op = opportunities_[i];
    for (const Conversion conv : {kPipeline, kRevenue}) {
      const int64_t at = conv == kPipeline ? op.created : op.closed;
      if ((conv == kRevenue && !op.won) || at > as_of_) continue;
      (conv == kPipeline ? any_opportunity : any_won) = true;
      auto lo = std::lower_bound(all_times.begin(), all_times.end(), at - lookback);
      auto hi = std::upper_bound(all_times.begin(), all_times.end(), at);
      if (lo == hi) continue;  // an empty path: unattributed
      times.assign(lo, hi);
      const size_t offset = static_cast<size_t>(lo - all_times.begin());
      const Milestones m = findMilestones(times, has_lead ? lead : 0, has_lead, op.created);
      const auto shares = ruleShares(times, m, at, s_.time_decay_half_life_days);
      std::string channels;
      for (size_t k = 0; k < times.size(); ++k) {
        const Touch& t = *attributable[offset + k];
        if (auto s = out_.touch(conv, account_id, op.id, t.id, t.campaign, t.channel, t.time, shares[k], op.amount); !s)
          return s;
        if (channels.empty() || channels.back() != static_cast<char>(t.channel))
          channels.push_back(static_cast<char>(t.channel));
      }
      summary.attribution_rows += static_cast<int64_t>(times.size());
      auto& c = converting[{conv, channels}];
      c.first += 1;
      c.second += op.amount;
    }
  }
  for (const auto& [key, count] : converting)
    if (auto s = out_.path(account_id, static_cast<Conversion>(key.first), key.second, count.first, count.second, 0); !s)
      return s;
  // Accounts that engaged but did not convert make the Markov chain's null paths.
  if (!attributable.empty() && (!any_opportunity || !any_won)) {
    std::string channels;
    for (const auto* t : attributable)
      if (channels.empty() || channels.back() != static_cast<char>(t->channel))
        channels.push_back(static_cast<char>(t->channel));
    if (!any_opportunity)
      if (auto s = out_.path(account_id, kPipeline, channels, 0, 0, 1); !s) return s;
    if (!any_won)
      if (auto s = out_.path(account_id, kRevenue, channels, 0, 0, 1); !s) return s;
  }
  return Status::ok();
}

// What an incremental cycle redoes in one shard: the cycle's dirty marks, the opportunities created
// or closed since the previous run, and each account's latest touch as that run saw it.
Status planShard(store::Database& db, const MetricsCycle& cycle, const ShardFilter& shard, Plan& plan) {
  plan.full = cycle.full;
  plan.previous = cycle.previous;
  if (plan.full) return Status::ok();
  auto dirty = db.prepare("SELECT account_id FROM metrics_cycle_dirty WHERE cycle_id = ?1" + shard.andAlso());
  if (!dirty) return dirty.status();
  dirty->bind(1, cycle.id);
  while (dirty->step() == Row) plan.dirty.insert(dirty->columnInt(0));
  if (auto s = dirty->status(); !s) return s;
  auto events = db.prepare(
      "SELECT DISTINCT account_id FROM opportunities WHERE account_id IS NOT NULL" + shard.andAlso() + " AND"
      " ((created_at > ?1 AND created_at <= ?2) OR"
      "  (is_closed AND coalesce(closed_at, created_at) > ?1 AND coalesce(closed_at, created_at) <= ?2))");
  if (!events) return events.status();
  events->bind(1, formatTimestamp(cycle.previous));
  events->bind(2, formatTimestamp(cycle.as_of));
  while (events->step() == Row) plan.events.insert(events->columnInt(0));
  if (auto s = events->status(); !s) return s;
  auto last = db.prepare("SELECT account_id, last_touch_at FROM metrics_account_state" + shard.where());
  if (!last) return last.status();
  while (last->step() == Row) plan.last[last->columnInt(0)] = last->isNull(1) ? INT64_MIN : ts(last->columnView(1), INT64_MIN);
  return last->status();
}

// Computes one shard from a snapshot of its own into `results`.
Status computeShard(store::Database& reader, const MetricsSettings& settings, const MetricsCycle& cycle, int shard,
                    ResultSink& results, MetricsSummary& counts) {
  const ShardFilter filter = shardFilter(shard, cycle.shards);
  if (auto s = reader.beginRead(); !s) return s;
  Plan plan;
  if (auto s = planShard(reader, cycle, filter, plan); !s) return Status::error("reading the previous run: " + s.message());
  Computation comp(settings, cycle.as_of, plan, filter, results);
  const auto started = Clock::now();
  if (auto s = comp.load(reader); !s) return Status::error("reading the store: " + s.message());
  const auto loaded = Clock::now();
  if (auto s = comp.stream(reader); !s) return s;
  if (auto s = reader.exec("COMMIT"); !s) return Status::error("ending the read: " + s.message());
  const MetricsSummary& c = comp.summary;
  counts.accounts += c.accounts;
  counts.accounts_recomputed += c.accounts_recomputed;
  counts.touchpoints += c.touchpoints;
  counts.attribution_rows += c.attribution_rows;
  counts.seconds_read += std::chrono::duration<double>(loaded - started).count();
  counts.seconds_attribution += c.seconds_attribution;
  counts.seconds_engagement += c.seconds_engagement;
  counts.seconds_journey += c.seconds_journey;
  return Status::ok();
}

ShardCounts countsOf(const MetricsSummary& c) {
  return {c.accounts, c.accounts_recomputed, c.touchpoints, c.attribution_rows};
}

// SQLite: one daemon writes a store, so nothing gains from computing while another instance does.
// The shard's write transaction opens first and the rows are written as they are computed, which
// holds none of them in memory (2.6M attribution rows for 10M touchpoints). The reader's snapshot is
// taken inside it, so no writer commits between what is read and what is written.
bool writesWhileComputing(store::Backend backend) { return backend == store::Backend::Sqlite; }

Result<bool> computeAndWriteShard(store::Database& reader, store::Database& writer, const MetricsSettings& settings,
                                  const MetricsCycle& cycle, int shard, const std::string& instance,
                                  MetricsSummary& counts, MetricsSummary& summary) {
  ShardWrite write(writer, settings, cycle, shard, instance);
  auto open = write.open();
  if (!open || !*open) return open;
  if (auto s = computeShard(reader, settings, cycle, shard, write.output(), counts); !s) return s;
  if (auto s = write.finish(countsOf(counts), summary); !s) return s;
  return true;
}

// PostgreSQL: instances compute their shards at the same time, each from its own snapshot, with
// no lock held; the rows wait in memory for the shard's short write transaction.
Result<bool> computeThenWriteShard(store::Database& reader, store::Database& writer, const MetricsSettings& settings,
                                   const MetricsCycle& cycle, int shard, const std::string& instance,
                                   MetricsSummary& counts, MetricsSummary& summary) {
  ShardResults results;
  if (auto s = computeShard(reader, settings, cycle, shard, results, counts); !s) return s;
  return writeShard(writer, settings, cycle, shard, instance, results, countsOf(counts), summary);
}

std::atomic<int> keepers_started{0};

}  // namespace

int shardCount(const MetricsSettings& settings, store::Backend backend) {
  if (settings.shards > 0) return settings.shards;
  return backend == store::Backend::Postgresql ? kDefaultPostgresqlShards : 1;
}

std::string MetricsSummary::describe() const {
  auto list = [](const std::vector<int>& shards) {
    std::string out;
    for (int k : shards) out += (out.empty() ? "" : ", ") + std::to_string(k);
    return out;
  };
  char buf[600];
  std::snprintf(buf, sizeof buf, "metrics as of %s (%s run, %lld of %lld accounts recomputed): %lld touchpoints read, ",
                formatTimestamp(as_of).c_str(), full ? "full" : "incremental",
                static_cast<long long>(accounts_recomputed), static_cast<long long>(accounts),
                static_cast<long long>(touchpoints));
  std::string out = buf;
  // The conversions are counted by the roll-ups, which only the cycle's last shard runs.
  if (finished_cycle)
    out += std::to_string(conversions) + " conversions (" + std::to_string(unattributed) + " unattributed), ";
  std::snprintf(buf, sizeof buf,
                "%lld attribution rows written in %.2fs (load %.2fs, attribution %.2fs, engagement %.2fs, journey %.2fs, ",
                static_cast<long long>(attribution_rows), seconds_total, seconds_read, seconds_attribution,
                seconds_engagement, seconds_journey);
  out += buf;
  // Rows written as they are computed (SQLite) have no writing time of their own.
  if (seconds_write > 0) {
    std::snprintf(buf, sizeof buf, "writing %.2fs, ", seconds_write);
    out += buf;
  }
  std::snprintf(buf, sizeof buf, "roll-ups and models %.2fs)", seconds_models);
  out += buf;
  if (shards == 1 && !joined && finished_cycle) return out;  // the one instance did everything
  out += "; cycle " + std::to_string(cycle) + " of " + std::to_string(shards) + " shards";
  if (joined) out += ", opened by " + opened_by;
  out += computed.empty() ? ": no shard computed here" : ": shards " + list(computed) + " computed here";
  if (!lost.empty()) out += "; shards " + list(lost) + " were taken over before their results were written (dropped)";
  if (finished_cycle) out += "; this instance wrote the last shard and finished the cycle";
  else if (!held_elsewhere.empty())
    out += "; shards " + list(held_elsewhere) + " are being computed by other instances, the last of them finishes the cycle";
  else
    out += "; another instance finished the cycle (conversion counts are in metrics_runs)";
  return out;
}

Result<MetricsSummary> runMetrics(const store::Location& store, const MetricsSettings& settings, int64_t as_of,
                                  bool force_full, store::LeaseKeeper* keeper) {
  const auto started = Clock::now();
  std::unique_ptr<store::LeaseKeeper> own_keeper;
  if (!keeper) {
    auto k = store::LeaseKeeper::start(store, "metrics:" + store::hostName() + ":" + std::to_string(::getpid()) + ":" +
                                                  std::to_string(++keepers_started),
                                       kDefaultLeaseTtl);
    if (!k) return Status::error("metrics: " + k.error());
    own_keeper = std::move(*k);
    keeper = own_keeper.get();
  }
  const std::string& instance = keeper->instanceId();
  auto reader = store::Database::open(store, true);
  if (!reader) return reader.status();
  auto writer = store::Database::open(store);
  if (!writer) return writer.status();
  auto cycle = openOrJoinCycle(*writer, settingsText(settings), as_of, force_full, shardCount(settings, store.backend),
                               instance);
  if (!cycle) return Status::error("metrics: " + cycle.error());
  MetricsSummary summary;
  summary.as_of = cycle->as_of;
  summary.full = cycle->full;
  summary.cycle = cycle->id;
  summary.shards = cycle->shards;
  summary.joined = cycle->joined;
  summary.opened_by = cycle->opened_by;
  // Shards are taken one at a time and the pending ones read again after each: other instances
  // take theirs meanwhile. A shard whose lease another instance holds is left to it; an expired
  // lease (its holder died) is taken over.
  for (;;) {
    auto pending = pendingShards(*writer, cycle->id);
    if (!pending) return Status::error("metrics: " + pending.error());
    summary.held_elsewhere.clear();
    bool took = false;
    for (int shard : *pending) {
      const std::string lease = shardLease(cycle->id, shard);
      auto got = keeper->acquire(lease);
      if (!got) return Status::error("metrics: " + got.error());
      if (!*got) {
        summary.held_elsewhere.push_back(shard);
        continue;
      }
      // Written and given back by another instance since the list was read: nothing to do.
      auto still = shardPending(*writer, cycle->id, shard);
      if (!still || !*still) {
        keeper->release(lease);
        if (!still) return Status::error("metrics: " + still.error());
        continue;
      }
      took = true;
      MetricsSummary counts;
      auto written = writesWhileComputing(store.backend)
                         ? computeAndWriteShard(*reader, *writer, settings, *cycle, shard, instance, counts, summary)
                         : computeThenWriteShard(*reader, *writer, settings, *cycle, shard, instance, counts, summary);
      keeper->release(lease);
      if (!written)
        return Status::error("metrics: shard " + std::to_string(shard) + " of cycle " + std::to_string(cycle->id) +
                             ": " + written.error());
      if (!*written) {
        summary.lost.push_back(shard);
        break;
      }
      summary.computed.push_back(shard);
      summary.accounts += counts.accounts;
      summary.accounts_recomputed += counts.accounts_recomputed;
      summary.touchpoints += counts.touchpoints;
      summary.attribution_rows += counts.attribution_rows;
      summary.seconds_read += counts.seconds_read;
      summary.seconds_attribution += counts.seconds_attribution;
      summary.seconds_engagement += counts.seconds_engagement;
      summary.seconds_journey += counts.seconds_journey;
      break;
    }
    if (!took || summary.finished_cycle) break;
  }
  summary.seconds_total = std::chrono::duration<double>(Clock::now() - started).count();
  return summary;
}

}  // namespace abm::metrics
