// An incremental stream's cursor: which of two record values is later, and how the last one is
// written into the request. Values are timestamps as sources write them ("2024-03-01T12:00:00Z",
// Pipedrive's "2024-03-01 12:00:00", which is UTC), dates, epoch numbers, or any text that only grows.
#pragma once

#include "rest_definition.hpp"

#include <optional>
#include <string>

namespace rest {

// Milliseconds since the epoch for a time-like value: ISO text (a time without a zone is UTC, as
// sources that write it so document), or a number of seconds (milliseconds from 1e11 on).
std::optional<int64_t> cursorMillis(const json& v);

// True when `a` comes after `b` (times as times, numbers as numbers, else text order).
bool cursorAfter(const json& a, const json& b);

// The value as `format` writes it into the query, or "" with `why` set when it cannot be.
std::string formatCursor(const json& v, CursorFormat format, std::string& why);

}  // namespace rest
