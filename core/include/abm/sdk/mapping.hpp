// The mapping language of connectors that carry no code of their own (rest, airbyte, singer): which
// source stream fills which unified entity, and where each unified field comes from (header-only).
//
//   "streams": {"organizations": {"entity": "accounts",
//      "fields": {"external_id": "/id", "domain": {"from": "/website", "transform": "domain"},
//                 "is_target": {"value": true}}}}
//
// docs/mapping.md is the reference; the names here are a contract with connector files.
#pragma once

#include <abm/sdk/entities.hpp>
#include <abm/sdk/json_writer.hpp>
#include <abm/sdk/plugin.hpp>
#include <abm/sdk/time.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace abm::sdk::mapping {

struct FieldRule {
  std::string field;      // unified field name, e.g. "domain"
  std::string from;       // JSON pointer into the source record ("" when constant)
  std::string transform;  // "" or one of kTransforms
  nlohmann::json value;   // the constant, when constant
  bool constant = false;
};

struct StreamMapping {
  std::string stream;  // the source stream's name (the key under "streams")
  std::string entity;  // one of kEntityNames
  std::vector<FieldRule> fields;
  nlohmann::json definition;  // the stream's whole object as written (rest reads path, query, ... from it)
};

inline constexpr std::string_view kTransforms[] = {"lowercase",    "trim", "domain", "epoch_seconds", "epoch_millis",
                                                   "date",         "timestamp", "number", "integer",  "string",
                                                   "boolean"};

namespace detail {

inline std::string joined(std::span<const std::string_view> names) {
  std::string out;
  for (auto n : names) out += (out.empty() ? "" : ", ") + std::string(n);
  return out;
}

inline std::string entityFieldNames(std::span<const EntityField> fields) {
  std::string out;
  for (const auto& f : fields) out += (out.empty() ? "" : ", ") + std::string(f.name);
  return out;
}

// "" when `p` is a JSON pointer nlohmann accepts ("/a/0/b", "~1" escapes), else why not.
inline std::string pointerError(const std::string& p) {
  if (p.empty() || p[0] != '/') return "'" + p + "' is not a JSON pointer: it must start with '/' (e.g. \"/id\")";
  try {
    (void)nlohmann::json::json_pointer(p);
  } catch (const nlohmann::json::exception&) {
    return "'" + p + "' is not a JSON pointer (escape '~' as ~0 and '/' inside a key as ~1)";
  }
  return {};
}

inline std::string parseField(const std::string& path, const std::string& name, const nlohmann::json& spec,
                              FieldRule& rule) {
  rule.field = name;
  if (spec.is_string()) {
    rule.from = spec.get<std::string>();
    const std::string e = pointerError(rule.from);
    return e.empty() ? std::string() : path + ": " + e;
  }
  if (!spec.is_object())
    return path + ": expected a JSON pointer (\"/id\"), {\"from\": POINTER, \"transform\": NAME} or {\"value\": CONSTANT}";
  if (spec.contains("value")) {
    if (spec.size() != 1) return path + ": a constant takes \"value\" alone";
    rule.constant = true;
    rule.value = spec["value"];
    return {};
  }
  for (const auto& [key, v] : spec.items())
    if (key != "from" && key != "transform") return path + "." + key + ": unknown key (from, transform, value)";
  if (!spec.contains("from") || !spec["from"].is_string()) return path + ".from: expected a JSON pointer string";
  rule.from = spec["from"].get<std::string>();
  if (const std::string e = pointerError(rule.from); !e.empty()) return path + ".from: " + e;
  if (spec.contains("transform")) {
    if (!spec["transform"].is_string()) return path + ".transform: expected a string (" + joined(kTransforms) + ")";
    rule.transform = spec["transform"].get<std::string>();
    if (std::find(std::begin(kTransforms), std::end(kTransforms), rule.transform) == std::end(kTransforms))
      return path + ".transform: unknown transform '" + rule.transform + "' (" + joined(kTransforms) + ")";
  }
  return {};
}

// "www.acme.com" from "https://WWW.Acme.com:443/de?x=1"; "" when nothing like a domain is left.
inline std::string domainOf(std::string s) {
  if (const auto scheme = s.find("://"); scheme != std::string::npos) s.erase(0, scheme + 3);
  if (const auto at = s.find('@'); at != std::string::npos && at < s.find('/')) s.erase(0, at + 1);
  if (const auto end = s.find_first_of("/?#"); end != std::string::npos) s.erase(end);
  if (const auto colon = s.find(':'); colon != std::string::npos) s.erase(colon);
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  while (!s.empty() && s.back() == '.') s.pop_back();
  if (s.rfind("www.", 0) == 0) s.erase(0, 4);
  return plausibleDomain(s) ? s : std::string();
}

inline std::string trimmed(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  return std::string(s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1));
}

