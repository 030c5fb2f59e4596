// GAQL queries through GoogleAdsService.Search (POST /{version}/customers/{id}/googleAds:search),
// page by page: each answer's nextPageToken goes into the next request's pageToken; the last page
// has none. Google fixes the page size (10,000 rows) and refuses pageSize since v17.
#pragma once

#include <functional>
#include <string>

#include "google_ads_context.hpp"

namespace google_ads {

// `on_page` gets each page's rows ("results", absent on an empty page) and returns false to stop
// after it.
Status search(Context& ctx, const std::string& gaql, const std::function<bool(const json& rows)>& on_page);

// The request path of a customer's resource, for messages and rejected rows: "/v26/customers/123/campaigns/9".
std::string resourcePath(const Context& ctx, const std::string& resource);

}  // namespace google_ads
