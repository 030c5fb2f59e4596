#include "api/query_params.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>

#include "common/timestamp.hpp"
#include "common/utf8.hpp"

namespace abm::api {

namespace {

// Input quoted in a message: cut so the message stays one line, and repaired, since the message
// becomes JSON and must be valid UTF-8 whatever the caller sent.
std::string quoteInput(std::string_view value) {
  return "'" + utf8Excerpt(value, 60) + (value.size() > 60 ? "…'" : "'");
}

std::optional<int64_t> parseInteger(std::string_view s) {
  int64_t v = 0;
  if (s.empty()) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<double> parseNumber(std::string_view s) {
  double v = 0;
  if (s.empty()) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::string joined(const std::vector<std::string>& values, std::string_view sep) {
  std::string out;
  for (const auto& v : values) {
    if (!out.empty()) out += sep;
    out += v;
  }
  return out;
}

}  // namespace

ParamSpec integerParam(std::string name, int64_t min, int64_t max) {
  return ParamSpec{std::move(name), ParamKind::Integer, {}, min, max};
}
ParamSpec numberParam(std::string name) { return ParamSpec{std::move(name), ParamKind::Number}; }
ParamSpec booleanParam(std::string name) { return ParamSpec{std::move(name), ParamKind::Boolean}; }
ParamSpec enumParam(std::string name, std::vector<std::string> values) {
  return ParamSpec{std::move(name), ParamKind::Enum, std::move(values)};
}
ParamSpec textParam(std::string name, size_t max_bytes) {
  ParamSpec p{std::move(name), ParamKind::Text};
  p.max_bytes = max_bytes;
  return p;
}
ParamSpec timestampParam(std::string name) { return ParamSpec{std::move(name), ParamKind::Timestamp}; }

std::string describeAccepted(const ParamSpec& spec) {
  switch (spec.kind) {
    case ParamKind::Integer:
      if (spec.max == INT64_MAX) return "a whole number of at least " + std::to_string(spec.min);
      return "a whole number from " + std::to_string(spec.min) + " to " + std::to_string(spec.max);
    case ParamKind::Number:
      return "a number";
    case ParamKind::Boolean:
      return "true or false";
    case ParamKind::Enum:
      return "one of " + joined(spec.values, ", ");
    case ParamKind::Text:
      return "UTF-8 text of 1 to " + std::to_string(spec.max_bytes) + " bytes";
    case ParamKind::Timestamp:
      return "a date or time like 2024-03-01 or 2024-03-01T12:00:00Z";
  }
  return {};
}

const std::string* QueryParams::text(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? nullptr : &it->second;
}

std::optional<int64_t> QueryParams::integer(const std::string& name) const {
  const auto* v = text(name);
  return v ? parseInteger(*v) : std::nullopt;
}

std::optional<double> QueryParams::number(const std::string& name) const {
  const auto* v = text(name);
  return v ? parseNumber(*v) : std::nullopt;
}

std::optional<bool> QueryParams::boolean(const std::string& name) const {
  const auto* v = text(name);
  if (!v) return std::nullopt;
  return *v == "true";
}

std::string QueryParams::canonical(const std::vector<std::string>& leave_out) const {
  std::string out;
  for (const auto& [name, value] : values_) {
    bool skip = false;
    for (const auto& l : leave_out) skip = skip || l == name;
    if (skip) continue;
    // Lengths make the encoding unambiguous whatever the values contain.
    out += std::to_string(name.size()) + ":" + name + "=" + std::to_string(value.size()) + ":" + value + ";";
  }
  return out;
}

ApiResult<QueryParams> parseQuery(const http::Request& request, const std::vector<ParamSpec>& specs,
                                  std::string_view endpoint) {
  QueryParams out;
  const std::string where = " (" + std::string(endpoint) + ")";
  for (const auto& pair : request.query) {
    // Named copies, not structured bindings: clang 14 cannot capture those in the lambda below.
    const std::string& name = pair.first;
    const std::string& raw = pair.second;
    const ParamSpec* spec = nullptr;
    for (const auto& s : specs)
      if (s.name == name) spec = &s;
    if (!spec) {
      std::vector<std::string> names;
      for (const auto& s : specs) names.push_back(s.name);
      return ApiError::badRequest("unknown_parameter",
                                  "unknown query parameter " + quoteInput(name) + where + "; " +
                                      (names.empty() ? std::string("this endpoint takes no query parameters")
                                                     : "accepted parameters: " + joined(names, ", ")));
    }
    if (out.values_.count(name))
      return ApiError::badRequest(
          "invalid_parameter",
          "query parameter '" + name + "' is given more than once" + where + "; give it once");
    auto bad = [&] {
      return ApiError::badRequest("invalid_parameter", "query parameter '" + name + "' must be " +
                                                           describeAccepted(*spec) + ", got " +
                                                           quoteInput(raw) + where);
    };
    std::string value = raw;
    switch (spec->kind) {
      case ParamKind::Integer: {
        auto v = parseInteger(raw);
        if (!v || *v < spec->min || *v > spec->max) return bad();
        value = std::to_string(*v);
        break;
      }
      case ParamKind::Number:
        if (!parseNumber(raw)) return bad();
        break;
      case ParamKind::Boolean:
        if (raw != "true" && raw != "false") return bad();
        break;
      case ParamKind::Enum: {
        bool found = false;
        for (const auto& v : spec->values) found = found || v == raw;
        if (!found) return bad();
        break;
      }
      case ParamKind::Text:
        if (raw.empty() || raw.size() > spec->max_bytes || invalidUtf8At(raw) != std::string_view::npos ||
            raw.find('\0') != std::string::npos)
          return bad();
        break;
      case ParamKind::Timestamp: {
        auto t = parseTimestamp(raw);
        if (!t) return bad();
        value = formatTimestamp(*t);
        break;
      }
    }
    out.values_.emplace(name, std::move(value));
  }
  return out;
}

}  // namespace abm::api
