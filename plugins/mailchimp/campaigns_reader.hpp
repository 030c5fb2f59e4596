// Sent campaigns: GET /3.0/campaigns?status=sent, oldest send first, offset/count paging until
// offset >= total_items.
//   campaigns   → campaigns (channel email); later syncs ask only for campaigns sent since the last
//                 one stored: {"since_send_time": "..."}
// listSentCampaigns is also how email_activity finds the campaigns whose reports it reads.
#pragma once

#include <functional>

#include "mailchimp_context.hpp"

namespace mailchimp {

// Calls `on_page` with each page's "campaigns" array; it returns a Status (not ok stops the listing)
// and sets `go_on` false to stop after that page. `since_send_time` "" lists from `start_date`.
Status listSentCampaigns(Context& ctx, const std::string& since_send_time,
                         const std::function<Status(const json& campaigns, bool& go_on)>& on_page);

Status readCampaigns(Context& ctx, const std::string& stream, const json& state);

}  // namespace mailchimp
