// How each Salesforce object becomes unified records (see README.md for the field mapping).
#pragma once

#include "soql_reader.hpp"

namespace salesforce {

SObjectSpec accountSpec(const json& settings);
SObjectSpec contactSpec(const json& settings);
// Opportunities read their stage's default probability from OpportunityStage when they have none.
Status opportunitySpec(Context& ctx, SObjectSpec& spec);
SObjectSpec campaignSpec(const json& settings);
// Campaign members become touchpoints: one when the member was added ("sent"), one when they responded.
SObjectSpec campaignMemberSpec(const json& settings);

// The unified channel of a Campaign.Type, from the defaults and the `campaign_type_channels` setting.
std::string channelOfCampaignType(const json& settings, const std::string& type);

}  // namespace salesforce
