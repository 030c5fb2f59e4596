// Fuzzes the event collector's decoding and row mapping (core/collector/segment_event.*,
// event_rows.*): the input is a request body, tried on /v1/batch and on each single-event endpoint,
// and every decoded event is mapped to rows. Beyond "does not crash" it checks that:
//  - a refusal is a 400 or a 413 with a message, and keeps no events; a 413 names an event;
//  - an accepted event has a messageId, a user or anonymous id (an alias both ids), the type its
//    endpoint implies, a label saying where it was, and no time after its receipt;
//  - decoding is deterministic (a retried body gets the same messageIds);
//  - a mapped event has the rows of its type, each of which passed the validator: a touchpoint of a
//    track/page/screen with a unified or snake_case activity, a contact of an identify with a userId,
//    an account and a tie of a group; a mapping refusal names the event.
#include <string>
#include <string_view>

#include "collector/event_rows.hpp"
#include "fuzz_check.hpp"
#include "pipeline/entity_schema.hpp"

namespace {

using namespace abm::collector;

constexpr int64_t kReceivedMs = 1709294400000;  // 2024-03-01T12:00:00Z

const abm::pipeline::IdentityRules& identity() {
  static const auto rules = abm::pipeline::IdentityRules::make(
      abm::pipeline::FreeMailDomains::fromList({"gmail.com"}), abm::pipeline::PublicSuffixList::fromRules("com\nio\nco.uk\n"),
      {"holding.com"});
  return rules;
}

void checkMapped(const SegmentEvent& e, const MappedEvent& m) {
  using abm::pipeline::touchpoint_slot::Activity;
  switch (e.type) {
    case EventType::Track:
    case EventType::Page:
    case EventType::Screen: {
      FUZZ_CHECK(m.touchpoint.has_value(), "a " + std::string(eventTypeName(e.type)) + " event made no touchpoint");
      const std::string_view activity = (*m.touchpoint)[Activity].text;
      FUZZ_CHECK(abm::pipeline::isActivity(activity) || abm::pipeline::isCustomActivity(activity),
                 "a touchpoint with activity '" + std::string(activity) + "'");
      break;
    }
    case EventType::Identify:
      FUZZ_CHECK(m.contact.has_value() == !e.user_id.empty(), "an identify's contact does not follow its userId");
      FUZZ_CHECK(!m.account || !m.account_key.empty(), "an identify's account without its domain key");
      break;
    case EventType::Group:
      FUZZ_CHECK(m.account.has_value() && m.contact.has_value(), "a group without its account and tie");
      break;
    case EventType::Alias:
      FUZZ_CHECK(!m.touchpoint && !m.contact && !m.account, "an alias made rows");
      break;
  }
}

void run(Endpoint endpoint, std::string_view body) {
  const DecodedRequest r = decodeRequest(endpoint, body, kReceivedMs);
  if (r.error) {
    FUZZ_CHECK(r.error->status == 400 || r.error->status == 413, "a refusal with status " + std::to_string(r.error->status));
    FUZZ_CHECK(!r.error->message.empty() && !r.error->code.empty(), "a refusal without a reason");
    FUZZ_CHECK(r.events.empty(), "a refused request kept events");
    if (r.error->status == 413)
      FUZZ_CHECK(r.error->message.rfind("batch[", 0) == 0 || r.error->message.rfind("the event", 0) == 0,
                 "a 413 that names no event: " + r.error->message);
    return;
  }
  const DecodedRequest again = decodeRequest(endpoint, body, kReceivedMs);
  FUZZ_CHECK(!again.error && again.events.size() == r.events.size(), "decoding the same body twice differs");
  const SourceSettings source{"website", "k", {{"Demo Requested", "form_submit"}}};
  for (size_t i = 0; i < r.events.size(); ++i) {
    const SegmentEvent& e = r.events[i];
    FUZZ_CHECK(!e.message_id.empty(), "an event without a messageId");
    FUZZ_CHECK(e.message_id == again.events[i].message_id, "a messageId that changes between two decodings");
    FUZZ_CHECK(!e.where.empty(), "an event without its label");
    FUZZ_CHECK(e.occurred_at * 1000 <= kReceivedMs, "an event dated after its receipt");
    if (e.type == EventType::Alias) FUZZ_CHECK(!e.user_id.empty() && !e.previous_id.empty(), "an alias without both ids");
    else FUZZ_CHECK(!e.user_id.empty() || !e.anonymous_id.empty(), "an event without userId or anonymousId");
    if (endpoint != Endpoint::Batch)
      FUZZ_CHECK(static_cast<int>(e.type) + 1 == static_cast<int>(endpoint), "a single event of another type than its endpoint");
    auto mapped = mapEvent(e, source, identity());
    if (!mapped) {
      FUZZ_CHECK(mapped.error().rfind(e.where + ": ", 0) == 0, "a mapping refusal that names no event: " + mapped.error());
      continue;
    }
    checkMapped(e, **mapped);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  for (const Endpoint e : {Endpoint::Batch, Endpoint::Identify, Endpoint::Track, Endpoint::Page, Endpoint::Screen,
                           Endpoint::Group, Endpoint::Alias})
    run(e, body);
  const std::string activity = snakeCaseActivity(body);
  FUZZ_CHECK(activity == "other" || abm::pipeline::isCustomActivity(activity), "snake_case gave '" + activity + "'");
  return 0;
}
