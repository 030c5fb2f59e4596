// A plugin's options table as the host sees it, and validation of a connector's settings against it:
// unknown keys, wrong types and missing required keys are each reported with their key path.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "common/status.hpp"

namespace abm::config {

struct OptionSpec {
  std::string name;
  std::string type;  // string, integer, number, boolean, string_list, string_map, timestamp, object
  bool required = false;
  bool secret = false;
  std::optional<nlohmann::json> default_value;
  std::string description;
  // When not empty: the only values a string, or each item of a list or value of a map, may take.
  std::vector<std::string> choices;
  std::string pattern;  // when not empty: an ECMAScript regex each such value matches in full
};

// Parses the plugin's options JSON (abm_plugin::options_json).
Result<std::vector<OptionSpec>> parseOptionSpecs(const std::string& options_json);

// Checks `settings` (an object) against `specs` and fills in defaults. Each problem is appended to
// `errors` as "settings.<path>: <what was expected>"; values are never echoed (they may be secrets).
void validateSettings(const std::vector<OptionSpec>& specs, nlohmann::json& settings,
                      std::vector<std::string>& errors);

}  // namespace abm::config
