#include <gtest/gtest.h>

#include "worker/protocol.hpp"

using namespace abm;
using namespace abm::worker;

TEST(JsonCursor, WalksAnObjectWithEscapesAndNesting) {
  JsonScratch scratch;
  JsonCursor c(R"({"a":"x\"y\u00e9\n","b":-1.5e3,"c":true,"d":null,"e":{"k":[1,{"z":2}]},"f":[]})", scratch);
  std::vector<std::pair<std::string, std::string>> seen;
  ASSERT_TRUE(c.object([&](std::string_view k, const JsonSlice& v) {
    seen.emplace_back(k, v.kind == JsonKind::String ? std::string(v.str) : std::string(v.raw));
    return true;
  }));
  ASSERT_EQ(seen.size(), 6u);
  EXPECT_EQ(seen[0].second, "x\"y\xC3\xA9\n");
  EXPECT_EQ(seen[1].second, "-1.5e3");
  EXPECT_EQ(seen[4].second, R"({"k":[1,{"z":2}]})");
  EXPECT_TRUE(c.atEnd());
}

TEST(JsonCursor, RejectsMalformedInput) {
  for (const char* bad : {"{", R"({"a":})", R"({"a" 1})", R"({"a":tru})", R"({"a":"x)", R"({"a":01})",
                          R"({"a":[1,}})", "{\"a\":\"\x01\"}", R"({"a":"\u12"})", R"({a:1})"}) {
    JsonScratch scratch;
    JsonCursor c(bad, scratch);
    EXPECT_FALSE(c.object([](std::string_view, const JsonSlice&) { return true; })) << bad;
    EXPECT_NE(c.error(), nullptr) << bad;
  }
}

TEST(JsonCursor, ALoneSurrogateIsKeptForTheValidatorToJudge) {
  // Legal JSON (an emoji cut in half by a UTF-16 truncation): one record's text, not a broken
  // message. It decodes to its ill-formed 3-byte form, which the record validator repairs or refuses.
  JsonScratch scratch;
  JsonCursor c(R"({"a":"x\ud83d","b":"\udc00\ud83d\ude00","c":"\ud800\u0041"})", scratch);
  std::vector<std::string> seen;
  ASSERT_TRUE(c.object([&](std::string_view, const JsonSlice& v) {
    seen.emplace_back(v.str);
    return true;
  })) << c.error();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0], "x\xED\xA0\xBD");
  EXPECT_EQ(seen[1], "\xED\xB0\x80\xF0\x9F\x98\x80");
  EXPECT_EQ(seen[2], "\xED\xA0\x80" "A");
}

TEST(Protocol, RecordRoundTrip) {
  std::string line;
  appendRecord(line, "touchpoints", R"({"external_id":"t1","quantity":2})", "f.csv:7", 1700000000000);
  ASSERT_EQ(line.back(), '\n');
  line.pop_back();
  MessageParser p;
  ASSERT_TRUE(p.parse(line)) << p.error;
  EXPECT_EQ(p.type, MessageType::Record);
  EXPECT_EQ(p.record.stream, "touchpoints");
  EXPECT_EQ(p.record.origin, "f.csv:7");
  ASSERT_EQ(p.record.fields.size(), 2u);
  EXPECT_EQ(p.record.fields[0].name, "external_id");
  EXPECT_EQ(p.record.fields[0].value.str, "t1");
  EXPECT_EQ(p.record.fields[1].value.raw, "2");
}

TEST(Protocol, AcceptsAirbyteShapedMessagesInAnyKeyOrder) {
  MessageParser p;
  ASSERT_TRUE(p.parse(R"({"record":{"data":{"external_id":"1"},"stream":"accounts","emitted_at":1},"type":"RECORD"})"));
  EXPECT_EQ(p.type, MessageType::Record);
  EXPECT_EQ(p.record.stream, "accounts");
  std::string state = stateMessage("accounts", R"({"cursor":"2024"})");
  state.pop_back();
  ASSERT_TRUE(p.parse(state));
  EXPECT_EQ(p.type, MessageType::State);
  EXPECT_EQ(p.other["state"]["stream"]["stream_descriptor"]["name"], "accounts");
  EXPECT_EQ(p.other["state"]["stream"]["stream_state"]["cursor"], "2024");
  std::string trace = recordErrorTrace("touchpoints", "t.csv:3", "bad row", 5);
  trace.pop_back();
  ASSERT_TRUE(p.parse(trace));
  EXPECT_EQ(p.type, MessageType::Trace);
  EXPECT_EQ(p.other["trace"]["error"]["failure_type"], "record_error");
}

TEST(Protocol, ExplainsBadMessages) {
  MessageParser p;
  EXPECT_FALSE(p.parse("Segmentation fault"));
  EXPECT_NE(p.error.find("not a JSON object"), std::string::npos);
  EXPECT_FALSE(p.parse(R"({"record":{}})"));
  EXPECT_NE(p.error.find("no \"type\""), std::string::npos);
  EXPECT_FALSE(p.parse(R"({"type":"RECORD","record":{"stream":"a"}})"));
  EXPECT_NE(p.error.find("\"data\""), std::string::npos);
  EXPECT_FALSE(p.parse(R"({"type":"RECORD","record":{"stream":"a","data":{"x":1}}} trailing)"));
}
