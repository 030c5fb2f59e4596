// Daily campaign metrics -> ad_spend: impressions, clicks and cost (cost_micros / 1,000,000, in the
// account's currency) per campaign and day, read in date windows of `days_per_query` days from
// `start_date` (first sync) or from `lookback_days` before the last day read (later syncs: Google
// restates recent days). Checkpoint after every window: {"through": "YYYY-MM-DD"}.
#pragma once

#include "google_ads_context.hpp"

namespace google_ads {

Status readAdSpend(Context& ctx, const std::string& stream, const json& state);

}  // namespace google_ads
