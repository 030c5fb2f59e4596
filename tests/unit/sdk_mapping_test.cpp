// The mapping language of rest, airbyte and singer connectors (<abm/sdk/mapping.hpp>, docs/mapping.md).
#include <abm/sdk/mapping.hpp>

#include <gtest/gtest.h>

namespace mapping = abm::sdk::mapping;
using nlohmann::json;

namespace {

std::string parseError(const json& streams, std::span<const std::string_view> extra = {}) {
  std::vector<mapping::StreamMapping> out;
  return mapping::parseStreams(streams, out, extra);
}

mapping::StreamMapping accountsWith(const json& fields) {
  std::vector<mapping::StreamMapping> out;
  const std::string e = mapping::parseStreams(json{{"orgs", {{"entity", "accounts"}, {"fields", fields}}}}, out);
  EXPECT_EQ(e, "");
  return out.empty() ? mapping::StreamMapping{} : out.front();
}

json mapped(const mapping::StreamMapping& m, const json& record) {
  const auto r = mapping::apply(m, record);
  EXPECT_TRUE(r.ok()) << r.error;
  return r.ok() ? json::parse(r.json) : json();
}

}  // namespace

TEST(SdkMapping, ReadsPointersTransformsAndConstants) {
  std::vector<mapping::StreamMapping> out;
  const json streams = json::parse(R"({"organizations": {"entity": "accounts", "fields": {
      "external_id": "/id", "name": "/name", "domain": {"from": "/website", "transform": "domain"},
      "is_target": {"value": true}}}})");
  ASSERT_EQ(mapping::parseStreams(streams, out), "");
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].stream, "organizations");
  EXPECT_EQ(out[0].entity, "accounts");
  ASSERT_EQ(out[0].fields.size(), 4u);
  const auto field = [&](const std::string& name) {
    return *std::find_if(out[0].fields.begin(), out[0].fields.end(), [&](const auto& f) { return f.field == name; });
  };
  EXPECT_EQ(field("domain").from, "/website");
  EXPECT_EQ(field("domain").transform, "domain");
  EXPECT_TRUE(field("is_target").constant);
  EXPECT_EQ(field("is_target").value, true);
  EXPECT_EQ(out[0].definition, streams["organizations"]);
}

TEST(SdkMapping, EveryMistakeNamesItsKeyPath) {
  const auto fields = [](const json& f) { return json{{"orgs", {{"entity", "accounts"}, {"fields", f}}}}; };
  EXPECT_EQ(parseError(json::object()).rfind("streams: expected an object", 0), 0u);
  EXPECT_EQ(parseError(json{{"orgs", 3}}), "streams.orgs: expected an object with \"entity\" and \"fields\"");
  EXPECT_EQ(parseError(json{{"orgs", {{"entity", "companies"}, {"fields", {{"external_id", "/id"}}}}}}),
            "streams.orgs.entity: unknown entity 'companies' (accounts, contacts, opportunities, campaigns, "
            "touchpoints, ad_spend, survey_responses)");
  EXPECT_EQ(parseError(fields({{"external_id", "/id"}, {"domain", {{"from", "/web"}, {"transform", "domian"}}}})),
            "streams.orgs.fields.domain.transform: unknown transform 'domian' (lowercase, trim, domain, "
            "epoch_seconds, epoch_millis, date, timestamp, utc_timestamp, number, integer, string, boolean)");
  EXPECT_EQ(parseError(fields({{"external_id", "/id"}, {"website", "/web"}})).rfind(
                "streams.orgs.fields.website: 'website' is not a field of accounts (external_id, name, domain", 0),
            0u);
  EXPECT_EQ(parseError(fields({{"external_id", "id"}})),
            "streams.orgs.fields.external_id: 'id' is not a JSON pointer: it must start with '/' (e.g. \"/id\")");
  EXPECT_EQ(parseError(fields({{"external_id", "/a~2"}})).rfind("streams.orgs.fields.external_id: '/a~2' is not a JSON pointer", 0), 0u);
  EXPECT_EQ(parseError(fields({{"name", "/name"}})),
            "streams.orgs.fields.external_id: accounts need it; map it to a source field holding the record's id (e.g. \"/id\")");
  EXPECT_EQ(parseError(fields({{"external_id", "/id"}, {"name", {{"from", "/n"}, {"as", "x"}}}})),
            "streams.orgs.fields.name.as: unknown key (from, transform, value)");
  EXPECT_EQ(parseError(fields({{"external_id", "/id"}, {"name", {{"value", "x"}, {"from", "/n"}}}})),
            "streams.orgs.fields.name: a constant takes \"value\" alone");
  EXPECT_EQ(parseError(fields({{"external_id", 7}})).rfind("streams.orgs.fields.external_id: expected a JSON pointer", 0), 0u);
  EXPECT_EQ(parseError(json{{"acts", {{"entity", "touchpoints"}, {"fields", {{"external_id", "/id"}, {"channel", {{"value", "sales"}}}}}}}}),
            "streams.acts.fields.activity: touchpoints need it; map it to a source field or a constant");
}

