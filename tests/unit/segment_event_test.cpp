#include <gtest/gtest.h>

#include <string>

#include "collector/segment_event.hpp"
#include "common/timestamp.hpp"

using namespace abm;
using namespace abm::collector;

namespace {

// 2024-03-01T12:00:00Z
constexpr int64_t kReceivedMs = 1709294400000;

DecodedRequest batch(const std::string& events, const std::string& extra = "") {
  return decodeRequest(Endpoint::Batch, R"({"batch": [)" + events + "]" + extra + "}", kReceivedMs);
}

std::string errorOf(const DecodedRequest& r) { return r.error ? r.error->message : "(no error)"; }

TEST(SegmentEvent, DecodesEveryTypeOfABatch) {
  auto r = batch(R"({"type": "identify", "userId": "u1", "traits": {"email": "jo@acme.com"}, "messageId": "m1"},
                    {"type": "track", "anonymousId": "a1", "event": "Demo Requested", "properties": {"plan": "pro"}},
                    {"type": "page", "userId": 42, "name": "Pricing", "properties": {"url": "https://x.io/p"}},
                    {"type": "screen", "userId": "u1", "name": "Home"},
                    {"type": "group", "userId": "u1", "groupId": "g1", "traits": {"name": "Acme"}},
                    {"type": "alias", "userId": "u1", "previousId": "a1"})",
                 R"(, "writeKey": "k1")");
  ASSERT_FALSE(r.error) << errorOf(r);
  ASSERT_EQ(r.events.size(), 6u);
  EXPECT_EQ(r.write_key, "k1");
  EXPECT_EQ(r.events[0].type, EventType::Identify);
  EXPECT_EQ(r.events[0].message_id, "m1");
  EXPECT_EQ(r.events[0].traits["email"], "jo@acme.com");
  EXPECT_EQ(r.events[1].type, EventType::Track);
  EXPECT_EQ(r.events[1].event, "Demo Requested");
  EXPECT_EQ(r.events[1].anonymous_id, "a1");
  EXPECT_EQ(r.events[1].properties["plan"], "pro");
  EXPECT_EQ(r.events[2].user_id, "42");  // a numeric userId is taken as its digits
  EXPECT_EQ(r.events[2].name, "Pricing");
  EXPECT_EQ(r.events[3].type, EventType::Screen);
  EXPECT_EQ(r.events[4].group_id, "g1");
  EXPECT_EQ(r.events[5].previous_id, "a1");
  EXPECT_EQ(r.events[2].where, "batch[2]");
}

TEST(SegmentEvent, SingleEndpointsTakeTheirTypeFromThePath) {
  auto r = decodeRequest(Endpoint::Track, R"({"userId": "u1", "event": "Signed Up", "writeKey": "k"})", kReceivedMs);
  ASSERT_FALSE(r.error) << errorOf(r);
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.events[0].type, EventType::Track);
  EXPECT_EQ(r.write_key, "k");
  EXPECT_EQ(r.events[0].where, "the event");

  r = decodeRequest(Endpoint::Track, R"({"type": "identify", "userId": "u1", "event": "x"})", kReceivedMs);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->status, 400);
  EXPECT_NE(r.error->message.find("/v1/track takes track events"), std::string::npos) << r.error->message;
}

