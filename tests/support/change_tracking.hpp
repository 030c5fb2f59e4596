// What the change-tracking tests share (docs/store.md#change-tracking): the entity tables, the ones
// with updated_at, and a time before any test's write: rows set to it read as seen by a reader long
// ago, so the rows a write then stamps are exactly those with a later updated_at.
#pragma once

namespace abm::test {

inline constexpr const char* kLongAgo = "2000-01-01T00:00:00.000Z";
inline constexpr const char* kEntityTables[] = {"accounts",    "contacts", "opportunities",   "campaigns",
                                                "touchpoints", "ad_spend", "survey_responses"};

}  // namespace abm::test