// A whole number from a JSON number or digits in a string.
inline std::optional<int64_t> wholeNumber(const nlohmann::json& v) {
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9e15) return static_cast<int64_t>(d);
    return std::nullopt;
  }
  if (!v.is_string()) return std::nullopt;
  const std::string s = trimmed(v.get_ref<const std::string&>());
  int64_t out = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return out;
}

inline std::optional<double> anyNumber(const nlohmann::json& v) {
  if (v.is_number()) return v.get<double>();
  if (!v.is_string()) return std::nullopt;
  const std::string s = trimmed(v.get_ref<const std::string&>());
  double out = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty() || !std::isfinite(out)) return std::nullopt;
  return out;
}

// The transformed value, null to leave the field out, or an error in `why`.
inline nlohmann::json transformed(const std::string& t, const nlohmann::json& v, std::string& why) {
  const bool text = v.is_string();
  const std::string s = text ? v.get<std::string>() : std::string();
  if (t == "lowercase" || t == "trim" || t == "domain") {
    if (!text) {
      why = "expected text, found " + v.dump();
      return nullptr;
    }
    if (t == "trim") return trimmed(s);
    if (t == "domain") {
      std::string d = domainOf(trimmed(s));
      return d.empty() ? nlohmann::json() : nlohmann::json(d);
    }
    std::string lower = s;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return lower;
  }
  if (t == "epoch_seconds" || t == "epoch_millis") {
    const auto n = wholeNumber(v);
    if (!n) {
      why = "expected " + std::string(t == "epoch_seconds" ? "seconds" : "milliseconds") + " since 1970 as a whole number, found " + v.dump();
      return nullptr;
    }
    return millisToIso(t == "epoch_seconds" ? *n * 1000 : *n);
  }
  if (t == "date") {
    const auto days = text ? isoDateToDays(s) : std::nullopt;
    if (!days || (s.size() > 10 && s[10] != 'T' && s[10] != ' ')) {
      why = "expected a date YYYY-MM-DD, found " + v.dump();
      return nullptr;
    }
    return millisToIso(*days * 86'400'000);
  }
  if (t == "timestamp") {
    const auto ms = text ? isoToMillis(s) : std::nullopt;
    if (!ms) {
      why = "expected an ISO-8601 timestamp, found " + v.dump();
      return nullptr;
    }
    return millisToIso(*ms);
  }
  if (t == "number" || t == "integer") {
    if (t == "integer") {
      if (const auto n = wholeNumber(v)) return *n;
    } else if (const auto d = anyNumber(v)) {
      return *d;
    }
    why = "expected " + std::string(t == "integer" ? "a whole number" : "a number") + ", found " + v.dump();
    return nullptr;
  }
  if (t == "string") {
    if (text) return s;
    if (v.is_number() || v.is_boolean()) return v.dump();
    why = "expected text, a number or a boolean, found " + v.dump();
    return nullptr;
  }
  if (t == "boolean") {
    if (v.is_boolean()) return v;
    if (const auto n = wholeNumber(v); n && (*n == 0 || *n == 1)) return *n == 1;
    std::string lower = trimmed(s);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (text && (lower == "true" || lower == "yes")) return true;
    if (text && (lower == "false" || lower == "no")) return false;
    why = "expected true/false, 1/0 or yes/no, found " + v.dump();
    return nullptr;
  }
  return v;  // "": as it is
}

}  // namespace detail

