// A plugin's streams in the order they should be read, and the `streams` setting that picks some
// of them (header-only). Accounts come before what points at them, so most references resolve on
// first sight; anything early is tied later anyway.
#pragma once

#include <abm/sdk/plugin.hpp>

#include <algorithm>
#include <span>
#include <string>
#include <vector>

namespace abm::sdk {

struct StreamSpec {
  const char* name;
  const char* entity;
};

class StreamCatalog {
 public:
  constexpr explicit StreamCatalog(std::span<const StreamSpec> all) : all_(all) {}

  // "a, b, c": what the plugin offers, for messages and option descriptions.
  std::string names() const {
    std::string out;
    for (const auto& s : all_) out += (out.empty() ? "" : ", ") + std::string(s.name);
    return out;
  }
  // "" when every name in the `streams` setting is one of ours, else what is wrong.
  std::string checkSelection(const nlohmann::json& chosen) const {
    for (const auto& c : chosen) {
      const std::string name = c.is_string() ? c.get<std::string>() : c.dump();
      if (std::none_of(all_.begin(), all_.end(), [&](const StreamSpec& s) { return name == s.name; }))
        return "streams: unknown stream '" + name + "' (" + names() + ")";
    }
    return {};
  }
  // The chosen streams, in reading order.
  std::vector<Stream> selected(const nlohmann::json& chosen) const {
    std::vector<Stream> out;
    for (const auto& s : all_)
      if (std::find(chosen.begin(), chosen.end(), s.name) != chosen.end()) out.push_back({s.name, s.entity, true});
    return out;
  }

 private:
  std::span<const StreamSpec> all_;
};

}  // namespace abm::sdk
