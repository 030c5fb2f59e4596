#include "config/option_schema.hpp"

#include <algorithm>
#include <functional>
#include <regex>

#include "common/timestamp.hpp"

namespace abm::config {

using nlohmann::json;

Result<std::vector<OptionSpec>> parseOptionSpecs(const std::string& options_json) {
  json arr = json::parse(options_json, nullptr, false);
  if (!arr.is_array()) return Status::error("plugin options are not a JSON array");
  std::vector<OptionSpec> out;
  for (const auto& o : arr) {
    if (!o.is_object() || !o.contains("name") || !o.contains("type"))
      return Status::error("plugin option without name/type: " + o.dump());
    OptionSpec s;
    s.name = o["name"].get<std::string>();
    s.type = o["type"].get<std::string>();
    s.required = o.value("required", false);
    s.secret = o.value("secret", false);
    s.description = o.value("description", "");
    if (o.contains("default")) s.default_value = o["default"];
    if (o.contains("choices")) {
      if (!o["choices"].is_array()) return Status::error("plugin option " + s.name + ": choices is not an array");
      for (const auto& c : o["choices"]) {
        if (!c.is_string()) return Status::error("plugin option " + s.name + ": choices holds a non-string");
        s.choices.push_back(c.get<std::string>());
      }
    }
    if (o.contains("pattern")) {
      if (!o["pattern"].is_string()) return Status::error("plugin option " + s.name + ": pattern is not a string");
      s.pattern = o["pattern"].get<std::string>();
      try {
        std::regex check(s.pattern);
      } catch (const std::regex_error& e) {
        return Status::error("plugin option " + s.name + ": pattern is not a regular expression (" + e.what() + ")");
      }
    }
    out.push_back(std::move(s));
  }
  return out;
}

namespace {

const char* jsonKind(const json& v) {
  switch (v.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return "an integer";
    case json::value_t::number_float: return "a number";
    case json::value_t::string: return "a string";
    case json::value_t::array: return "an array";
    default: return "an object";
  }
}

// Returns an empty string when `v` fits `type`, else what was expected.
std::string typeMismatch(const std::string& path, const std::string& type, const json& v) {
  auto expect = [&](const char* what) { return path + ": expected " + what + ", got " + jsonKind(v); };
  if (type == "string") return v.is_string() ? "" : expect("a string");
  if (type == "timestamp") {
    // "01/01/2024" would otherwise reach the plugin, which reads an unparsable date as 1970.
    if (!v.is_string() || !parseTimestamp(v.get<std::string>()))
      return path + ": expected an ISO-8601 time like \"2024-01-01T00:00:00Z\" or \"2024-01-01\"";
    if (sdk::isZonelessDateTime(v.get<std::string>()))
      return path + ": \"" + v.get<std::string>() +
             "\" has no zone: write Z for UTC (\"2024-01-01T00:00:00Z\") or its offset (+02:00), or a bare date; "
             "a time without one is refused, not taken as UTC";
    return "";
  }
  if (type == "integer") return v.is_number_integer() ? "" : expect("an integer");
  if (type == "number") return v.is_number() ? "" : expect("a number");
  if (type == "boolean") return v.is_boolean() ? "" : expect("a boolean (true or false)");
  if (type == "string_list") {
    if (!v.is_array()) return expect("an array of strings");
    for (size_t i = 0; i < v.size(); ++i)
      if (!v[i].is_string()) return path + "[" + std::to_string(i) + "]: expected a string, got " + jsonKind(v[i]);
    return "";
  }
  if (type == "string_map") {
    if (!v.is_object()) return expect("an object of strings");
    for (const auto& [k, item] : v.items())
      if (!item.is_string()) return path + "." + k + ": expected a string, got " + jsonKind(item);
    return "";
  }
  if (type == "object") return v.is_object() ? "" : expect("an object");
  return path + ": the plugin declares an unknown option type '" + type + "'";
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// Calls fn(where, text) for the value's strings: itself, each list item, or each map value.
void forEachString(const std::string& path, const json& v,
                   const std::function<void(const std::string&, const std::string&)>& fn) {
  if (v.is_array()) {
    for (size_t i = 0; i < v.size(); ++i)
      if (v[i].is_string()) fn(path + "[" + std::to_string(i) + "]", v[i].get_ref<const std::string&>());
  } else if (v.is_object()) {
    for (const auto& [key, item] : v.items())
      if (item.is_string()) fn(path + "." + key, item.get_ref<const std::string&>());
  } else if (v.is_string()) {
    fn(path, v.get_ref<const std::string&>());
  }
}

// A value outside the plugin's declared choices (a misspelt stream name) is named with the choices.
void checkChoices(const std::string& path, const OptionSpec& s, const json& v, std::vector<std::string>& errors) {
  forEachString(path, v, [&](const std::string& where, const std::string& text) {
    if (std::find(s.choices.begin(), s.choices.end(), text) == s.choices.end())
      errors.push_back(where + ": unknown value '" + text + "' (expected one of " + joined(s.choices) + ")");
  });
}

// A value that does not have the declared form ("sixty" for an API version) is named with the
// option's description, which says what the form is; a secret's value is never echoed.
void checkPattern(const std::string& path, const OptionSpec& s, const json& v, std::vector<std::string>& errors) {
  const std::regex re(s.pattern);
  forEachString(path, v, [&](const std::string& where, const std::string& text) {
    if (!std::regex_match(text, re))
      errors.push_back(where + ": " + (s.secret ? std::string("the value") : "'" + text + "'") +
                       " does not have the expected form (" + s.description + ")");
  });
}

}  // namespace

void validateSettings(const std::vector<OptionSpec>& specs, json& settings, std::vector<std::string>& errors) {
  if (!settings.is_object()) {
    errors.push_back(std::string("settings: expected an object, got ") + jsonKind(settings));
    return;
  }
  for (const auto& [key, value] : settings.items()) {
    bool known = false;
    for (const auto& s : specs) known = known || s.name == key;
    if (!known) {
      std::string names;
      for (const auto& s : specs) names += (names.empty() ? "" : ", ") + s.name;
      errors.push_back("settings." + key + ": unknown option (this plugin takes: " + names + ")");
    }
  }
  for (const auto& s : specs) {
    const std::string path = "settings." + s.name;
    if (!settings.contains(s.name)) {
      if (s.required)
        errors.push_back(path + ": required " + s.type + " option is missing (" + s.description + ")");
      else if (s.default_value)
        settings[s.name] = *s.default_value;
      continue;
    }
    if (auto why = typeMismatch(path, s.type, settings[s.name]); !why.empty()) {
      errors.push_back(why);
      continue;
    }
    if (!s.choices.empty()) checkChoices(path, s, settings[s.name], errors);
    if (!s.pattern.empty()) checkPattern(path, s, settings[s.name], errors);
  }
}

}  // namespace abm::config
