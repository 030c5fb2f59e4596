#include "sobjects.hpp"

#include <abm/sdk/entities.hpp>

#include <map>
#include <memory>

namespace salesforce {

namespace {

using abm::sdk::JsonObjectWriter;
using abm::sdk::http::copyField;
using abm::sdk::http::fieldOf;
using abm::sdk::http::textOf;

// Salesforce's standard Campaign.Type picklist values.
const std::map<std::string, std::string> kCampaignChannels = {
    {"Email", "email"},          {"Webinar", "event"},          {"Conference", "event"},
    {"Trade Show", "event"},     {"Seminar / Conference", "event"}, {"Advertisement", "ads"},
    {"Banner Ads", "ads"},       {"Social", "social"},          {"Social Media", "social"},
    {"Website", "web"},          {"Telemarketing", "sales"},    {"Direct Mail", "other"},
    {"Public Relations", "other"}, {"Partners", "other"},       {"Referral Program", "other"}};

// Opportunity.Type picklist values to the unified types.
const std::map<std::string, std::string> kOpportunityTypes = {
    {"New Customer", "new_business"},
    {"New Business", "new_business"},
    {"Existing Customer - Upgrade", "expansion"},
    {"Existing Customer - Replacement", "expansion"},
    {"Existing Customer - Downgrade", "expansion"},
    {"Existing Business", "expansion"},
    {"Renewal", "renewal"}};

std::string opportunityType(const json& settings, const std::string& type) {
  const json custom = settings.value("opportunity_type_map", json::object());
  if (custom.contains(type)) return custom[type].get<std::string>();
  auto it = kOpportunityTypes.find(type);
  return it == kOpportunityTypes.end() ? std::string() : it->second;
}

// What a member's response means on each channel.
const char* respondedActivity(const std::string& channel) {
  if (channel == "email") return "email_click";
  if (channel == "event") return "webinar_attend";
  if (channel == "ads") return "ad_click";
  if (channel == "web") return "form_submit";
  if (channel == "social") return "social_engagement";
  if (channel == "sales") return "meeting";
  return "other";
}

const char* sentActivity(const std::string& channel) {
  if (channel == "email") return "email_send";
  if (channel == "ads") return "ad_impression";
  return "other";
}

void addOptional(std::vector<std::string>& fields, const std::string& f) {
  if (!f.empty()) fields.push_back(f);
}

}  // namespace

std::string channelOfCampaignType(const json& settings, const std::string& type) {
  const json custom = settings.value("campaign_type_channels", json::object());
  if (custom.contains(type)) return custom[type].get<std::string>();
  auto it = kCampaignChannels.find(type);
  return it == kCampaignChannels.end() ? "other" : it->second;
}

SObjectSpec accountSpec(const json& settings) {
  const std::string target = settings.value("target_account_field", "");
  const std::string tier = settings.value("tier_field", "");
  SObjectSpec s{"Account",
                {"Name", "Website", "Industry", "NumberOfEmployees", "AnnualRevenue", "BillingCountry", "CreatedDate"},
                {},
                {}};
  addOptional(s.fields, target);
  addOptional(s.fields, tier);
  s.map = [target, tier](const json& r, std::vector<std::string>& out) -> std::string {
    JsonObjectWriter w;
    w.add("external_id", textOf(r, "Id"));
    copyField(w, "name", r, "Name");
    // Website is free text: a URL's host becomes the domain; "n/a" and the like are left out rather
    // than losing the account to a bad domain.
    const std::string site = textOf(r, "Website");
    if (abm::sdk::plausibleDomain(site)) w.add("domain", site);
    copyField(w, "industry", r, "Industry");
    copyField(w, "employee_count", r, "NumberOfEmployees");
    copyField(w, "annual_revenue", r, "AnnualRevenue");
    copyField(w, "country", r, "BillingCountry");
    copyField(w, "is_target", r, target);
    copyField(w, "tier", r, tier);
    copyField(w, "created_at", r, "CreatedDate");
    copyField(w, "updated_at", r, "SystemModstamp");
    out.push_back(w.finish());
    return {};
  };
  return s;
}

SObjectSpec contactSpec(const json& settings) {
  const std::string role = settings.value("buying_role_field", "");
  SObjectSpec s{"Contact", {"AccountId", "Email", "FirstName", "LastName", "Title", "CreatedDate"}, {}, {}};
  addOptional(s.fields, role);
  s.map = [role](const json& r, std::vector<std::string>& out) -> std::string {
    JsonObjectWriter w;
    w.add("external_id", textOf(r, "Id"));
    copyField(w, "account_external_id", r, "AccountId");
    copyField(w, "email", r, "Email");
    copyField(w, "first_name", r, "FirstName");
    copyField(w, "last_name", r, "LastName");
    copyField(w, "title", r, "Title");
    copyField(w, "buying_role", r, role);
    copyField(w, "created_at", r, "CreatedDate");
    copyField(w, "updated_at", r, "SystemModstamp");
    out.push_back(w.finish());
    return {};
  };
  return s;
}

Status opportunitySpec(Context& ctx, SObjectSpec& s) {
  auto stage_probability = std::make_shared<std::map<std::string, double>>();
  const Status st = queryAllBatches(ctx, "SELECT ApiName, MasterLabel, DefaultProbability, IsClosed, IsWon FROM OpportunityStage",
                                    [&](const json& r) {
                                      if (r.contains("DefaultProbability") && r["DefaultProbability"].is_number())
                                        (*stage_probability)[textOf(r, "ApiName")] = r["DefaultProbability"].get<double>();
                                    });
  if (!st.isOk()) return st;
  const std::string currency = ctx.settings.value("currency_field", "");
  s = SObjectSpec{"Opportunity",
                  {"AccountId", "Name", "StageName", "Type", "Amount", "Probability", "IsClosed", "IsWon",
                   "CreatedDate", "CloseDate"},
                  {},
                  {}};
  addOptional(s.fields, currency);
  const json settings = ctx.settings;
  s.map = [stage_probability, currency, settings](const json& r, std::vector<std::string>& out) -> std::string {
    if (!r.contains("CreatedDate") || !r["CreatedDate"].is_string()) return "no CreatedDate";
    JsonObjectWriter w;
    w.add("external_id", textOf(r, "Id"));
    copyField(w, "account_external_id", r, "AccountId");
    copyField(w, "name", r, "Name");
    const std::string stage = textOf(r, "StageName");
    copyField(w, "stage", r, "StageName");
    if (const std::string type = opportunityType(settings, textOf(r, "Type")); !type.empty()) w.add("type", type);
    copyField(w, "amount", r, "Amount");
    copyField(w, "currency", r, currency);
    // Salesforce's percentages (0-100) as fractions, so 1% is never read as 100%.
    const json& p = fieldOf(r, "Probability");
    if (p.is_number()) w.add("probability", p.get<double>() / 100.0);
    else if (auto it = stage_probability->find(stage); it != stage_probability->end())
      w.add("probability", it->second / 100.0);
    const bool closed = fieldOf(r, "IsClosed").is_boolean() && r["IsClosed"].get<bool>();
    copyField(w, "is_closed", r, "IsClosed");
    copyField(w, "is_won", r, "IsWon");
    copyField(w, "created_at", r, "CreatedDate");
    // CloseDate is the expected date on an open opportunity; a closing date only once closed (a
    // closed one's expected_close_at stays empty: it is no longer expected to close).
    copyField(w, closed ? "closed_at" : "expected_close_at", r, "CloseDate");
    copyField(w, "updated_at", r, "SystemModstamp");
    out.push_back(w.finish());
    return {};
  };
  return Status::ok();
}

SObjectSpec campaignSpec(const json& settings) {
  SObjectSpec s{"Campaign", {"Name", "Type", "StartDate", "EndDate"}, {}, {}};
  s.map = [settings](const json& r, std::vector<std::string>& out) -> std::string {
    JsonObjectWriter w;
    w.add("external_id", textOf(r, "Id"));
    copyField(w, "name", r, "Name");
    w.add("channel", channelOfCampaignType(settings, textOf(r, "Type")));
    copyField(w, "started_at", r, "StartDate");
    copyField(w, "ended_at", r, "EndDate");
    out.push_back(w.finish());
    return {};
  };
  return s;
}

SObjectSpec campaignMemberSpec(const json& settings) {
  SObjectSpec s{"CampaignMember",
                {"CampaignId", "ContactId", "LeadId", "Email", "Status", "HasResponded", "CreatedDate",
                 "FirstRespondedDate", "Campaign.Type"},
                {},
                {}};
  s.map = [settings](const json& r, std::vector<std::string>& out) -> std::string {
    const std::string id = textOf(r, "Id");
    const std::string created = textOf(r, "CreatedDate");
    if (created.empty()) return "no CreatedDate";
    if (textOf(r, "ContactId").empty() && textOf(r, "Email").empty()) return "neither a ContactId nor an Email to tie it to";
    const json campaign = r.value("Campaign", json());
    const std::string type = abm::sdk::http::textOf(campaign, "Type");
    const std::string channel = channelOfCampaignType(settings, type);
    auto touch = [&](const std::string& suffix, const char* activity, const std::string& when) {
      JsonObjectWriter w;
      w.add("external_id", id + ":" + suffix);
      copyField(w, "contact_external_id", r, "ContactId");
      copyField(w, "email", r, "Email");
      copyField(w, "campaign_external_id", r, "CampaignId");
      w.add("channel", channel);
      w.add("activity", activity);
      w.add("occurred_at", when);
      JsonObjectWriter p;
      copyField(p, "status", r, "Status");
      if (!type.empty()) p.add("campaign_type", type);
      copyField(p, "lead_id", r, "LeadId");
      w.addRaw("properties", p.finish());
      out.push_back(w.finish());
    };
    touch("sent", sentActivity(channel), created);
    if (fieldOf(r, "HasResponded").is_boolean() && r["HasResponded"].get<bool>()) {
      const std::string responded = textOf(r, "FirstRespondedDate");  // a date; may be empty on old records
      touch("responded", respondedActivity(channel), responded.empty() ? created : responded);
    }
    return {};
  };
  s.deleted_ids = [](const std::string& id) { return std::vector<std::string>{id + ":sent", id + ":responded"}; };
  return s;
}

}  // namespace salesforce
