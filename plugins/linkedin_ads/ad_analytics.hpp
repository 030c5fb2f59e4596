// LinkedIn's adAnalytics finder (GET /rest/adAnalytics?q=analytics), one pivot, daily rows. It does
// not paginate and silently cuts an answer at its row cap (15,000): an answer that reaches the cap
// is thrown away and its date range asked again in two halves, until every answer is whole.
#pragma once

#include <functional>
#include <string>

#include "linkedin_context.hpp"

namespace linkedin_ads {

// Reads days [from, to] (days since 1970-01-01) grouped by `pivot` ("CAMPAIGN", "MEMBER_COMPANY"),
// with `fields` (dateRange and pivotValues are added). `on_rows` gets each whole answer's elements.
Status dailyAnalytics(Context& ctx, const std::string& pivot, const std::string& fields, int64_t from, int64_t to,
                      const std::function<void(const json& elements)>& on_rows);

// "YYYY-MM-DD" of an element's dateRange.start, or "" when it has none.
std::string elementDate(const json& element);

// The first pivot value of an element ("urn:li:sponsoredCampaign:123"), or "".
std::string pivotValue(const json& element);

// The id at the end of a URN ("urn:li:organization:42" -> "42").
std::string urnId(const std::string& urn);

}  // namespace linkedin_ads
