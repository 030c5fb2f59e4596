// The unified entities a plugin emits and the fields each takes. The host validates records against
// these same tables, so a plugin can check its column names against them too.
#pragma once

#include <span>
#include <string_view>

namespace abm::sdk {

// What the host accepts for a field (docs/store.md#validation): Id is a record's or a reference's
// identifier (valid UTF-8, no NUL, never altered); Text is free text (ill-formed UTF-8 and NUL become
// U+FFFD); Count a whole number >= 0; Money an amount from 0 to 1e15; SignedMoney one from -1e15 to
// 1e15; Quantity a number from 0 to 1e9; Score a survey answer, a whole number from 0 to 10.
enum class FieldType {
  Id, Text, Count, Money, SignedMoney, Quantity, Bool, Timestamp, Date, Domain, Email, Object, Channel, Activity,
  OpportunityType, Probability, Score
};

struct EntityField {
  std::string_view name;
  FieldType type;
  bool required;
};

namespace entity_fields {
using F = FieldType;
inline constexpr EntityField kAccounts[] = {
    {"external_id", F::Id, true},         {"name", F::Text, false},         {"domain", F::Domain, false},
    {"industry", F::Text, false},         {"employee_count", F::Count, false},
    {"annual_revenue", F::Money, false},  {"country", F::Text, false},      {"is_target", F::Bool, false},
    {"tier", F::Text, false},             {"created_at", F::Timestamp, false},
    {"updated_at", F::Timestamp, false},  {"properties", F::Object, false}};
inline constexpr EntityField kContacts[] = {
    {"external_id", F::Id, true},     {"account_external_id", F::Id, false}, {"account_domain", F::Domain, false},
    {"email", F::Email, false},       {"first_name", F::Text, false},        {"last_name", F::Text, false},
    {"title", F::Text, false},        {"buying_role", F::Text, false},       {"created_at", F::Timestamp, false},
    {"updated_at", F::Timestamp, false}};
inline constexpr EntityField kOpportunities[] = {
    {"external_id", F::Id, true},           {"account_external_id", F::Id, false},
    {"account_domain", F::Domain, false},   {"name", F::Text, false},
    {"stage", F::Text, false},              {"type", F::OpportunityType, false},
    {"amount", F::Money, false},            {"currency", F::Text, false},
    {"probability", F::Probability, false}, {"is_closed", F::Bool, false},
    {"is_won", F::Bool, false},             {"created_at", F::Timestamp, true},
    {"closed_at", F::Timestamp, false},     {"updated_at", F::Timestamp, false},
    {"expected_close_at", F::Timestamp, false}};
inline constexpr EntityField kCampaigns[] = {{"external_id", F::Id, true},
                                             {"name", F::Text, false},
                                             {"channel", F::Channel, false},
                                             {"started_at", F::Timestamp, false},
                                             {"ended_at", F::Timestamp, false}};
inline constexpr EntityField kTouchpoints[] = {
    {"external_id", F::Id, true},         {"account_external_id", F::Id, false},
    {"account_domain", F::Domain, false}, {"contact_external_id", F::Id, false},
    {"email", F::Email, false},           {"campaign_external_id", F::Id, false},
    {"channel", F::Channel, true},        {"activity", F::Activity, true},
    {"occurred_at", F::Timestamp, true},  {"quantity", F::Quantity, false},
    {"properties", F::Object, false}};
inline constexpr EntityField kAdSpend[] = {{"campaign_external_id", F::Id, true}, {"date", F::Date, true},
                                           {"impressions", F::Count, false},      {"clicks", F::Count, false},
                                           {"cost", F::SignedMoney, false},       {"currency", F::Text, false}};
// Survey answers (NPS), tied to their contact and account as touchpoints are.
inline constexpr EntityField kSurveyResponses[] = {
    {"external_id", F::Id, true},         {"account_external_id", F::Id, false},
    {"account_domain", F::Domain, false}, {"contact_external_id", F::Id, false},
    {"email", F::Email, false},           {"score", F::Score, true},
    {"comment", F::Text, false},          {"responded_at", F::Timestamp, true}};
}  // namespace entity_fields

// Entity names in the order a plugin should emit them, so references resolve on first sight.
inline constexpr std::string_view kEntityNames[] = {"accounts",    "contacts", "opportunities",   "campaigns",
                                                    "touchpoints", "ad_spend", "survey_responses"};

// The fields of an entity by name; empty for an unknown name.
constexpr std::span<const EntityField> fieldsOfEntity(std::string_view entity) {
  using namespace entity_fields;
  if (entity == "accounts") return kAccounts;
  if (entity == "contacts") return kContacts;
  if (entity == "opportunities") return kOpportunities;
  if (entity == "campaigns") return kCampaigns;
  if (entity == "touchpoints") return kTouchpoints;
  if (entity == "ad_spend") return kAdSpend;
  if (entity == "survey_responses") return kSurveyResponses;
  return {};
}

inline constexpr std::string_view kChannels[] = {"email", "ads", "web", "social", "event", "sales", "other"};
inline constexpr std::string_view kActivities[] = {
    "email_send",  "email_open",     "email_click", "email_bounce", "ad_impression",     "ad_click", "page_view",
    "form_submit", "webinar_attend", "meeting",     "call",         "social_engagement", "other"};

// Whether free text a user typed as a website ("https://www.acme.com/de", "acme.com", "n/a", "none")
// can be a domain at all. A plugin leaves an implausible one out rather than have the whole account
// rejected for it; the host still normalizes and validates what is sent.
constexpr bool plausibleDomain(std::string_view s) {
  if (s.find('.') == std::string_view::npos) return false;
  for (char c : s)
    if (c == ' ' || c == '\t' || c == ',' || c == ';') return false;
  return true;
}

}  // namespace abm::sdk
