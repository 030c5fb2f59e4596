// Which companies' members saw and clicked the account's ads, by day: adAnalytics with pivot
// MEMBER_COMPANY -> account-level touchpoints (ad_impression, ad_click, quantity = the day's count),
// in windows of days with a look-back (<abm/sdk/day_windows.hpp>). The organizations in each answer
// are looked up (GET /rest/organizationsLookup?ids=List(...)) and emitted first, on the companies
// stream, as accounts with their name and website: an organization and a CRM account with the same
// domain become one account through the core's identity rules.
#pragma once

#include <map>

#include "linkedin_context.hpp"

namespace linkedin_ads {

// The stream that carries the organizations as accounts; it is filled while company_engagement is read.
inline constexpr const char* kCompaniesStream = "companies";

// What a run has learnt of each organization (urn -> domain, "" when unknown); kept for the run so
// that an organization is looked up and emitted once.
using KnownOrganizations = std::map<std::string, std::string>;

Status readCompanyEngagement(Context& ctx, const std::string& stream, const json& state, KnownOrganizations& known);

}  // namespace linkedin_ads