TEST(SdkMapping, StreamKeysBeyondEntityAndFieldsAreThoseTheCallerAllows) {
  const json streams = {{"deals", {{"entity", "opportunities"}, {"path", "/v1/deals"},
                                   {"fields", {{"external_id", "/id"}, {"created_at", "/add_time"}}}}}};
  EXPECT_EQ(parseError(streams), "streams.deals.path: unknown key (entity, fields)");
  constexpr std::string_view kRest[] = {"path", "query", "records", "paginator", "cursor"};
  EXPECT_EQ(parseError(streams, kRest), "");
}

TEST(SdkMapping, TransformsTurnVendorValuesIntoUnifiedOnes) {
  const auto m = accountsWith(json::parse(R"({"external_id": "/id", "domain": {"from": "/web", "transform": "domain"},
      "name": {"from": "/name", "transform": "trim"}, "country": {"from": "/cc", "transform": "lowercase"},
      "employee_count": {"from": "/staff", "transform": "integer"}, "annual_revenue": {"from": "/rev", "transform": "number"},
      "is_target": {"from": "/abm", "transform": "boolean"}, "created_at": {"from": "/created", "transform": "epoch_seconds"},
      "updated_at": {"from": "/updated", "transform": "timestamp"}, "tier": {"from": "/tier", "transform": "string"}})"));
  const json r = mapped(m, json::parse(R"({"id": 42, "web": "https://WWW.Acme.com:443/de?x=1", "name": "  Acme  ",
      "cc": "DE", "staff": "120", "rev": "1250000.50", "abm": "yes", "created": 1700000000,
      "updated": "2024-03-01T12:00:00+02:00", "tier": 1})"));
  EXPECT_EQ(r, json::parse(R"({"external_id": "42", "domain": "acme.com", "name": "Acme", "country": "de",
      "employee_count": 120, "annual_revenue": 1250000.5, "is_target": true, "created_at": "2023-11-14T22:13:20.000Z",
      "updated_at": "2024-03-01T10:00:00.000Z", "tier": "1"})"));
}

TEST(SdkMapping, DatesAndMillisecondsBecomeTimestamps) {
  std::vector<mapping::StreamMapping> out;
  ASSERT_EQ(mapping::parseStreams(json::parse(R"({"deals": {"entity": "opportunities", "fields": {"external_id": "/id",
      "created_at": {"from": "/add", "transform": "epoch_millis"},
      "expected_close_at": {"from": "/close", "transform": "date"}}}})"), out), "");
  EXPECT_EQ(mapped(out[0], json::parse(R"({"id": "d1", "add": "1700000000123", "close": "2024-02-29"})")),
            json::parse(R"({"external_id": "d1", "created_at": "2023-11-14T22:13:20.123Z",
                            "expected_close_at": "2024-02-29T00:00:00.000Z"})"));
}