TEST(SegmentEvent, RefusalsNameTheEventAndWhatIsWrong) {
  struct Case {
    std::string events, expected;
  };
  const Case cases[] = {
      {R"({"type": "track", "userId": "u", "event": "e"}, {"userId": "u"})", R"(batch[1]: "type" is missing)"},
      {R"({"type": "track", "userId": "u", "event": "e"}, [1, 2])", "batch[1]: an event must be a JSON object, got an array"},
      {R"({"type": "purchase", "userId": "u"})", R"(batch[0]: unknown "type" "purchase")"},
      {R"({"type": 3, "userId": "u"})", R"(batch[0]: "type" must be a string, got a number)"},
      {R"({"type": "track", "userId": "u"})", R"(batch[0]: a track event needs "event")"},
      {R"({"type": "page", "name": "x"})", R"(batch[0]: an event needs "userId" or "anonymousId")"},
      {R"({"type": "group", "userId": "u"})", R"(batch[0]: a group event needs "groupId")"},
      {R"({"type": "alias", "userId": "u"})", R"(batch[0]: an alias needs "previousId")"},
      {R"({"type": "page", "userId": {"id": 1}})", R"(batch[0]: "userId" must be a string, got an object)"},
      {R"({"type": "page", "userId": "u", "properties": [1]})", R"(batch[0]: "properties" must be an object, got an array)"},
      {R"({"type": "page", "userId": "u", "timestamp": "yesterday"})", R"(batch[0]: "timestamp" is not an ISO-8601 time)"},
  };
  for (const auto& c : cases) {
    auto r = batch(c.events);
    ASSERT_TRUE(r.error) << c.events;
    EXPECT_EQ(r.error->status, 400) << c.events;
    EXPECT_EQ(r.error->message.rfind(c.expected, 0), 0u) << r.error->message;
    EXPECT_TRUE(r.events.empty()) << "a refused request keeps none of its events";
  }
}

TEST(SegmentEvent, MalformedJsonSaysWhichEvent) {
  auto r = batch(R"({"type": "page", "userId": "u"}, {"type": "page", "userId": "u"}, {"type": "page", "userId" "u"})");
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->status, 400);
  EXPECT_EQ(r.error->message.rfind("batch[2]: not valid JSON: ", 0), 0u) << r.error->message;
  EXPECT_EQ(r.event_count, 0u);

  r = decodeRequest(Endpoint::Batch, "{\"batch\": [", kReceivedMs);
  ASSERT_TRUE(r.error);
  EXPECT_NE(r.error->message.find("not valid JSON"), std::string::npos) << r.error->message;
  r = decodeRequest(Endpoint::Track, "not json", kReceivedMs);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->message.rfind("the body: not valid JSON", 0), 0u) << r.error->message;
  r = decodeRequest(Endpoint::Batch, R"({"events": []})", kReceivedMs);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->message.rfind("\"batch\" is missing", 0), 0u) << r.error->message;
  r = decodeRequest(Endpoint::Batch, R"([{"type": "page"}])", kReceivedMs);
  ASSERT_TRUE(r.error);
  EXPECT_NE(r.error->message.find("must be a JSON object"), std::string::npos) << r.error->message;
}

TEST(SegmentEvent, DeepNestingIsRefusedBeforeAnyTreeIsBuilt) {
  std::string deep = R"({"type": "track", "userId": "u", "event": "e", "properties": )";
  for (int i = 0; i < 100000; ++i) deep += "[";
  auto r = batch(deep);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->message.rfind("batch[0]: JSON nested deeper than 32 levels", 0), 0u) << r.error->message;
}

TEST(SegmentEvent, AnEventOver32KBIs413) {
  const std::string big(kMaxEventBytes, 'x');
  auto r = batch(R"({"type": "page", "userId": "u"}, {"type": "track", "userId": "u", "event": "e", "properties": {"blob": ")" +
                 big + "\"}}");
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->status, 413);
  EXPECT_EQ(r.error->code, "too_large");
  EXPECT_EQ(r.error->message.rfind("batch[1]: the event is ", 0), 0u) << r.error->message;
  EXPECT_EQ(r.event_count, 2u);
  // Just under the limit passes.
  const std::string fits(kMaxEventBytes - 200, 'x');
  r = batch(R"({"type": "track", "userId": "u", "event": "e", "properties": {"blob": ")" + fits + "\"}}");
  EXPECT_FALSE(r.error) << errorOf(r);
}

