// The rest plugin's connector definition (plugins/rest): every mistake is refused with its key path,
// and an incremental stream's cursor values are compared and sent as the definition says.
#include <gtest/gtest.h>

#include "cursor_value.hpp"
#include "rest_definition.hpp"

namespace {

using nlohmann::json;

// A valid one-stream definition; `change` is merged into streams.deals.
json definition(const json& change = json::object()) {
  json deal{{"entity", "opportunities"},
            {"path", "/v1/deals"},
            {"records", "/data"},
            {"fields", {{"external_id", "/id"}, {"created_at", "/add_time"}}}};
  for (const auto& [k, v] : change.items()) {
    if (v.is_null()) deal.erase(k);
    else deal[k] = v;
  }
  return {{"base_url", "https://acme.example"}, {"streams", {{"deals", deal}}}};
}

std::string why(const json& change) {
  std::vector<rest::RestStream> out;
  return rest::readDefinition(definition(change), out);
}

TEST(RestDefinition, ReadsAStreamWithItsPagingQueryAndCursor) {
  std::vector<rest::RestStream> out;
  const json d = definition({{"query", {{"sort", "update_time ASC"}, {"limit", "500"}}},
                             {"paginator", {{"type", "offset"}, {"param", "start"}, {"next", "/additional_data/pagination/next_start"}}},
                             {"cursor", {{"field", "/update_time"}, {"param", "since"}, {"format", "datetime"}, {"start", "2024-01-01"}}}});
  ASSERT_EQ(rest::readDefinition(d, out), "");
  ASSERT_EQ(out.size(), 1u);
  const auto& s = out[0];
  EXPECT_EQ(s.mapping.stream, "deals");
  EXPECT_EQ(s.mapping.entity, "opportunities");
  EXPECT_EQ(s.path, "/v1/deals");
  EXPECT_EQ(s.records, "/data");
  EXPECT_EQ(s.query, (std::vector<std::pair<std::string, std::string>>{{"limit", "500"}, {"sort", "update_time ASC"}}));
  EXPECT_EQ(s.paging.type, abm::sdk::http::PagingType::Offset);
  EXPECT_EQ(s.paging.next, "/additional_data/pagination/next_start");
  EXPECT_TRUE(s.incremental);
  EXPECT_EQ(s.cursor.field, "/update_time");
  EXPECT_EQ(s.cursor.param, "since");
  EXPECT_EQ(s.cursor.format, rest::CursorFormat::DateTime);
  EXPECT_EQ(s.cursor.start, "2024-01-01");
  // Without a cursor the stream is a full refresh; "" as records means the answer is the array.
  ASSERT_EQ(rest::readDefinition(definition({{"records", ""}}), out), "");
  EXPECT_FALSE(out[0].incremental);
  EXPECT_EQ(out[0].records, "");
}

TEST(RestDefinition, EveryMistakeNamesItsKeyPath) {
  EXPECT_EQ(why({{"paginator", {{"type", "curser"}}}}),
            "streams.deals.paginator.type: unknown type 'curser' (none, cursor, offset, page, next_url, link_header)");
  EXPECT_EQ(why({{"paginator", {{"type", "cursor"}, {"next", "/meta/next"}}}}),
            "streams.deals.paginator.param: a cursor paginator needs it (e.g. \"cursor\")");
  EXPECT_EQ(why({{"cursor", {{"param", "since"}}}}),
            "streams.deals.cursor.field: the pointer to the record's cursor value (e.g. \"/update_time\") is missing");
  EXPECT_EQ(why({{"cursor", {{"field", "update_time"}, {"param", "since"}}}}),
            "streams.deals.cursor.field: 'update_time' is not a JSON pointer: it must start with '/' (e.g. \"/id\")");
  EXPECT_EQ(why({{"cursor", {{"field", "/update_time"}}}}),
            "streams.deals.cursor.param: the query parameter that sends the last value (e.g. \"since\") is missing");
  EXPECT_EQ(why({{"cursor", {{"field", "/update_time"}, {"param", "since"}, {"format", "unix"}}}}),
            "streams.deals.cursor.format: unknown format 'unix' (raw, iso, datetime, date, epoch_seconds, epoch_millis)");
  EXPECT_EQ(why({{"cursor", {{"field", "/update_time"}, {"param", "since"}, {"from", "x"}}}}),
            "streams.deals.cursor.from: unknown key (field, param, format, start)");
  EXPECT_EQ(why({{"cursor", {{"field", "/t"}, {"param", "since"}}}, {"query", {{"since", "2024-01-01"}}}}),
            "streams.deals.query.since: the cursor's param is set by the connector, not in query");
  EXPECT_EQ(why({{"pth", "/v1/deals"}}),
            "streams.deals.pth: unknown key (entity, fields, path, query, records, paginator, cursor)");
  EXPECT_EQ(why({{"path", nullptr}}), "streams.deals.path: the path to read under base_url (e.g. \"/v1/deals\") is missing");
  EXPECT_EQ(why({{"path", "https://other.example/v1/deals"}}), "streams.deals.path: a path under base_url, not a whole URL");
  EXPECT_EQ(why({{"query", {{"limit", 500}}}}), "streams.deals.query.limit: must be a string (write numbers as \"500\")");
  EXPECT_EQ(why({{"records", "data"}}),
            "streams.deals.records: 'data' is not a JSON pointer: it must start with '/' (e.g. \"/id\")");
  EXPECT_EQ(why({{"fields", {{"external_id", "/id"}}}}),
            "streams.deals.fields.created_at: opportunities need it; map it to a source field or a constant");
  std::vector<rest::RestStream> out;
  EXPECT_EQ(rest::readDefinition(json{{"base_url", "x"}}, out), "streams: missing; describe at least one stream (see docs/rest.md)");
}

TEST(RestCursor, ComparesTimesAsTimesAndNumbersAsNumbers) {
  // Pipedrive's zone-less "2024-03-01 12:00:00" is UTC, and later than an ISO time an hour before.
  EXPECT_TRUE(rest::cursorAfter("2024-03-01 12:00:00", "2024-03-01T11:00:00Z"));
  EXPECT_FALSE(rest::cursorAfter("2024-03-01T11:00:00+00:00", "2024-03-01 12:00:00"));
  EXPECT_TRUE(rest::cursorAfter(10, 9));
  EXPECT_FALSE(rest::cursorAfter(9, 10));
  EXPECT_TRUE(rest::cursorAfter("b", "a"));  // text that only grows
  EXPECT_TRUE(rest::cursorAfter("2024-01-01", nullptr));
  EXPECT_FALSE(rest::cursorAfter(nullptr, "2024-01-01"));
}

TEST(RestCursor, WritesTheLastValueInTheFormatAsked) {
  std::string why;
  const json t = "2024-03-01T12:30:05.250+01:00";
  EXPECT_EQ(rest::formatCursor(t, rest::CursorFormat::Iso, why), "2024-03-01T11:30:05Z");
  EXPECT_EQ(rest::formatCursor(t, rest::CursorFormat::DateTime, why), "2024-03-01 11:30:05");
  EXPECT_EQ(rest::formatCursor(t, rest::CursorFormat::Date, why), "2024-03-01");
  EXPECT_EQ(rest::formatCursor(t, rest::CursorFormat::EpochSeconds, why), "1709292605");
  EXPECT_EQ(rest::formatCursor(t, rest::CursorFormat::EpochMillis, why), "1709292605250");
  EXPECT_EQ(rest::formatCursor(1709292605, rest::CursorFormat::Iso, why), "2024-03-01T11:30:05Z");
  EXPECT_EQ(rest::formatCursor(t, rest::CursorFormat::Raw, why), "2024-03-01T12:30:05.250+01:00");
  EXPECT_EQ(why, "");
  EXPECT_EQ(rest::formatCursor("v42", rest::CursorFormat::Iso, why), "");
  EXPECT_EQ(why, "the cursor value \"v42\" is no timestamp, date or epoch number, so it cannot be sent as iso (use format raw)");
}

}  // namespace
