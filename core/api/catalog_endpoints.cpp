// GET /api/v1/campaigns and /api/v1/opportunities.
#include <cstdint>

#include "api/endpoint.hpp"
#include "api/list_query.hpp"

namespace abm::api {

namespace {

const ListSpec& campaignsSpec() {
  static const ListSpec spec{"campaigns",
                             {{"campaign_id", "k.campaign_id", KeyType::Integer},
                              {"name", "coalesce(k.name, '')", KeyType::Text},
                              {"started_at", "coalesce(k.started_at, '')", KeyType::Text}},
                             "campaign_id",
                             "k.campaign_id"};
  return spec;
}

const ListSpec& opportunitiesSpec() {
  static const ListSpec spec{"opportunities",
                             {{"opportunity_id", "o.opportunity_id", KeyType::Integer},
                              {"created_at", "o.created_at", KeyType::Text},
                              {"closed_at", "coalesce(o.closed_at, '')", KeyType::Text},
                              {"amount", "coalesce(o.amount, 0.0)", KeyType::Real}},
                             "opportunity_id",
                             "o.opportunity_id"};
  return spec;
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
  // Spend comes from ad_spend rows of the campaign's source (its primary key leads with source and
  // campaign_external_id), summed per currency: costs in two currencies are never added together.
  ListQuery query{
      "k.campaign_id, k.name, k.channel, k.source, k.external_id, k.started_at, k.ended_at,"
      " (SELECT json_group_array(json_object('currency', currency, 'cost', cost, 'impressions', impressions,"
      " 'clicks', clicks)) FROM (SELECT s.currency AS currency, sum(s.cost) AS cost,"
      " sum(s.impressions) AS impressions, sum(s.clicks) AS clicks FROM ad_spend s"
      " WHERE s.source = k.source AND s.campaign_external_id = k.external_id GROUP BY s.currency"
      " ORDER BY s.currency))",
      "FROM campaigns k"};
  if (const auto* v = q.text("channel")) query.filter.add("k.channel = ?", {*v});
  if (const auto* v = q.text("source")) query.filter.add("k.source = ?", {*v});
  if (const auto* v = q.text("q")) query.filter.add("k.name LIKE ? ESCAPE '\\'", {containsPattern(*v)});
  auto page = runList(c, campaignsSpec(), q, query, [](const RowReader& r) -> nlohmann::json {
    return {{"campaign_id", r.integer(0)}, {"name", r.text(1)},        {"channel", r.text(2)},
            {"source", r.text(3)},         {"external_id", r.text(4)}, {"started_at", r.text(5)},
            {"ended_at", r.text(6)},       {"spend", r.document(7)}};
  });
  if (!page) return page.error();
  return ok(*page);
}

QueryResult listOpportunities(Connection& c, const Call& call) {
  const auto& q = call.query;
  ListQuery query{
      "o.opportunity_id, o.account_id, a.name, o.name, o.stage, o.type, o.amount, o.currency, o.probability,"
      " o.is_closed, o.is_won, o.created_at, o.closed_at, o.updated_at, o.source, o.external_id",
      "FROM opportunities o LEFT JOIN accounts a ON a.account_id = o.account_id"};
  if (auto v = q.integer("account_id")) query.filter.add("o.account_id = ?", {*v});
  if (const auto* v = q.text("stage")) query.filter.add("o.stage = ? COLLATE NOCASE", {*v});
  if (const auto* v = q.text("type")) query.filter.add("o.type = ?", {*v});
  if (auto v = q.boolean("is_closed")) query.filter.add("o.is_closed = ?", {int64_t{*v ? 1 : 0}});
  if (auto v = q.boolean("is_won")) query.filter.add("o.is_won = ?", {int64_t{*v ? 1 : 0}});
  if (auto v = q.number("min_amount")) query.filter.add("coalesce(o.amount, 0.0) >= ?", {*v});
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
            {"external_id", r.text(15)}};
  });
  if (!page) return page.error();
  return ok(*page);
}

}  // namespace abm::api
