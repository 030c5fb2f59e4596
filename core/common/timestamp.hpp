// ISO-8601 UTC timestamps, the store's one time format ("2024-03-01T12:00:00Z").
#pragma once

#include <abm/sdk/time.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace abm {

// Parses "2024-03-01", "2024-03-01T12:00:00Z", "2024-03-01 12:00:00", fractional seconds and
// "+02:00"/"-0500" offsets into seconds since the epoch (UTC). A value with no offset is read as UTC:
// this reads the store's own and SQLite's times. What sources send is held to the zone rule first
// (sdk::isZonelessDateTime: records and Timestamp options refuse a date-time without its zone).
std::optional<int64_t> parseTimestamp(std::string_view text);

// Seconds since the epoch as "YYYY-MM-DDTHH:MM:SSZ".
std::string formatTimestamp(int64_t epoch_seconds);
// Writes the same 20 characters into `out` (no NUL).
void formatTimestamp(int64_t epoch_seconds, char out[20]);

int64_t nowEpochSeconds();

// Days since 1970-01-01 of a civil date, and back: one definition, shared with plugins through the SDK.
using sdk::civilFromDays;
using sdk::daysFromCivil;

}  // namespace abm