TEST(SegmentEvent, TimestampsFollowSegmentsClockSkewCorrection) {
  // The client's clock is 10 minutes fast: it stamped the event at 12:05 and sent it at 12:10
  // (its time) while the server received it at 12:00 -> it happened 5 minutes before receipt.
  auto r = batch(R"({"type": "page", "userId": "u", "timestamp": "2024-03-01T12:05:00.000Z"})",
                 R"(, "sentAt": "2024-03-01T12:10:00.000Z")");
  ASSERT_FALSE(r.error) << errorOf(r);
  EXPECT_EQ(formatTimestamp(r.events[0].occurred_at), "2024-03-01T11:55:00Z");
  // The event's own sentAt wins over the batch's; originalTimestamp stands in for timestamp.
  r = batch(R"({"type": "page", "userId": "u", "originalTimestamp": "2024-03-01T13:00:00.500Z", "sentAt": "2024-03-01T13:00:01Z"})",
            R"(, "sentAt": "2024-03-01T12:10:00.000Z")");
  ASSERT_FALSE(r.error) << errorOf(r);
  EXPECT_EQ(formatTimestamp(r.events[0].occurred_at), "2024-03-01T11:59:59Z");  // 12:00:00 - 0.5 s, seconds kept whole
  // Without sentAt the timestamp is taken as is (a historical import).
  r = batch(R"({"type": "page", "userId": "u", "timestamp": "2020-01-02T03:04:05+02:00"})");
  ASSERT_FALSE(r.error) << errorOf(r);
  EXPECT_EQ(formatTimestamp(r.events[0].occurred_at), "2020-01-02T01:04:05Z");
  // Without any time: when it was received.
  r = batch(R"({"type": "page", "userId": "u"})");
  EXPECT_EQ(formatTimestamp(r.events[0].occurred_at), "2024-03-01T12:00:00Z");
  // An event cannot have happened after it arrived.
  r = batch(R"({"type": "page", "userId": "u", "timestamp": "2030-01-01T00:00:00Z"})");
  EXPECT_EQ(formatTimestamp(r.events[0].occurred_at), "2024-03-01T12:00:00Z");
}

TEST(SegmentEvent, TheBatchContextIsMergedUnderTheEvents) {
  auto r = batch(R"({"type": "page", "userId": "u", "context": {"ip": "1.2.3.4"}})",
                 R"(, "context": {"ip": "9.9.9.9", "library": {"name": "analytics-node"}})");
  ASSERT_FALSE(r.error) << errorOf(r);
  EXPECT_EQ(r.events[0].context["ip"], "1.2.3.4");
  EXPECT_EQ(r.events[0].context["library"]["name"], "analytics-node");
}

TEST(SegmentEvent, EventsWithoutMessageIdGetAStableOne) {
  const std::string e = R"({"type": "page", "userId": "u", "timestamp": "2024-03-01T11:00:00Z"})";
  auto a = batch(e), b = batch(e), c = batch(R"({"type": "page", "userId": "v", "timestamp": "2024-03-01T11:00:00Z"})");
  ASSERT_FALSE(a.error);
  EXPECT_EQ(a.events[0].message_id.rfind("auto-", 0), 0u);
  EXPECT_EQ(a.events[0].message_id, b.events[0].message_id) << "a retry is the same event";
  EXPECT_NE(a.events[0].message_id, c.events[0].message_id);
}

TEST(SegmentEvent, AnEmptyBatchIsFine) {
  auto r = batch("");
  EXPECT_FALSE(r.error) << errorOf(r);
  EXPECT_TRUE(r.events.empty());
}

TEST(SegmentEvent, IdentifyTraitsMayComeInTheContext) {
  auto r = batch(R"({"type": "identify", "userId": "u", "context": {"traits": {"email": "a@b.co"}}})");
  ASSERT_FALSE(r.error) << errorOf(r);
  EXPECT_EQ(r.events[0].traits["email"], "a@b.co");
}

TEST(SegmentEvent, ParsesMilliseconds) {
  EXPECT_EQ(parseTimeMillis("2024-03-01T12:00:00.123Z"), kReceivedMs + 123);
  EXPECT_EQ(parseTimeMillis("2024-03-01T12:00:00.1Z"), kReceivedMs + 100);
  EXPECT_EQ(parseTimeMillis("2024-03-01T12:00:00.123456+00:00"), kReceivedMs + 123);
  EXPECT_EQ(parseTimeMillis("2024-03-01T12:00:00Z"), kReceivedMs);
  EXPECT_FALSE(parseTimeMillis("noon"));
}

}  // namespace
