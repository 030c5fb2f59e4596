// GET /api/v1/attribution: the metrics stage's roll-ups of one model and conversion kind, per
// channel or per campaign, with the conversion totals they add up to.
#include "api/endpoint.hpp"
#include "api/list_query.hpp"
#include "metrics/attribution_rules.hpp"

namespace abm::api {

namespace {

using Step = store::Statement::Step;

const ListSpec& channelsSpec() {
  static const ListSpec spec{
      "attribution_channels",
      {{"value", "x.value", KeyType::Real}, {"conversions", "x.conversions", KeyType::Real}},
      "-value",
      "x.channel",
      KeyType::Text};
  return spec;
}

// Touches outside any campaign are collected under campaign_id null, which pages as 0 (ids start at 1).
const ListSpec& campaignsSpec() {
  static const ListSpec spec{
      "attribution_campaigns",
      {{"value", "x.value", KeyType::Real}, {"conversions", "x.conversions", KeyType::Real}},
      "-value",
      "coalesce(x.campaign_id, 0)",
      KeyType::Integer};
  return spec;
}

std::vector<std::string> ruleModels() {
  std::vector<std::string> out;
  for (auto m : metrics::kRuleModelNames) out.emplace_back(m);
  return out;
}

// Markov and Shapley credit channels, not touches, so they have no campaign roll-up.
std::vector<std::string> allModels() {
  auto out = ruleModels();
  out.push_back("markov");
  out.push_back("shapley");
  return out;
}

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

}  // namespace

std::vector<ParamSpec> attributionParams() {
  std::vector<ParamSpec> p = {enumParam("model", allModels()), enumParam("by", {"channel", "campaign"}),
                              enumParam("conversion", {"pipeline", "revenue"})};
  // Both roll-ups page the same way, so one set of paging parameters describes them.
  for (auto& x : pagingParams(channelsSpec())) p.push_back(std::move(x));
  return p;
}

QueryResult getAttribution(Connection& c, const Call& call) {
  const auto& q = call.query;
  const std::string model = q.text("model") ? *q.text("model") : "w_shaped";
  const std::string by = q.text("by") ? *q.text("by") : "channel";
  const std::string conversion = q.text("conversion") ? *q.text("conversion") : "revenue";
  if (by == "campaign" && (model == "markov" || model == "shapley"))
    return ApiError::badRequest(
        "invalid_parameter",
        "model '" + model + "' credits channels, not touches, so it has no campaign roll-up (" +
            call.endpoint + "); use by=channel, or one of " + joined(ruleModels()) + " with by=campaign");

  ReadSnapshot snapshot(c.db());
  if (auto b = snapshot.begin(); !b) return b.error();
  nlohmann::json out = {
      {"model", model}, {"by", by}, {"conversion", conversion}, {"as_of", nullptr}, {"totals", nullptr}};
  auto as_of = lastMetricsAsOf(c);
  if (!as_of) return as_of.error();
  out["as_of"] = *as_of;
  {
    auto st = c.prepare(
        "SELECT conversions, attributed, unattributed, value, attributed_value FROM attribution_conversions"
        " WHERE conversion = ?");
    if (!st) return st.error();
    ScopedReset reset(*st);
    (*st)->bind(1, conversion);
    if ((*st)->step() == Step::Row) {
      RowReader r(**st);
      out["totals"] = {{"conversions", r.integer(0)},
                       {"attributed", r.integer(1)},
                       {"unattributed", r.integer(2)},
                       {"value", r.real(3)},
                       {"attributed_value", r.real(4)}};
    } else if (auto ok = finished(**st, "the conversion totals"); !ok) {
      return ok.error();
    }
  }

  ListQuery query;
  query.identity = "model=" + model + "|by=" + by + "|conversion=" + conversion;
  query.resolved = {"model", "by", "conversion"};
  query.filter.add("x.model = ?", {model}).add("x.conversion = ?", {conversion});
  ApiResult<nlohmann::json> page = nlohmann::json();
  if (by == "channel") {
    query.columns = "x.channel, x.conversions, x.value";
    query.from = "FROM attribution_channels x";
    page = runList(c, channelsSpec(), q, query, [](const RowReader& r) -> nlohmann::json {
      return {{"channel", r.text(0)}, {"conversions", r.real(1)}, {"value", r.real(2)}};
    });
  } else {
    query.columns = "x.campaign_id, k.name, k.channel, x.conversions, x.value";
    query.from = "FROM attribution_campaigns x LEFT JOIN campaigns k ON k.campaign_id = x.campaign_id";
    page = runList(c, campaignsSpec(), q, query, [](const RowReader& r) -> nlohmann::json {
      return {{"campaign_id", r.integer(0)},
              {"campaign_name", r.text(1)},
              {"channel", r.text(2)},
              {"conversions", r.real(3)},
              {"value", r.real(4)}};
    });
  }
  if (!page) return page.error();
  out["items"] = std::move((*page)["items"]);
  out["next_cursor"] = std::move((*page)["next_cursor"]);
  return ok(out);
}

}  // namespace abm::api
