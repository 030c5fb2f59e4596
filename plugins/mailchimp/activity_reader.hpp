// Per-recipient email activity of every sent campaign: GET /3.0/reports/{id}/email-activity, offset/count
// paging until offset >= total_items; each open, click and bounce becomes a touchpoint tied by the
// recipient's email through the core's identity rules. Later syncs pass `since` (the last run's start,
// reaching back `activity_lookback_minutes`), so only new activity is read. Checkpoints:
//   {"since": T}                                   all activity before T is stored
//   {"from": F, "until": T, "after_campaign": ID}  a run in progress: campaigns up to ID are read
#pragma once

#include "mailchimp_context.hpp"

namespace mailchimp {

Status readEmailActivity(Context& ctx, const std::string& stream, const json& state);

}  // namespace mailchimp
