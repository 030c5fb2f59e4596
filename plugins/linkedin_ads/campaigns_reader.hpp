// The ad account's campaigns -> campaigns (channel ads), from GET /rest/adAccounts/{id}/adCampaigns
// ?q=search, page by page (metadata.nextPageToken; none on the last page). LinkedIn's search cannot
// filter by modification time, so every sync lists the campaigns and emits only those modified since
// the last one (changeAuditStamps.lastModified.time). Checkpoint: {"since_ms": N}.
#pragma once

#include "linkedin_context.hpp"

namespace linkedin_ads {

Status readCampaigns(Context& ctx, const std::string& stream, const json& state);

}  // namespace linkedin_ads
