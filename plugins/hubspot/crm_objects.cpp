#include "crm_objects.hpp"

#include <abm/sdk/entities.hpp>

#include <algorithm>
#include <cstdlib>
#include <memory>

namespace hubspot {

namespace {

using abm::sdk::JsonObjectWriter;
using abm::sdk::http::copyField;
using abm::sdk::http::fieldOf;
using abm::sdk::http::textOf;

const json& props(const json& result) {
  static const json empty = json::object();
  return result.contains("properties") && result["properties"].is_object() ? result["properties"] : empty;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// hs_ideal_customer_profile is tier_1 / tier_2 / tier_3.
std::string tierName(const std::string& v) {
  if (v.rfind("tier_", 0) == 0) return "Tier " + v.substr(5);
  return v;
}

void addTimestamps(JsonObjectWriter& w, const json& result, const std::string& created, const std::string& modified) {
  const json& p = props(result);
  copyField(w, "created_at", p.contains(created) ? p[created] : fieldOf(result, "createdAt"));
  copyField(w, "updated_at", p.contains(modified) ? p[modified] : fieldOf(result, "updatedAt"));
}

struct Stage {
  std::string label;
  std::string probability;
  bool closed = false;
  bool won = false;
};

// Engagements (meetings, calls) become sales touchpoints of the company and contact they are on.
std::string mapEngagement(const json& r, const Associations& assoc, JsonObjectWriter& w, const char* prefix,
                          const char* activity, std::initializer_list<std::pair<const char*, const char*>> extra) {
  const json& p = props(r);
  const std::string when = textOf(p, "hs_timestamp");
  if (when.empty()) return "no hs_timestamp";
  const auto company = assoc.find("companies");
  const auto contact = assoc.find("contacts");
  if (company == assoc.end() && contact == assoc.end()) return "not associated with a company or a contact";
  w.add("external_id", std::string(prefix) + "-" + idOf(r));
  if (company != assoc.end()) w.add("account_external_id", company->second);
  if (contact != assoc.end()) w.add("contact_external_id", contact->second);
  w.add("channel", "sales");
  w.add("activity", activity);
  w.add("occurred_at", when);
  JsonObjectWriter details;
  for (const auto& [from, to] : extra) copyField(details, to, p.contains(from) ? p[from] : json());
  w.addRaw("properties", details.finish());
  return {};
}

}  // namespace

ObjectSpec companiesSpec(const json& settings) {
  const std::string target = settings.value("target_account_property", "hs_is_target_account");
  const std::string tier = settings.value("tier_property", "hs_ideal_customer_profile");
  ObjectSpec s{"companies", "hs_lastmodifieddate",
               {"name", "domain", "industry", "numberofemployees", "annualrevenue", "country", target, tier,
                "createdate", "hs_lastmodifieddate"},
               {},
               {}};
  s.map = [target, tier](const json& r, const Associations&, JsonObjectWriter& w) -> std::string {
    const json& p = props(r);
    w.add("external_id", idOf(r));
    copyField(w, "name", p, "name");
    // A typed-in value like "n/a" is left out rather than losing the company to it.
    if (const std::string domain = textOf(p, "domain"); abm::sdk::plausibleDomain(domain)) w.add("domain", domain);
    copyField(w, "industry", p, "industry");
    copyField(w, "employee_count", p, "numberofemployees");
    copyField(w, "annual_revenue", p, "annualrevenue");
    copyField(w, "country", p, "country");
    copyField(w, "is_target", p, target);
    if (const std::string t = textOf(p, tier); !t.empty()) w.add("tier", tierName(t));
    addTimestamps(w, r, "createdate", "hs_lastmodifieddate");
    return {};
  };
  return s;
}

ObjectSpec contactsSpec(const json& settings) {
  const std::string role = settings.value("buying_role_property", "hs_buying_role");
  ObjectSpec s{"contacts", "lastmodifieddate",
               {"email", "firstname", "lastname", "jobtitle", role, "associatedcompanyid", "createdate",
                "lastmodifieddate"},
               {"companies"},
               {}};
  s.map = [role](const json& r, const Associations& assoc, JsonObjectWriter& w) -> std::string {
    const json& p = props(r);
    w.add("external_id", idOf(r));
    if (auto c = assoc.find("companies"); c != assoc.end()) w.add("account_external_id", c->second);
    else copyField(w, "account_external_id", p, "associatedcompanyid");
    copyField(w, "email", p, "email");
    copyField(w, "first_name", p, "firstname");
    copyField(w, "last_name", p, "lastname");
    copyField(w, "title", p, "jobtitle");
    // A multi-select: "DECISION_MAKER;BUDGET_HOLDER".
    if (const std::string v = textOf(p, role); !v.empty()) w.add("buying_role", lower(v));
    addTimestamps(w, r, "createdate", "lastmodifieddate");
    return {};
  };
  return s;
}

Status dealsSpec(Context& ctx, ObjectSpec& s) {
  const auto a = ctx.api.call({"GET", "/crm/v3/pipelines/deals"});
  if (!a.ok()) return a.status;
  auto stages = std::make_shared<std::map<std::string, Stage>>();
  for (const auto& pipeline : a.body.value("results", json::array()))
    for (const auto& st : pipeline.value("stages", json::array())) {
      const json meta = st.contains("metadata") ? st["metadata"] : json::object();
      Stage stage{textOf(st, "label"), textOf(meta, "probability"), textOf(meta, "isClosed") == "true", false};
      stage.won = stage.closed && std::strtod(stage.probability.c_str(), nullptr) >= 1.0;
      (*stages)[textOf(st, "id")] = stage;
    }
  s = ObjectSpec{"deals", "hs_lastmodifieddate",
                 {"dealname", "amount", "deal_currency_code", "dealstage", "pipeline", "dealtype", "closedate",
                  "createdate", "hs_lastmodifieddate"},
                 {"companies"},
                 {}};
  s.map = [stages, &ctx](const json& r, const Associations& assoc, JsonObjectWriter& w) -> std::string {
    const json& p = props(r);
    const std::string id = idOf(r);
    w.add("external_id", id);
    if (auto c = assoc.find("companies"); c != assoc.end()) w.add("account_external_id", c->second);
    copyField(w, "name", p, "dealname");
    const std::string stage_id = textOf(p, "dealstage");
    bool closed = false;
    if (auto it = stages->find(stage_id); it != stages->end()) {
      w.add("stage", it->second.label);
      if (!it->second.probability.empty()) w.add("probability", it->second.probability);
      closed = it->second.closed;
      w.add("is_closed", closed);
      w.add("is_won", it->second.won);
    } else if (!stage_id.empty()) {
      ctx.host.warn("deal " + id + ": stage '" + stage_id + "' is in no deal pipeline; kept without probability");
      w.add("stage", stage_id);
    }
    const std::string type = textOf(p, "dealtype");
    if (type == "newbusiness") w.add("type", "new_business");
    else if (type == "existingbusiness") w.add("type", "expansion");
    else if (type == "renewal") w.add("type", "renewal");
    copyField(w, "amount", p, "amount");  // a string, or null on a deal without one
    copyField(w, "currency", p, "deal_currency_code");
    // HubSpot keeps an expected close date on open deals; it is a closing date only once closed
    // (a closed deal's expected_close_at stays empty: it is no longer expected to close).
    copyField(w, closed ? "closed_at" : "expected_close_at", p, "closedate");
    addTimestamps(w, r, "createdate", "hs_lastmodifieddate");
    return {};
  };
  return Status::ok();
}

ObjectSpec meetingsSpec() {
  ObjectSpec s{"meetings", "hs_lastmodifieddate",
               {"hs_timestamp", "hs_meeting_title", "hs_meeting_outcome", "hs_lastmodifieddate"},
               {"companies", "contacts"},
               {},
               true};
  s.map = [](const json& r, const Associations& assoc, JsonObjectWriter& w) {
    return mapEngagement(r, assoc, w, "meeting", "meeting",
                         {{"hs_meeting_title", "title"}, {"hs_meeting_outcome", "outcome"}});
  };
  return s;
}

ObjectSpec callsSpec() {
  ObjectSpec s{"calls", "hs_lastmodifieddate",
               {"hs_timestamp", "hs_call_title", "hs_call_direction", "hs_call_disposition", "hs_call_duration",
                "hs_lastmodifieddate"},
               {"companies", "contacts"},
               {},
               true};
  s.map = [](const json& r, const Associations& assoc, JsonObjectWriter& w) {
    return mapEngagement(r, assoc, w, "call", "call",
                         {{"hs_call_title", "title"}, {"hs_call_direction", "direction"},
                          {"hs_call_disposition", "disposition"}, {"hs_call_duration", "duration_ms"}});
  };
  return s;
}

}  // namespace hubspot
