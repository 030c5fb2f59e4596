// GET /api/v1/funnel and /api/v1/engagement: the journey funnel of target accounts and the accounts'
// engagement with its change over the last window (top and rising accounts), as the metrics stage
// last wrote them (docs/metrics.md#engagement, #buying-stages-and-the-journey).
#include "api/endpoint.hpp"
#include "api/list_query.hpp"

namespace abm::api {

namespace {

using Step = store::Statement::Step;

// How much the score rose since one window earlier; never NULL (both columns are NOT NULL).
constexpr const char* kScoreChange = "(e.score - e.score_prev_window)";

const ListSpec& engagementSpec() {
  static const ListSpec spec{"engagement",
                             {{"account_id", "e.account_id", KeyType::Integer},
                              {"score", "e.score", KeyType::Real},
                              {"score_change", kScoreChange, KeyType::Real}},
                             "-score",
                             "e.account_id"};
  return spec;
}

}  // namespace

std::vector<ParamSpec> engagementParams() {
  std::vector<ParamSpec> p = {booleanParam("is_target"), textParam("tier")};
  for (auto& x : pagingParams(engagementSpec())) p.push_back(std::move(x));
  return p;
}

QueryResult getFunnel(Connection& c, const Call& call) {
  ReadSnapshot snapshot(c.db());
  if (auto b = snapshot.begin(); !b) return b.error();
  nlohmann::json out = {{"as_of", nullptr}, {"items", nlohmann::json::array()}};
  auto as_of = lastMetricsAsOf(c);
  if (!as_of) return as_of.error();
  out["as_of"] = *as_of;
  auto st = c.prepare(
      "SELECT stage, position, accounts_entered, accounts_reached_next, conversion_rate, median_days_to_next"
      " FROM journey_funnel ORDER BY position");
  if (!st) return st.error();
  ScopedReset reset(*st);
  while ((*st)->step() == Step::Row) {
    RowReader r(**st);
    out["items"].push_back({{"stage", r.text(0)},
                            {"position", r.integer(1)},
                            {"accounts_entered", r.integer(2)},
                            {"accounts_reached_next", r.integer(3)},
                            {"conversion_rate", r.real(4)},
                            {"median_days_to_next", r.real(5)}});
  }
  if (auto ok = finished(**st, "the journey funnel"); !ok) return ok.error();
  return ok(out);
}

QueryResult listEngagement(Connection& c, const Call& call) {
  const auto& q = call.query;
  // Target and tier as the KPIs count them: the source's flag or a target list (account_targeting).
  ListQuery query{
      "e.account_id, a.name, a.domain, t.is_target, t.tier, s.stage, e.score, e.score_prev_window, " +
          std::string(kScoreChange) + ", e.touchpoints, e.engaged_contacts, e.channels, e.as_of",
      "FROM account_engagement e JOIN accounts a ON a.account_id = e.account_id"
      " JOIN account_targeting t ON t.account_id = e.account_id"
      " LEFT JOIN account_stages s ON s.account_id = e.account_id"};
  if (auto v = q.boolean("is_target")) query.filter.add("t.is_target = ?", {int64_t{*v ? 1 : 0}});
  if (const auto* v = q.text("tier")) query.filter.add("lower(t.tier) = ?", {asciiLower(*v)});
  auto page = runList(c, engagementSpec(), q, query, [](const RowReader& r) -> nlohmann::json {
    return {{"account_id", r.integer(0)},
            {"name", r.text(1)},
            {"domain", r.text(2)},
            {"is_target", r.boolean(3)},
            {"tier", r.text(4)},
            {"stage", r.text(5)},
            {"score", r.real(6)},
            {"score_prev_window", r.real(7)},
            {"score_change", r.real(8)},
            {"touchpoints", r.integer(9)},
            {"engaged_contacts", r.integer(10)},
            {"channels", r.integer(11)},
            {"as_of", r.text(12)}};
  });
  if (!page) return page.error();
  return ok(*page);
}

}  // namespace abm::api
