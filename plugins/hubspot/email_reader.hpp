// Marketing email data from HubSpot's email analytics API (v1, page-token paging:
// {"hasMore": true, "offset": "..."}):
//   email_campaigns  /email/public/v1/campaigns/by-id, then each campaign for its name → campaigns
//   email_events     /email/public/v1/events in a time window → touchpoints (SENT, OPEN, CLICK, BOUNCE)
// Both need the "content" scope; without it the stream is skipped with a warning.
#pragma once

#include "hubspot_context.hpp"

namespace hubspot {

Status readEmailCampaigns(Context& ctx, const std::string& stream, const json& state);
Status readEmailEvents(Context& ctx, const std::string& stream, const json& state);

}  // namespace hubspot
