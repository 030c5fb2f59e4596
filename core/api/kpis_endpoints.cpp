// GET /api/v1/kpis and /api/v1/campaign-performance: the business KPIs and the campaign and channel
// figures the metrics stage writes (docs/metrics.md), as the dashboards and other tools read them.
// Both answer the latest run's rows only: a row left behind by an older run (a period that has
// since rolled off) is not today's figure. A NULL value (an empty denominator) stays null.
#include "api/endpoint.hpp"
#include "api/list_query.hpp"

namespace abm::api {

namespace {

// (period, segment, metric) is the table's key; joined, it is the list's unique id.
constexpr const char* kKpiId = "k.period || '|' || k.segment || '|' || k.metric";

const ListSpec& kpisSpec() {
  static const ListSpec spec{"kpis", {{"key", kKpiId, KeyType::Text}}, "key", kKpiId, KeyType::Text};
  return spec;
}

// A campaign's row, or a channel's (campaign_id NULL), within a period: unique together.
constexpr const char* kPerformanceId =
    "p.period || '|' || coalesce(CAST(p.campaign_id AS TEXT), '') || '|' || coalesce(p.channel, '')";

const ListSpec& performanceSpec() {
  static const ListSpec spec{"campaign_performance",
                             {{"key", kPerformanceId, KeyType::Text},
                              {"spend", "p.spend", KeyType::Real},
                              {"accounts_reached", "p.accounts_reached", KeyType::Integer},
                              {"attributed_pipeline", "p.attributed_pipeline", KeyType::Real},
                              {"attributed_revenue", "p.attributed_revenue", KeyType::Real}},
                             "-spend",
                             kPerformanceId,
                             KeyType::Text,
                             100,
                             1000};
  return spec;
}

// The as_of of the latest run's rows of `table`, or null when it has none yet.
ApiResult<nlohmann::json> latestAsOf(Connection& c, const std::string& table) {
  return firstText(c, "SELECT max(as_of) FROM " + table, "the latest " + table);
}

}  // namespace

std::vector<ParamSpec> kpisParams() {
  std::vector<ParamSpec> p = {textParam("period"), textParam("segment"), textParam("metric")};
  for (auto& x : pagingParams(kpisSpec())) p.push_back(std::move(x));
  return p;
}

std::vector<ParamSpec> campaignPerformanceParams() {
  std::vector<ParamSpec> p = {textParam("period"), textParam("channel"),
                              integerParam("campaign_id", 1, INT64_MAX)};
  for (auto& x : pagingParams(performanceSpec())) p.push_back(std::move(x));
  return p;
}

QueryResult listKpis(Connection& c, const Call& call) {
  const auto& q = call.query;
  ReadSnapshot snapshot(c.db());
  if (auto b = snapshot.begin(); !b) return b.error();
  auto as_of = latestAsOf(c, "kpis");
  if (!as_of) return as_of.error();

  ListQuery query{"k.period, k.period_start, k.period_end, k.segment, k.metric, k.value", "FROM kpis k"};
  query.filter.add("k.as_of = (SELECT max(as_of) FROM kpis)");
  for (const char* column : {"period", "segment", "metric"})
    if (const auto* v = q.text(column)) query.filter.add(std::string("k.") + column + " = ?", {*v});
  auto page = runList(c, kpisSpec(), q, query, [](const RowReader& r) -> nlohmann::json {
    return {{"period", r.text(0)}, {"period_start", r.text(1)}, {"period_end", r.text(2)},
            {"segment", r.text(3)}, {"metric", r.text(4)},       {"value", r.real(5)}};
  });
  if (!page) return page.error();
  return ok({{"as_of", *as_of}, {"items", std::move((*page)["items"])}, {"next_cursor", (*page)["next_cursor"]}});
}

QueryResult listCampaignPerformance(Connection& c, const Call& call) {
  const auto& q = call.query;
  ReadSnapshot snapshot(c.db());
  if (auto b = snapshot.begin(); !b) return b.error();
  auto as_of = latestAsOf(c, "campaign_performance");
  if (!as_of) return as_of.error();

  ListQuery query{
      "p.period, p.campaign_id, k.name, p.channel, p.spend, p.impressions, p.clicks, p.ctr, p.cpc, p.cpm,"
      " p.accounts_reached, p.accounts_engaged, p.influenced_pipeline, p.sourced_pipeline,"
      " p.attributed_pipeline, p.attributed_revenue, p.roas, p.roi, p.cac",
      "FROM campaign_performance p LEFT JOIN campaigns k ON k.campaign_id = p.campaign_id"};
  query.filter.add("p.as_of = (SELECT max(as_of) FROM campaign_performance)");
  if (const auto* v = q.text("period")) query.filter.add("p.period = ?", {*v});
  if (const auto* v = q.text("channel")) query.filter.add("p.channel = ?", {*v});
  if (auto v = q.integer("campaign_id")) query.filter.add("p.campaign_id = ?", {*v});
  auto page = runList(c, performanceSpec(), q, query, [](const RowReader& r) -> nlohmann::json {
    return {{"period", r.text(0)},
            {"campaign_id", r.integer(1)},
            {"campaign_name", r.text(2)},
            {"channel", r.text(3)},
            {"spend", r.real(4)},
            {"impressions", r.integer(5)},
            {"clicks", r.integer(6)},
            {"ctr", r.real(7)},
            {"cpc", r.real(8)},
            {"cpm", r.real(9)},
            {"accounts_reached", r.integer(10)},
            {"accounts_engaged", r.integer(11)},
            {"influenced_pipeline", r.real(12)},
            {"sourced_pipeline", r.real(13)},
            {"attributed_pipeline", r.real(14)},
            {"attributed_revenue", r.real(15)},
            {"roas", r.real(16)},
            {"roi", r.real(17)},
            {"cac", r.real(18)}};
  });
  if (!page) return page.error();
  return ok({{"as_of", *as_of}, {"items", std::move((*page)["items"])}, {"next_cursor", (*page)["next_cursor"]}});
}

}  // namespace abm::api
