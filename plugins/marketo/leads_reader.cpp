#include "leads_reader.hpp"

#include <abm/sdk/entities.hpp>
#include <abm/sdk/json_writer.hpp>

#include <set>

#include "activity_pager.hpp"

namespace marketo {

namespace http = abm::sdk::http;
using abm::sdk::JsonObjectWriter;

namespace {

constexpr size_t kLeadsPerRequest = 300;
constexpr const char* kLeadFields = "id,email,firstName,lastName,title,company,website,createdAt,updatedAt";

void mapLead(const json& lead, JsonObjectWriter& w) {
  w.reset();
  w.add("external_id", http::idText(http::fieldOf(lead, "id")));
  http::copyField(w, "email", lead, "email");
  http::copyField(w, "first_name", lead, "firstName");
  http::copyField(w, "last_name", lead, "lastName");
  http::copyField(w, "title", lead, "title");
  // The company's website ties the lead to its account; a typed-in "n/a" is left out.
  if (const std::string site = http::textOf(lead, "website"); abm::sdk::plausibleDomain(site)) w.add("account_domain", site);
  http::copyField(w, "created_at", lead, "createdAt");
  http::copyField(w, "updated_at", lead, "updatedAt");
}

// Reads the leads `ids` names and emits them; false when the host asks to stop.
Status emitLeads(Context& ctx, const std::string& stream, const std::vector<std::string>& ids, bool& go_on) {
  JsonObjectWriter w;
  for (size_t at = 0; at < ids.size(); at += kLeadsPerRequest) {
    std::string values;
    for (size_t i = at; i < std::min(ids.size(), at + kLeadsPerRequest); ++i) values += (values.empty() ? "" : ",") + ids[i];
    const auto a = ctx.api.get(std::string("/rest/v1/leads.json?filterType=id&filterValues=") + values +
                               "&fields=" + kLeadFields);
    if (!a.ok()) return a.status;
    const json& result = http::fieldOf(a.body, "result");
    if (!result.is_null() && !result.is_array()) return Status::error(a.response.endpoint + ": \"result\" is not an array");
    for (const auto& lead : result.is_array() ? result : json::array()) {
      const std::string id = http::idText(http::fieldOf(lead, "id"));
      const std::string origin = "/rest/v1/lead/" + id + ".json";  // the lead's own endpoint
      if (id.empty()) {
        ctx.host.reject(stream, "/rest/v1/leads.json", "a lead without an id", lead.dump());
        continue;
      }
      mapLead(lead, w);
      go_on = ctx.host.emit(stream, w.finish(), origin.c_str()) && go_on;
    }
  }
  return Status::ok();
}

}  // namespace

Status readLeads(Context& ctx, const std::string& stream, const json& state) {
  std::vector<int> types = {activity_type::kNewLead, activity_type::kChangeDataValue, activity_type::kDeleteLead};
  for (int t : countedTypes(ctx.settings)) types.push_back(t);
  return pageActivities(ctx, stream, state, types, [&](const json& result, bool& go_on) {
    std::vector<std::string> ids, deleted;
    std::set<std::string> seen;
    for (const auto& act : result) {
      const std::string lead = http::idText(http::fieldOf(act, "leadId"));
      if (lead.empty()) continue;
      if (http::integerOf(act, "activityTypeId") == activity_type::kDeleteLead) {
        deleted.push_back(lead);
        continue;
      }
      if (seen.insert(lead).second) ids.push_back(lead);
    }
    if (auto s = emitLeads(ctx, stream, ids, go_on); !s.isOk()) return s;
    // A lead read above no longer exists if it was deleted later: Marketo returned nothing for it.
    for (const auto& id : deleted) go_on = ctx.host.deleted(stream, id) && go_on;
    return Status::ok();
  });
}

}  // namespace marketo