TEST(SdkMapping, MissingNullAndEmptyValuesAreLeftOutAndADomainThatIsNoneToo) {
  const auto m = accountsWith(json::parse(R"({"external_id": "/id", "name": "/org/name",
      "domain": {"from": "/web", "transform": "domain"}, "industry": "/tags/0"})"));
  EXPECT_EQ(mapped(m, json::parse(R"({"id": "a", "org": null, "web": "n/a", "tags": []})")), json::parse(R"({"external_id": "a"})"));
  EXPECT_EQ(mapped(m, json::parse(R"({"id": "a", "org": {"name": ""}, "web": null})")), json::parse(R"({"external_id": "a"})"));
  EXPECT_EQ(mapped(m, json::parse(R"({"id": "a", "org": {"name": "Acme"}, "tags": ["Software", "B2B"]})")),
            json::parse(R"({"external_id": "a", "name": "Acme", "industry": "Software"})"));
}

TEST(SdkMapping, AValueATransformCannotTakeNamesTheStreamFieldAndPointer) {
  const auto m = accountsWith(json::parse(R"({"external_id": "/id",
      "employee_count": {"from": "/staff", "transform": "integer"},
      "created_at": {"from": "/created", "transform": "timestamp"}})"));
  auto r = mapping::apply(m, json::parse(R"({"id": "a", "staff": "12.5"})"));
  EXPECT_EQ(r.error, "orgs: field 'employee_count' from /staff (integer): expected a whole number, found \"12.5\"");
  r = mapping::apply(m, json::parse(R"({"id": "a", "created": "01/03/2024"})"));
  EXPECT_EQ(r.error, "orgs: field 'created_at' from /created (timestamp): expected an ISO-8601 timestamp, found \"01/03/2024\"");
  r = mapping::apply(m, json::parse(R"({"id": "a", "staff": {"n": 1}})"));
  EXPECT_FALSE(r.ok());
}

TEST(SdkMapping, AZonelessTimeIsUtcOnlyWhenTheDefinitionSaysSo) {
  const auto plain = accountsWith(json::parse(R"({"external_id": "/id",
      "created_at": {"from": "/added", "transform": "timestamp"}})"));
  auto r = mapping::apply(plain, json::parse(R"({"id": "a", "added": "2024-01-05 10:00:00"})"));
  EXPECT_EQ(r.error, "orgs: field 'created_at' from /added (timestamp): expected an ISO-8601 timestamp, found \"2024-01-05 10:00:00\"");
  const auto utc = accountsWith(json::parse(R"({"external_id": "/id",
      "created_at": {"from": "/added", "transform": "utc_timestamp"}})"));
  EXPECT_EQ(mapped(utc, json::parse(R"({"id": "a", "added": "2024-01-05 10:00:00"})"))["created_at"], "2024-01-05T10:00:00.000Z");
  EXPECT_EQ(mapped(utc, json::parse(R"({"id": "a", "added": "2024-01-05T10:00:00+02:00"})"))["created_at"],
            "2024-01-05T08:00:00.000Z") << "a zone that is there is used";
  EXPECT_FALSE(mapping::apply(utc, json::parse(R"({"id": "a", "added": "yesterday"})")).ok());
}

TEST(SdkMapping, StreamsComeInTheOrderReferencesResolve) {
  std::vector<mapping::StreamMapping> out;
  ASSERT_EQ(mapping::parseStreams(json::parse(R"({
      "activities": {"entity": "touchpoints", "fields": {"external_id": "/id", "channel": {"value": "sales"},
                     "activity": {"value": "meeting"}, "occurred_at": "/due"}},
      "deals": {"entity": "opportunities", "fields": {"external_id": "/id", "created_at": "/add"}},
      "persons": {"entity": "contacts", "fields": {"external_id": "/id"}},
      "orgs": {"entity": "accounts", "fields": {"external_id": "/id"}}})"), out), "");
  const auto streams = mapping::streamsOf(out, false);
  ASSERT_EQ(streams.size(), 4u);
  EXPECT_EQ(streams[0].name, "orgs");
  EXPECT_EQ(streams[1].name, "persons");
  EXPECT_EQ(streams[2].name, "deals");
  EXPECT_EQ(streams[3].name, "activities");
  EXPECT_EQ(streams[3].entity, "touchpoints");
  EXPECT_FALSE(streams[0].incremental);
}
