// Daily campaign statistics -> ad_spend: adAnalytics with pivot CAMPAIGN (impressions, clicks,
// costInLocalCurrency, in the ad account's currency), in windows of days with a look-back
// (<abm/sdk/day_windows.hpp>). Checkpoint after every window: {"through": "YYYY-MM-DD"}.
#pragma once

#include "linkedin_context.hpp"

namespace linkedin_ads {

Status readAdSpend(Context& ctx, const std::string& stream, const json& state);

}  // namespace linkedin_ads
