// What a decoded event becomes in the unified store, as validated rows (the same validator every
// plugin's records pass): page/screen and track events are touchpoints (a "Survey Responded" track
// event a survey response too), identify a contact (and its company's account), group an account
// and the user's tie to it. Pure: what depends on the store
// (duplicates, identity stitching, whether an account exists yet) is decided by EventWriter.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "collector/segment_event.hpp"
#include "common/status.hpp"
#include "config/connector_config.hpp"
#include "pipeline/identity_rules.hpp"
#include "pipeline/record_validator.hpp"

namespace abm::collector {

// A push connector's settings: {"write_key": "...", "event_activities": {"Demo Requested": "form_submit"}}.
struct SourceSettings {
  std::string name;  // the connector's name: the rows' source
  std::string write_key;
  std::map<std::string, std::string> event_activities;  // track event name -> activity (validated)
};

// Reads and checks a push connector's settings; errors name the connector file and the key.
Result<SourceSettings> sourceSettings(const config::ConnectorConfig& c);

// "Demo Requested" -> "demo_requested", "signedUp" -> "signed_up": lowercase ASCII letters and
// digits, runs of anything else one '_', at most 64 bytes; "other" when nothing is left.
std::string snakeCaseActivity(std::string_view event_name);

// The prefix of accounts the collector creates from a company's (or a work email's) domain:
// external_id "domain:acme.com".
inline constexpr std::string_view kDomainAccountPrefix = "domain:";

// The track event that is a survey answer: properties.score (0-10) and properties.comment.
inline constexpr std::string_view kSurveyEvent = "Survey Responded";

struct MappedEvent {
  EventType type = EventType::Track;
  std::string where;
  std::string message_id, user_id, anonymous_id, previous_id, group_id;
  int64_t occurred_at = 0;

  std::optional<pipeline::Row> touchpoint;  // track, page, screen
  std::optional<pipeline::Row> survey;      // a "Survey Responded" track event
  // identify: the user; group: the user's tie to the group (its external_id is the userId, or the
  // anonymousId as a stand-in that EventWriter replaces by the user it is linked to).
  std::optional<pipeline::Row> contact;
  // group: the group's account; identify: the account of the company's domain (or of a work email's
  // domain), written only when no account holds that domain yet.
  std::optional<pipeline::Row> account;
  bool account_named_by_id = false;   // group: no name or domain in its traits, so the groupId names it
  bool account_from_company = false;  // identify: from company traits (else from the email's domain)
  std::string account_key;            // identify: the registrable domain of `account`

  // Set by EventWriter: the user an anonymous event's anonymousId is linked to; rows point into it.
  std::string linked_user;

  // The rows' text: a deque keeps each string where it is while more are added.
  std::deque<std::string> text;
};

// Maps one event; an error (400) names the event and the field. Optional fields taken from traits
// that do not fit the unified rules (an email that is not one, "employees": "many") are left out
// rather than refusing the request; ids that cannot be stored (a NUL in userId) refuse it.
Result<std::unique_ptr<MappedEvent>> mapEvent(const SegmentEvent& event, const SourceSettings& source,
                                              const pipeline::IdentityRules& identity);

}  // namespace abm::collector
