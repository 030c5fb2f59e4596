#include <gtest/gtest.h>

#include "wire/protocol.hpp"

using namespace abm;
using namespace abm::wire;

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
  EXPECT_EQ(p.state.stream, "accounts");
  EXPECT_EQ(p.state.state_json, R"({"cursor":"2024"})");
  std::string trace = recordErrorTrace("touchpoints", "t.csv:3", "bad row", 5);
  trace.pop_back();
  ASSERT_TRUE(p.parse(trace));
  EXPECT_EQ(p.type, MessageType::Trace);
  EXPECT_TRUE(p.trace.is_error);
  EXPECT_EQ(p.trace.failure_type, "record_error");
  EXPECT_EQ(p.trace.stream, "touchpoints");
  EXPECT_EQ(p.trace.origin, "t.csv:3");
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

// Every message a plugin can send is parsed into typed fields; a member of the wrong type is an
// error naming the message and the member, never an exception.
TEST(Protocol, WrongTypedMembersAreErrorsThatNameTheMember) {
  struct Case {
    const char* line;
    const char* says;
  };
  const Case cases[] = {
      {R"({"type":"CATALOG","catalog":{"streams":[{"name":1,"entity":"accounts"}]}})", "catalog.streams[0]: \"name\" must be a string"},
      {R"({"type":"CATALOG","catalog":{"streams":{"name":"a"}}})", "\"streams\" must be an array"},
      {R"({"type":"CATALOG","catalog":{"streams":["a"]}})", "catalog.streams[0] must be an object"},
      {R"({"type":"CATALOG","catalog":{"streams":[{"name":"a","incremental":"yes"}]}})", "\"incremental\" must be a boolean"},
      {R"({"type":"LOG","log":"x"})", "\"log\" must be an object"},
      {R"({"type":"LOG","log":{"level":3,"message":"m"}})", "\"level\" must be a string"},
      {R"({"type":"STATE","state":{"stream":{"stream_descriptor":{"name":["a"]},"stream_state":{}}}})", "\"name\" must be a string"},
      {R"({"type":"STATE","state":{"stream":{"stream_descriptor":{"name":"a"},"stream_state":"x"}}})", "\"stream_state\" must be an object"},
      {R"({"type":"STATE","state":{"stream":{"stream_descriptor":{"name":"a"}}}})", "\"stream_state\" is missing"},
      {R"({"type":"STATE","state":{"type":"GLOBAL","global":{}}})", "\"stream\" is missing"},
      {R"({"type":"TRACE","trace":{"type":"ERROR","error":{"message":{"x":1}}}})", "\"message\" must be a string"},
      {R"({"type":"TRACE","trace":{"type":"ERROR","error":{"message":"m","failure_type":"rate_limited","resume_at":"soon"}}})", "resume_at"},
      {R"({"type":"TRACE","trace":{"type":"ERROR"}})", "needs an \"error\" object"},
      {R"({"type":"CONNECTION_STATUS","connectionStatus":{"status":true}})", "\"status\" must be a string"},
      {R"({"type":"CONNECTION_STATUS","connectionStatus":{"status":"MAYBE"}})", "SUCCEEDED or FAILED"},
      {R"({"type":"SPEC","spec":{"name":"x","options":{}}})", "\"options\" must be an array"},
      {R"({"type":"SPEC","spec":{"version":"1"}})", "\"name\" is missing"},
      {R"({"type":"RECORD","record":{"stream":1,"data":{}}})", "\"record.stream\" must be a string"},
      {R"({"type":"RECORD","record":{"stream":"a","data":[1]}})", "\"record.data\" must be an object"},
      {R"({"type":1})", "\"type\" must be a non-empty string"},
      {R"({"type":"LOG","type":"RECORD","log":{}})", "more than one \"type\""},
      {R"({"type":"LOG","log":{},"log":{}})", "appears twice"},
  };
  for (const auto& c : cases) {
    MessageParser p;
    EXPECT_FALSE(p.parse(c.line)) << c.line;
    EXPECT_NE(p.error.find(c.says), std::string::npos) << c.line << "\n  said: " << p.error;
  }
}

