// Campaigns of the customer -> campaigns (channel ads). The first sync lists them all; later syncs
// ask change_status, Google's record of what changed, for the campaigns changed since the last one.
// Checkpoint: {"changed_since": "YYYY-MM-DD HH:MM:SS"} (UTC, compared with the account's local
// change times, so every window reaches back a day over it; see README.md).
#pragma once

#include "google_ads_context.hpp"

namespace google_ads {

Status readCampaigns(Context& ctx, const std::string& stream, const json& state);

}  // namespace google_ads
