// Segment's HTTP tracking API, decoded: one request body for one endpoint (/v1/batch, /v1/track,
// ...) becomes a list of typed events, or the one reason the request is refused, naming the event
// ("batch[3]: \"type\" is missing"). Pure: no store, no clock (the receipt time is passed in).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace abm::collector {

enum class EventType { Identify, Track, Page, Screen, Group, Alias };
// The endpoints: Batch carries any events, each other one exactly one event of its type.
enum class Endpoint { Batch, Identify, Track, Page, Screen, Group, Alias };

std::string_view eventTypeName(EventType t);
std::optional<EventType> eventTypeFromName(std::string_view name);
std::string_view endpointPath(Endpoint e);  // "/v1/batch", ...

// Segment's limits: 32 KB per event, 500 KB per batch request (the listener's max_body_bytes).
inline constexpr size_t kMaxEventBytes = 32 * 1024;
// Deeper JSON is refused before it is built (context and properties of real events nest a few levels).
inline constexpr int kMaxJsonDepth = 32;

struct SegmentEvent {
  EventType type = EventType::Track;
  std::string where;       // for messages: "batch[3]" or "the event"
  std::string message_id;  // as sent, or "auto-<hash>" when the client sent none
  std::string user_id, anonymous_id;
  std::string previous_id;  // alias
  std::string group_id;     // group
  std::string event;        // track: the event's name
  std::string name;         // page / screen: the page's name
  int64_t occurred_at = 0;  // epoch seconds, corrected for the client's clock (see decodeRequest)
  nlohmann::json properties = nlohmann::json::object();  // track / page / screen
  nlohmann::json traits = nlohmann::json::object();      // identify / group
  nlohmann::json context = nlohmann::json::object();     // the batch's context merged under the event's
};

struct DecodeError {
  int status = 400;   // 400 malformed, 413 an event over kMaxEventBytes
  std::string code;   // "bad_request" | "too_large"
  std::string message;
};

struct DecodedRequest {
  std::vector<SegmentEvent> events;
  std::string write_key;  // "writeKey" of the body (the batch's, or the single event's), if any
  size_t event_count = 0;  // events the request carried, also when it is refused (for the counters)
  std::optional<DecodeError> error;
};

// Decodes `body` as sent to `endpoint`. Never throws. Timestamps follow Segment's spec: the event's
// `timestamp` (else `originalTimestamp`) is when it happened by the client's clock; when the event
// or its batch also says `sentAt`, the client's clock skew is removed as Segment does:
// occurred = received - (sentAt - timestamp). Without either, the receipt time. A time later than
// the receipt is taken as the receipt (a clock cannot be ahead of the event's arrival).
DecodedRequest decodeRequest(Endpoint endpoint, std::string_view body, int64_t received_at_ms);

// An ISO-8601 time in milliseconds since the epoch (fractional seconds kept to the millisecond).
std::optional<int64_t> parseTimeMillis(std::string_view text);

}  // namespace abm::collector