// The probe that aborted the daemon: record data that closes the envelope early and turns the
// record into a LOG whose "log" is a string. Whatever a plugin gets the worker to frame, the
// daemon's parser answers with an error value.
TEST(Protocol, SmuggledEnvelopeIsRejectedOnBothSides) {
  const std::string smuggled = R"({}},"type":"LOG","log":"x","z":{)";
  JsonScratch scratch;
  EXPECT_NE(notOneJsonObject(smuggled, scratch), nullptr);
  EXPECT_NE(notOneJsonObject("{} {}", scratch), nullptr);
  EXPECT_NE(notOneJsonObject("[1]", scratch), nullptr);
  EXPECT_EQ(notOneJsonObject(R"( {"a":[1,{"b":null}]} )", scratch), nullptr);

  std::string line;
  appendRecord(line, "accounts", smuggled, nullptr, 1);
  line.pop_back();
  MessageParser p;
  EXPECT_FALSE(p.parse(line));
  EXPECT_FALSE(p.error.empty());
}

TEST(Protocol, ParsesEveryMessageIntoTypedFields) {
  MessageParser p;
  ASSERT_TRUE(p.parse(R"({"type":"CATALOG","catalog":{"streams":[{"name":"deals","entity":"opportunities","incremental":true},{"name":"accounts"}]}})")) << p.error;
  ASSERT_EQ(p.catalog.streams.size(), 2u);
  EXPECT_EQ(p.catalog.streams[0].entity, "opportunities");
  EXPECT_TRUE(p.catalog.streams[0].incremental);
  EXPECT_EQ(p.catalog.streams[1].entity, "accounts");  // defaults to the name
  ASSERT_TRUE(p.parse(R"({"type":"LOG","log":{"level":"WARN","message":"slow"}})"));
  EXPECT_EQ(p.log.level, "WARN");
  EXPECT_EQ(p.log.message, "slow");
  std::string rl = rateLimitedTrace("quota", 1700000000, 1);
  rl.pop_back();
  ASSERT_TRUE(p.parse(rl)) << p.error;
  EXPECT_EQ(p.trace.failure_type, "rate_limited");
  EXPECT_EQ(p.trace.resume_at, 1700000000);
  std::string rej = recordErrorTrace("contacts", "c.csv:9", "unclosed quote", 1, "a,\"b,c");
  rej.pop_back();
  ASSERT_TRUE(p.parse(rej)) << p.error;
  EXPECT_EQ(p.trace.raw, "a,\"b,c");
  ASSERT_TRUE(p.parse(R"({"type":"CONNECTION_STATUS","connectionStatus":{"status":"FAILED","message":"bad key"}})"));
  EXPECT_FALSE(p.connection_status.succeeded);
  EXPECT_EQ(p.connection_status.message, "bad key");
  ASSERT_TRUE(p.parse(R"({"type":"SPEC","spec":{"name":"csv","version":"1.0","options":[{"name":"path"}]}})"));
  EXPECT_EQ(p.spec.name, "csv");
  EXPECT_EQ(p.spec.options_json, R"([{"name":"path"}])");
  ASSERT_TRUE(p.parse(R"({"type":"TRACE","trace":{"type":"ESTIMATE","estimate":{}}})"));
  EXPECT_FALSE(p.trace.is_error);
  ASSERT_TRUE(p.parse(R"({"type":"CONTROL","control":{}})"));  // newer types are ignored
  EXPECT_EQ(p.type, MessageType::Unknown);
}

TEST(Protocol, DeepNestingIsAnErrorNotACrash) {
  std::string deep = R"({"type":"STATE","state":{"stream":{"stream_descriptor":{"name":"a"},"stream_state":)";
  for (int i = 0; i < 100000; ++i) deep += "[";
  MessageParser p;
  EXPECT_FALSE(p.parse(deep));
  EXPECT_NE(p.error.find("too deep"), std::string::npos) << p.error;
}