// Reads the `streams` object of a connector's settings. Returns "" or one line naming the key path:
// "streams.organizations.fields.domain.transform: unknown transform 'domian' (lowercase, trim, ...)".
// `extra_keys`: further keys a stream object may carry (rest: path, query, records, paginator,
// cursor); any other key is refused. Unified field names are checked against <abm/sdk/entities.hpp>.
inline std::string parseStreams(const nlohmann::json& streams, std::vector<StreamMapping>& out,
                                std::span<const std::string_view> extra_keys = {}) {
  out.clear();
  if (!streams.is_object() || streams.empty())
    return "streams: expected an object naming at least one source stream, e.g. {\"organizations\": "
           "{\"entity\": \"accounts\", \"fields\": {\"external_id\": \"/id\"}}}";
  for (const auto& [name, def] : streams.items()) {
    const std::string path = "streams." + name;
    if (!def.is_object()) return path + ": expected an object with \"entity\" and \"fields\"";
    for (const auto& [key, v] : def.items()) {
      const bool known = key == "entity" || key == "fields" ||
                         std::find(extra_keys.begin(), extra_keys.end(), key) != extra_keys.end();
      if (!known) {
        std::vector<std::string_view> all = {"entity", "fields"};
        all.insert(all.end(), extra_keys.begin(), extra_keys.end());
        return path + "." + key + ": unknown key (" + detail::joined(all) + ")";
      }
    }
    StreamMapping m;
    m.stream = name;
    m.definition = def;
    const auto entity = def.find("entity");
    if (entity == def.end() || !entity->is_string())
      return path + ".entity: expected one of " + detail::joined(kEntityNames);
    m.entity = entity->get<std::string>();
    const auto fields_of = fieldsOfEntity(m.entity);
    if (fields_of.empty())
      return path + ".entity: unknown entity '" + m.entity + "' (" + detail::joined(kEntityNames) + ")";
    const auto fields = def.find("fields");
    if (fields == def.end() || !fields->is_object() || fields->empty())
      return path + ".fields: expected an object mapping unified fields to source fields, e.g. {\"external_id\": \"/id\"}";
    for (const auto& [field, spec] : fields->items()) {
      const std::string fpath = path + ".fields." + field;
      if (std::none_of(fields_of.begin(), fields_of.end(), [&](const EntityField& f) { return f.name == field; }))
        return fpath + ": '" + field + "' is not a field of " + m.entity + " (" + detail::entityFieldNames(fields_of) + ")";
      FieldRule rule;
      if (std::string e = detail::parseField(fpath, field, spec, rule); !e.empty()) return e;
      m.fields.push_back(std::move(rule));
    }
    for (const auto& f : fields_of)
      if (f.required && !fields->contains(std::string(f.name)))
        return path + ".fields." + std::string(f.name) + ": " + m.entity + " need it; map it to a source field " +
               (f.name == "external_id" ? "holding the record's id (e.g. \"/id\")" : "or a constant");
    out.push_back(std::move(m));
  }
  return {};
}

struct Mapped {
  std::string json;   // the unified record (JSON object text), when ok
  std::string error;  // else why: names the unified field, its pointer and the value's problem
  bool ok() const { return error.empty(); }
};

// One source record to a unified record. A pointer that finds nothing, null or "" leaves the field
// out (the host then refuses a record that lacks a required field, with its own message).
inline Mapped apply(const StreamMapping& m, const nlohmann::json& record) {
  Mapped out;
  JsonObjectWriter w;
  for (const auto& rule : m.fields) {
    nlohmann::json v;
    if (rule.constant) {
      v = rule.value;
    } else {
      const nlohmann::json::json_pointer ptr(rule.from);
      if (!record.contains(ptr)) continue;
      const nlohmann::json& found = record.at(ptr);
      if (found.is_null() || (found.is_string() && found.get_ref<const std::string&>().empty())) continue;
      std::string why;
      v = detail::transformed(rule.transform, found, why);
      if (!why.empty()) {
        out.error = m.stream + ": field '" + rule.field + "' from " + rule.from +
                    (rule.transform.empty() ? "" : " (" + rule.transform + ")") + ": " + why;
        return out;
      }
    }
    if (v.is_null()) continue;
    if (rule.field == "external_id" || rule.field.ends_with("_external_id")) {
      if (v.is_number() || v.is_boolean()) v = v.dump();  // ids are text in the unified schema
    }
    w.addRaw(rule.field, v.dump());
  }
  out.json = w.finish();
  return out;
}

// The mapped streams as the plugin's stream list, in the entity order of kEntityNames (references
// resolve on first sight), streams of one entity by name (JSON objects keep no order).
inline std::vector<Stream> streamsOf(const std::vector<StreamMapping>& m, bool incremental) {
  std::vector<Stream> out;
  for (const auto entity : kEntityNames)
    for (const auto& s : m)
      if (s.entity == entity) out.push_back({s.stream, s.entity, incremental});
  return out;
}

}  // namespace abm::sdk::mapping
