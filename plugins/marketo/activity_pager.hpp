// Marketo's activity paging: a paging token for a date (GET /rest/v1/activities/pagingtoken.json?
// sinceDatetime=), then pages of activities (GET /rest/v1/activities.json?nextPageToken=&activityTypeIds=),
// re-sending the latest nextPageToken until moreResult is false. Marketo scans its activity log in
// windows, so a page without "result" but with moreResult true is normal. The last token is where the
// log ended: the next sync starts from it and reads only what came since. Checkpoint after every page:
//   {"next_page_token": "..."}
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "marketo_session.hpp"

namespace marketo {

// Marketo's activity type ids, as GET /rest/v1/activities/types.json lists them on every instance.
namespace activity_type {
inline constexpr int kVisitWebpage = 1;
inline constexpr int kFillOutForm = 2;
inline constexpr int kEmailBounced = 8;
inline constexpr int kOpenEmail = 10;
inline constexpr int kClickEmail = 11;
inline constexpr int kNewLead = 12;
inline constexpr int kChangeDataValue = 13;
inline constexpr int kDeleteLead = 37;
inline constexpr int kChangeStatusInProgression = 104;
}  // namespace activity_type

// The type ids the `activity_types` setting names (email_opened -> 10, ...).
std::vector<int> countedTypes(const json& settings);

// Pages through activities of `type_ids` (at most 10, Marketo's limit) from the stream's checkpoint,
// or from `start_date` on a first sync. `on_page` gets each page's "result" (an empty array when the
// page has none) and sets `go_on` false to stop after it.
Status pageActivities(Context& ctx, const std::string& stream, const json& state, const std::vector<int>& type_ids,
                      const std::function<Status(const json& result, bool& go_on)>& on_page);

}  // namespace marketo
