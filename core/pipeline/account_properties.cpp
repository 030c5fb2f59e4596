#include "pipeline/account_properties.hpp"

#include <nlohmann/json.hpp>

namespace abm::pipeline {

Result<std::string> mergeProperties(std::string_view stored, std::string_view sent) {
  using nlohmann::json;
  json into = json::parse(stored, nullptr, false);
  if (into.is_discarded() || !into.is_object())
    return Status::error("its stored properties are not a JSON object (set accounts.properties to '{}' or an"
                         " object, then sync again)");
  const json patch = json::parse(sent, nullptr, false);
  if (patch.is_discarded() || !patch.is_object()) return Status::error("field 'properties': expected a JSON object");
  for (const auto& [k, v] : patch.items()) {
    if (v.is_null()) into.erase(k);
    else into[k] = v;
  }
  return into.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace abm::pipeline
