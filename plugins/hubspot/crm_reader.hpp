// Reads one HubSpot CRM v3 object type into records. A first (or full) sync pages through the
// list endpoint with its associations (paging.next.after; no "paging" on the last page). Later syncs
// ask the search endpoint only for what changed since the last checkpoint, sorted by the modified
// date; because search stops at 10,000 results per query, a window holding more is cut in halves
// until each half fits. Checkpoints after every page:
//   {"list_after": "...", "started_ms": N}   a full list in progress
//   {"since_ms": N}                           everything modified before N is stored
#pragma once

#include <abm/sdk/json_writer.hpp>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "hubspot_context.hpp"

namespace hubspot {

// The associated record of each type ("companies" -> "123"), the primary one where there is a choice.
using Associations = std::map<std::string, std::string>;

struct ObjectSpec {
  std::string object;             // "companies", "contacts", "deals", "meetings", "calls"
  std::string modified_property;  // what search filters and sorts on
  std::vector<std::string> properties;
  std::vector<std::string> associations;  // object types to resolve: "companies", "contacts"
  // Fills `out` from one result; returns "" or why the result cannot become a record.
  std::function<std::string(const json& result, const Associations& assoc, abm::sdk::JsonObjectWriter& out)> map;
  // Engagements need scopes a CRM-only app may lack: then the stream is skipped with a warning.
  bool skip_without_scope = false;
};

// HubSpot's search returns at most this many results per query.
inline constexpr int64_t kSearchCeiling = 10'000;

// A result's "id", whether HubSpot sent it as a string or a number.
std::string idOf(const json& result);

Status readObjects(Context& ctx, const std::string& stream, const ObjectSpec& spec, const json& state);

}  // namespace hubspot
