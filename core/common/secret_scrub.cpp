#include "common/secret_scrub.hpp"

namespace abm {

std::string scrubSecrets(std::string text, const nlohmann::json& scrub_list) {
  if (!scrub_list.is_array()) return text;
  for (const auto& pair : scrub_list) {
    if (!pair.is_array() || pair.size() != 2 || !pair[0].is_string() || !pair[1].is_string()) continue;
    const auto& value = pair[0].get_ref<const std::string&>();
    const auto& reference = pair[1].get_ref<const std::string&>();
    if (value.empty()) continue;
    for (size_t at = text.find(value); at != std::string::npos; at = text.find(value, at + reference.size()))
      text.replace(at, value.size(), reference);
  }
  return text;
}

}  // namespace abm
