#include "collector/segment_event.hpp"

#include <cstdio>
#include <exception>

#include "common/timestamp.hpp"
#include "common/utf8.hpp"

namespace abm::collector {

using nlohmann::json;

namespace {

constexpr std::string_view kTypeNames[] = {"identify", "track", "page", "screen", "group", "alias"};
constexpr std::string_view kPaths[] = {"/v1/batch", "/v1/identify", "/v1/track", "/v1/page",
                                       "/v1/screen", "/v1/group", "/v1/alias"};

// A first pass over the body that builds nothing: it refuses nesting deeper than kMaxJsonDepth
// before any tree is built (nlohmann's dump and destructor recurse per level), and when the JSON is
// malformed it says in which event of the batch.
class BodyChecker : public nlohmann::json_sax<json> {
 public:
  bool null() override { return value(); }
  bool boolean(bool) override { return value(); }
  bool number_integer(number_integer_t) override { return value(); }
  bool number_unsigned(number_unsigned_t) override { return value(); }
  bool number_float(number_float_t, const string_t&) override { return value(); }
  bool string(string_t&) override { return value(); }
  bool binary(binary_t&) override { return value(); }
  bool start_object(std::size_t) override { return open(false); }
  bool key(string_t& k) override {
    batch_key_ = frames_.size() == 1 && k == "batch";
    return true;
  }
  bool end_object() override { return close(); }
  bool start_array(std::size_t) override { return open(true); }
  bool end_array() override { return close(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& ex) override {
    std::string what = ex.what();
    // "[json.exception.parse_error.101] parse error at line 1, column 9: ..." -> from "parse error".
    if (const auto p = what.find("] "); p != std::string::npos && what.front() == '[') what.erase(0, p + 2);
    error = where() + ": not valid JSON: " + what;
    return false;
  }

  std::string error;

 private:
  struct Frame {
    bool array = false;
    bool batch = false;  // the top-level "batch" array
    size_t count = 0;    // values started in this array
  };

  bool value() {
    if (!frames_.empty() && frames_.back().array) ++frames_.back().count;
    return true;
  }
  bool open(bool array) {
    value();
    const bool batch = array && batch_key_ && frames_.size() == 1;
    frames_.push_back({array, batch, 0});
    if (static_cast<int>(frames_.size()) > kMaxJsonDepth) {
      error = where() + ": JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels";
      return false;
    }
    return true;
  }
  bool close() {
    if (!frames_.empty()) frames_.pop_back();
    return true;
  }
  std::string where() const {
    if (frames_.size() < 2 || !frames_[1].batch) return "the body";
    const size_t n = frames_[1].count;
    if (frames_.size() == 2) return n == 0 ? "batch" : "batch, after batch[" + std::to_string(n - 1) + "]";
    return "batch[" + std::to_string(n - 1) + "]";
  }

  std::vector<Frame> frames_;
  bool batch_key_ = false;
};

std::string excerptOf(const json& v) { return utf8Excerpt(v.dump(), 80); }

std::string kindOf(const json& v) {
  switch (v.type()) {
    case json::value_t::object: return "an object";
    case json::value_t::array: return "an array";
    case json::value_t::string: return "a string";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::null: return "null";
    default: return "a number";
  }
}

// The value of member `key`, or nullptr when it is absent or null (Segment's libraries send null
// for "not set").
const json* member(const json& object, const char* key) {
  const auto it = object.find(key);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

class EventDecoder {
 public:
  EventDecoder(std::string where, std::string& error) : where_(std::move(where)), error_(error) {}

  bool fail(std::string what) {
    error_ = where_ + ": " + what;
    return false;
  }

  // An identifier: text, or a whole number (some clients send numeric user ids) taken as its digits.
  bool id(const json& e, const char* key, std::string& out) {
    const json* v = member(e, key);
    if (!v) return true;
    if (v->is_string()) out = v->get<std::string>();
    else if (v->is_number_integer()) out = v->dump();
    else return fail("\"" + std::string(key) + "\" must be a string, got " + kindOf(*v));
    return true;
  }

  bool text(const json& e, const char* key, std::string& out) {
    const json* v = member(e, key);
    if (!v) return true;
    if (!v->is_string()) return fail("\"" + std::string(key) + "\" must be a string, got " + kindOf(*v));
    out = v->get<std::string>();
    return true;
  }

  bool object(const json& e, const char* key, json& out) {
    const json* v = member(e, key);
    if (!v) return true;
    if (!v->is_object()) return fail("\"" + std::string(key) + "\" must be an object, got " + kindOf(*v));
    out = *v;
    return true;
  }

  bool time(const json& e, const char* key, std::optional<int64_t>& out) {
    const json* v = member(e, key);
    if (!v) return true;
    if (!v->is_string()) return fail("\"" + std::string(key) + "\" must be an ISO-8601 time string, got " + kindOf(*v));
    out = parseTimeMillis(v->get<std::string>());
    if (!out) return fail("\"" + std::string(key) + "\" is not an ISO-8601 time like 2024-03-01T12:00:00.000Z: " + excerptOf(*v));
    return true;
  }

 private:
  std::string where_;
  std::string& error_;
};

// FNV-1a: a stable id for an event its client sent without messageId, so a retry of it is the same.
uint64_t fnv1a(std::string_view s, uint64_t h = 1469598103934665603ull) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

int64_t floorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

struct BatchDefaults {
  const json* context = nullptr;
  std::optional<int64_t> sent_at;
};

bool decodeEvent(const json& e, std::string where, std::optional<EventType> implied, const BatchDefaults& batch,
                 int64_t received_ms, SegmentEvent& out, DecodeError& err) {
  err.status = 400;
  err.code = "bad_request";
  EventDecoder d(where, err.message);
  if (!e.is_object()) return d.fail("an event must be a JSON object, got " + kindOf(e));
  const std::string compact = e.dump();
  if (compact.size() > kMaxEventBytes) {
    err.status = 413;
    err.code = "too_large";
    err.message = where + ": the event is " + std::to_string(compact.size()) + " bytes; an event may be at most " +
                  std::to_string(kMaxEventBytes) + " bytes (32 KB)";
    return false;
  }
  out.where = where;

  std::string type_name;
  if (const json* t = member(e, "type")) {
    if (!t->is_string()) return d.fail("\"type\" must be a string, got " + kindOf(*t));
    type_name = t->get<std::string>();
  }
  if (implied) {
    out.type = *implied;
    if (!type_name.empty() && type_name != eventTypeName(*implied))
      return d.fail("\"type\" is " + excerptOf(json(type_name)) + " but " + std::string(endpointPath(static_cast<Endpoint>(
                                                                         static_cast<int>(*implied) + 1))) +
                    " takes " + std::string(eventTypeName(*implied)) + " events (send mixed events to /v1/batch)");
  } else {
    if (type_name.empty()) return d.fail("\"type\" is missing (one of identify, track, page, screen, group, alias)");
    const auto t = eventTypeFromName(type_name);
    if (!t) return d.fail("unknown \"type\" " + excerptOf(json(type_name)) + " (expected identify, track, page, screen, group or alias)");
    out.type = *t;
  }

  if (!d.id(e, "messageId", out.message_id) || !d.id(e, "userId", out.user_id) ||
      !d.id(e, "anonymousId", out.anonymous_id) || !d.object(e, "context", out.context))
    return false;
  std::optional<int64_t> timestamp, original, sent;
  if (!d.time(e, "timestamp", timestamp) || !d.time(e, "originalTimestamp", original) || !d.time(e, "sentAt", sent))
    return false;

  switch (out.type) {
    case EventType::Alias:
      if (!d.id(e, "previousId", out.previous_id)) return false;
      if (out.user_id.empty()) return d.fail("an alias needs \"userId\" (the user's id from now on)");
      if (out.previous_id.empty()) return d.fail("an alias needs \"previousId\" (the id it replaces)");
      break;
    case EventType::Track:
      if (!d.text(e, "event", out.event) || !d.object(e, "properties", out.properties)) return false;
      if (out.event.empty()) return d.fail("a track event needs \"event\", the name of what happened");
      break;
    case EventType::Page:
    case EventType::Screen:
      if (!d.text(e, "name", out.name) || !d.object(e, "properties", out.properties)) return false;
      break;
    case EventType::Identify:
      if (!d.object(e, "traits", out.traits)) return false;
      // Mobile libraries send an identify's traits in context.traits.
      if (out.traits.empty()) {
        if (const auto it = out.context.find("traits"); it != out.context.end() && it->is_object()) out.traits = *it;
      }
      break;
    case EventType::Group:
      if (!d.id(e, "groupId", out.group_id) || !d.object(e, "traits", out.traits)) return false;
      if (out.group_id.empty()) return d.fail("a group event needs \"groupId\" (the account's id)");
      break;
  }
  if (out.type != EventType::Alias && out.user_id.empty() && out.anonymous_id.empty())
    return d.fail("an event needs \"userId\" or \"anonymousId\"");

  if (batch.context && batch.context->is_object()) {
    json merged = *batch.context;
    for (const auto& [k, v] : out.context.items()) merged[k] = v;
    out.context = std::move(merged);
  }

  // Segment's clock-skew correction (spec "Common fields", timestamps).
  const std::optional<int64_t> happened = timestamp ? timestamp : original;
  if (!sent) sent = batch.sent_at;
  int64_t occurred_ms = received_ms;
  if (happened && sent) occurred_ms = received_ms - (*sent - *happened);
  else if (happened) occurred_ms = *happened;
  if (occurred_ms > received_ms) occurred_ms = received_ms;
  out.occurred_at = floorDiv(occurred_ms, 1000);

  if (out.message_id.empty()) {
    // A retry of an event sent with its own time hashes the same; one without is told apart by the
    // second it was received in.
    uint64_t h = fnv1a(compact);
    if (!happened) h = fnv1a(std::to_string(out.occurred_at), h);
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
    out.message_id = std::string("auto-") + hex;
  }
  return true;
}

DecodedRequest decodeChecked(Endpoint endpoint, std::string_view body, int64_t received_ms) {
  DecodedRequest r;
  auto fail = [&](std::string message) {
    r.error = DecodeError{400, "bad_request", std::move(message)};
    return std::move(r);
  };
  {
    BodyChecker checker;
    const bool ok = json::sax_parse(body, &checker);
    if (!ok) return fail(checker.error.empty() ? "the body is not valid JSON" : checker.error);
  }
  const json root = json::parse(body, nullptr, false);
  if (root.is_discarded()) return fail("the body is not valid JSON");
  if (!root.is_object()) {
    r.event_count = root.is_array() ? root.size() : 1;
    return fail(endpoint == Endpoint::Batch
                    ? "the body must be a JSON object with a \"batch\" array of events, got " + kindOf(root)
                    : "the body must be one event, a JSON object, got " + kindOf(root));
  }
  if (const json* k = member(root, "writeKey"); k && k->is_string()) r.write_key = k->get<std::string>();

  if (endpoint != Endpoint::Batch) {
    r.event_count = 1;
    SegmentEvent e;
    DecodeError err;
    if (!decodeEvent(root, "the event", static_cast<EventType>(static_cast<int>(endpoint) - 1), {}, received_ms, e, err)) {
      r.error = std::move(err);
      return r;
    }
    r.events.push_back(std::move(e));
    return r;
  }

  const json* batch = member(root, "batch");
  if (!batch) return fail("\"batch\" is missing: /v1/batch takes {\"batch\": [events...]}");
  if (!batch->is_array()) return fail("\"batch\" must be an array of events, got " + kindOf(*batch));
  r.event_count = batch->size();
  BatchDefaults defaults;
  std::string error;
  EventDecoder top("the batch", error);
  json context = json::object();
  if (!top.object(root, "context", context) || !top.time(root, "sentAt", defaults.sent_at)) return fail(error);
  defaults.context = &context;
  r.events.reserve(batch->size());
  for (size_t i = 0; i < batch->size(); ++i) {
    SegmentEvent e;
    DecodeError err;
    if (!decodeEvent((*batch)[i], "batch[" + std::to_string(i) + "]", std::nullopt, defaults, received_ms, e, err)) {
      r.events.clear();
      r.error = std::move(err);
      return r;
    }
    r.events.push_back(std::move(e));
  }
  return r;
}

}  // namespace

std::string_view eventTypeName(EventType t) { return kTypeNames[static_cast<size_t>(t)]; }

std::optional<EventType> eventTypeFromName(std::string_view name) {
  for (size_t i = 0; i < std::size(kTypeNames); ++i)
    if (kTypeNames[i] == name) return static_cast<EventType>(i);
  return std::nullopt;
}

std::string_view endpointPath(Endpoint e) { return kPaths[static_cast<size_t>(e)]; }

std::optional<int64_t> parseTimeMillis(std::string_view text) {
  const auto seconds = parseTimestamp(text);
  if (!seconds) return std::nullopt;
  int64_t ms = 0;
  // "YYYY-MM-DDTHH:MM:SS.fff...": the fraction is the only part parseTimestamp drops.
  if (text.size() > 20 && (text[19] == '.' || text[19] == ',')) {
    int digits = 0;
    for (size_t i = 20; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i)
      if (digits < 3) {
        ms = ms * 10 + (text[i] - '0');
        ++digits;
      }
    for (; digits < 3; ++digits) ms *= 10;
  }
  return *seconds * 1000 + ms;
}

DecodedRequest decodeRequest(Endpoint endpoint, std::string_view body, int64_t received_at_ms) {
  try {
    return decodeChecked(endpoint, body, received_at_ms);
  } catch (const std::exception& e) {
    // nlohmann only throws on what the checker already refused; this keeps a surprise a 400.
    DecodedRequest r;
    r.error = DecodeError{400, "bad_request", std::string("the body cannot be decoded: ") + e.what()};
    return r;
  }
}

}  // namespace abm::collector
