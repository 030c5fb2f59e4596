// A vendor's API version as an admin may type it, turned into the one spelling the vendor's paths or
// headers take (header-only). Each style is one pattern: the option declares it (Option::pattern),
// so the host refuses a bad value when it validates the connector, and the plugin normalizes the
// value it was given with the same pattern, so the two can never disagree.
//   VMajorMinor  Salesforce   "60.0", "v60.0", "V60", "60"   -> "v60.0"
//   VMajor       Google Ads   "17", "v17", "V17"              -> "v17"
//   YearMonth    LinkedIn     "202405", "202405.01"           -> as typed
#pragma once

#include <optional>
#include <regex>
#include <string>
#include <string_view>

namespace abm::sdk {

enum class VersionStyle { VMajorMinor, VMajor, YearMonth };

// The ECMAScript pattern a value must match in full; give it as the option's `pattern`.
constexpr std::string_view versionPattern(VersionStyle style) {
  switch (style) {
    case VersionStyle::VMajorMinor: return "[vV]?([1-9][0-9]*)(?:\\.([0-9]+))?";
    case VersionStyle::VMajor: return "[vV]?([1-9][0-9]*)";
    case VersionStyle::YearMonth: return "(20[0-9]{2}(?:0[1-9]|1[0-2])(?:\\.[0-9]{2})?)";
  }
  return "";
}

// What the setting should look like, for error messages.
constexpr std::string_view versionExample(VersionStyle style) {
  switch (style) {
    case VersionStyle::VMajorMinor: return "v60.0 or 60.0";
    case VersionStyle::VMajor: return "v17 or 17";
    case VersionStyle::YearMonth: return "YYYYMM such as 202405";
  }
  return "";
}

// The vendor's spelling of `text`, or nothing when it is not a version of this style.
inline std::optional<std::string> normalizeVersion(VersionStyle style, std::string_view text) {
  const std::regex re{std::string(versionPattern(style))};
  std::match_results<std::string_view::const_iterator> m;
  if (!std::regex_match(text.begin(), text.end(), m, re)) return std::nullopt;
  switch (style) {
    case VersionStyle::VMajorMinor: return "v" + m[1].str() + "." + (m[2].matched ? m[2].str() : "0");
    case VersionStyle::VMajor: return "v" + m[1].str();
    case VersionStyle::YearMonth: return m[1].str();
  }
  return std::nullopt;
}

// "" when `text` is a version of this style, else the message naming the setting and the spellings.
inline std::string versionError(VersionStyle style, std::string_view setting, std::string_view text) {
  if (normalizeVersion(style, text)) return {};
  return std::string(setting) + ": '" + std::string(text) + "' is not an API version (expected " +
         std::string(versionExample(style)) + ")";
}

}  // namespace abm::sdk
