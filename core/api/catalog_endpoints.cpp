// GET /api/v1/campaigns and /api/v1/opportunities.
#include <cstdint>
#include <map>

#include "api/endpoint.hpp"
#include "api/list_query.hpp"

namespace abm::api {

namespace {

const ListSpec& campaignsSpec() {
  static const ListSpec spec{"campaigns",
                             {{"campaign_id", "k.campaign_id", KeyType::Integer},
                              {"name", "coalesce(k.name, '')", KeyType::Text},
                              {"started_at", timeOrEarliest("k.started_at"), KeyType::Text}},
                             "campaign_id",
                             "k.campaign_id"};
  return spec;
}

// Amounts sort and compare as the doubles the API gives out and the cursor keeps. PostgreSQL's
// numeric may hold more digits than a double (499.9000000000000000001): compared as numeric with the
// cursor's double, such a row would come again on every page, or be skipped.
constexpr const char* kAmountKey = "CAST(coalesce(o.amount, 0.0) AS DOUBLE PRECISION)";

const ListSpec& opportunitiesSpec() {
  static const ListSpec spec{"opportunities",
                             {{"opportunity_id", "o.opportunity_id", KeyType::Integer},
                              {"created_at", "o.created_at", KeyType::Text},
                              {"closed_at", timeOrEarliest("o.closed_at"), KeyType::Text},
                              {"amount", kAmountKey, KeyType::Real}},
                             "opportunity_id",
                             "o.opportunity_id"};
  return spec;
}

// Campaigns whose spend one query reads: a fixed number of placeholders keeps the statement one
// prepared text whatever the page size (unused ones are NULL, which IN never matches).
constexpr int kSpendBatch = 50;
constexpr double kMillionths = 1e6;

// Fills each campaign's "spend": the ad_spend rows of its source (their primary key leads with source
// and campaign_external_id), summed per currency, since costs in two currencies never add up. Built
// here rather than with SQLite's JSON aggregates, which PostgreSQL does not have.
ApiResult<bool> addSpend(Connection& c, nlohmann::json& items) {
  std::map<int64_t, nlohmann::json*> by_id;
  for (auto& item : items) by_id[item["campaign_id"].get<int64_t>()] = &item["spend"];
  // Costs are summed in millionths as integers, which both stores add exactly: SQLite's sum of REAL
  // would drift (21427.480000000007) where PostgreSQL's of numeric is exact (21427.48).
  std::string sql =
      "SELECT k.campaign_id, s.currency, sum(CAST(round(s.cost * 1000000) AS BIGINT)), sum(s.impressions),"
      " sum(s.clicks) FROM campaigns k"
      " JOIN ad_spend s ON s.source = k.source AND s.campaign_external_id = k.external_id"
      " WHERE k.campaign_id IN (?";
  for (int i = 1; i < kSpendBatch; ++i) sql += ", ?";
  // A missing currency first, as SQLite orders NULL (PostgreSQL would put it last).
  sql += ") GROUP BY k.campaign_id, s.currency ORDER BY k.campaign_id, s.currency NULLS FIRST";
  auto st = c.prepare(sql);
  if (!st) return st.error();
  for (auto it = by_id.begin(); it != by_id.end();) {
    ScopedReset reset(*st);
    int bound = 0;
    for (; bound < kSpendBatch && it != by_id.end(); ++bound, ++it) (*st)->bind(bound + 1, it->first);
    for (int i = bound; i < kSpendBatch; ++i) (*st)->bindNull(i + 1);
    while ((*st)->step() == store::Statement::Step::Row) {
      const RowReader r(**st);
      // PostgreSQL's sums of bigint are numeric: read as the API's types (money a number, counts
      // integers) they are the same as SQLite's. The exact millionths divided once give the double
      // nearest the exact total, as the store would print it.
      by_id.at(r.rawInt(0))->push_back({{"currency", r.text(1)},
                                        {"cost", static_cast<double>(r.rawInt(2)) / kMillionths},
                                        {"impressions", r.integer(3)},
                                        {"clicks", r.integer(4)}});
    }
    if (auto ok = finished(**st, "the campaigns' spend"); !ok) return ok.error();
  }
  return true;
}

}  // namespace

std::vector<ParamSpec> campaignsParams() {
  std::vector<ParamSpec> p = {
      enumParam("channel", {"email", "ads", "web", "social", "event", "sales", "other"}), textParam("source"),
      textParam("q")};
  for (auto& x : pagingParams(campaignsSpec())) p.push_back(std::move(x));
  return p;
}

std::vector<ParamSpec> opportunitiesParams() {
  std::vector<ParamSpec> p = {integerParam("account_id", 1, INT64_MAX),
                              textParam("stage"),
                              enumParam("type", {"new_business", "expansion", "renewal"}),
                              booleanParam("is_closed"),
                              booleanParam("is_won"),
                              numberParam("min_amount"),
                              textParam("source"),
                              timestampParam("created_since"),
                              timestampParam("created_until")};
  for (auto& x : pagingParams(opportunitiesSpec())) p.push_back(std::move(x));
  return p;
}

QueryResult listCampaigns(Connection& c, const Call& call) {
  const auto& q = call.query;
  ListQuery query{"k.campaign_id, k.name, k.channel, k.source, k.external_id, k.started_at, k.ended_at",
                  "FROM campaigns k"};
  if (const auto* v = q.text("channel")) query.filter.add("k.channel = ?", {*v});
  if (const auto* v = q.text("source")) query.filter.add("k.source = ?", {*v});
  if (const auto* v = q.text("q"))
    query.filter.add("lower(k.name) LIKE ? ESCAPE '\\'", {containsPattern(asciiLower(*v))});
  // The page and its spend from one snapshot: a sync between the two reads must not pair a campaign
  // with spend it did not have yet.
  ReadSnapshot snapshot(c.db());
  if (auto b = snapshot.begin(); !b) return b.error();
  auto page = runList(c, campaignsSpec(), q, query, [](const RowReader& r) -> nlohmann::json {
    return {{"campaign_id", r.integer(0)}, {"name", r.text(1)},        {"channel", r.text(2)},
            {"source", r.text(3)},         {"external_id", r.text(4)}, {"started_at", r.text(5)},
            {"ended_at", r.text(6)},       {"spend", nlohmann::json::array()}};
  });
  if (!page) return page.error();
  if (auto spent = addSpend(c, (*page)["items"]); !spent) return spent.error();
  return ok(*page);
}

QueryResult listOpportunities(Connection& c, const Call& call) {
  const auto& q = call.query;
  ListQuery query{
      "o.opportunity_id, o.account_id, a.name, o.name, o.stage, o.type, o.amount, o.currency, o.probability,"
      " o.is_closed, o.is_won, o.created_at, o.closed_at, o.updated_at, o.source, o.external_id, o.source_updated_at",
      "FROM opportunities o LEFT JOIN accounts a ON a.account_id = o.account_id"};
  if (auto v = q.integer("account_id")) query.filter.add("o.account_id = ?", {*v});
  if (const auto* v = q.text("stage")) query.filter.add("lower(o.stage) = ?", {asciiLower(*v)});
  if (const auto* v = q.text("type")) query.filter.add("o.type = ?", {*v});
  if (auto v = q.boolean("is_closed")) query.filter.add(*v ? "o.is_closed" : "NOT o.is_closed");
  if (auto v = q.boolean("is_won")) query.filter.add(*v ? "o.is_won" : "NOT o.is_won");
  if (auto v = q.number("min_amount")) query.filter.add(std::string(kAmountKey) + " >= ?", {*v});
  if (const auto* v = q.text("source")) query.filter.add("o.source = ?", {*v});
  if (const auto* v = q.text("created_since")) query.filter.add("o.created_at >= ?", {*v});
  if (const auto* v = q.text("created_until")) query.filter.add("o.created_at < ?", {*v});
  auto page = runList(c, opportunitiesSpec(), q, query, [](const RowReader& r) -> nlohmann::json {
    return {{"opportunity_id", r.integer(0)},
            {"account_id", r.integer(1)},
            {"account_name", r.text(2)},
            {"name", r.text(3)},
            {"stage", r.text(4)},
            {"type", r.text(5)},
            {"amount", r.real(6)},
            {"currency", r.text(7)},
            {"probability", r.real(8)},
            {"is_closed", r.boolean(9)},
            {"is_won", r.boolean(10)},
            {"created_at", r.text(11)},
            {"closed_at", r.text(12)},
            {"updated_at", r.text(13)},
            {"source", r.text(14)},
            {"external_id", r.text(15)},
            {"source_updated_at", r.text(16)}};
  });
  if (!page) return page.error();
  return ok(*page);
}

}  // namespace abm::api
