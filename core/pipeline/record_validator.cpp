#include "pipeline/record_validator.hpp"

#include <charconv>
#include <cmath>

#include "common/timestamp.hpp"
#include "common/utf8.hpp"
#include "pipeline/domain.hpp"

namespace abm::pipeline {

namespace {

bool parseInt(std::string_view s, int64_t& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec == std::errc() && p == s.data() + s.size()) return true;
  double d;
  auto [p2, ec2] = std::from_chars(s.data(), s.data() + s.size(), d);
  if (ec2 != std::errc() || p2 != s.data() + s.size() || d != std::floor(d) || std::fabs(d) > 9e15) return false;
  out = static_cast<int64_t>(d);
  return true;
}

bool parseReal(std::string_view s, double& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && std::isfinite(out);
}

// Bounds of the numeric fields (docs/store.md#validation): beyond them a value is a unit or
// export error, and sums over it would swamp or overflow every metric.
constexpr double kMaxMoney = 1e15;
constexpr double kMaxQuantity = 1e9;

bool parseBetween(std::string_view s, double lo, double hi, double& out) {
  return parseReal(s, out) && out >= lo && out <= hi;
}

bool parseBool(std::string_view s, bool& out) {
  if (s == "true" || s == "1" || s == "yes" || s == "TRUE" || s == "True" || s == "Yes" || s == "y") return out = true, true;
  if (s == "false" || s == "0" || s == "no" || s == "FALSE" || s == "False" || s == "No" || s == "n") return out = false, true;
  return false;
}

std::string_view lowerInto(std::string_view s, std::string& buf) {
  bool has_upper = false;
  for (char c : s) has_upper |= (c >= 'A' && c <= 'Z');
  if (!has_upper) return s;
  buf.assign(s);
  for (char& c : buf)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return buf;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// A JSON object's text with ill-formed UTF-8 replaced: JSON syntax is ASCII, so bad bytes can only
// sit inside its strings, and the text stays the same object.
std::string_view repairedObject(std::string_view json, std::string& own) {
  if (invalidUtf8At(json) == std::string_view::npos) return json;
  own = repairUtf8(json);
  return own;
}

// Converts one field; returns nullptr on success, else the reason.
const char* convert(const FieldSpec& spec, const JsonSlice& in, Value& out, std::string& own,
                    const ValidateOptions& options) {
  out = Value{};
  if (in.kind == JsonKind::Null) return nullptr;
  if (in.kind == JsonKind::Object || in.kind == JsonKind::Array) {
    if (spec.type == FieldType::Object && in.kind != JsonKind::Object) return "expected a JSON object";
    if (spec.type != FieldType::Object) return "expected a scalar value";
    out.kind = Value::Text;
    out.text = repairedObject(in.raw, own);
    return nullptr;
  }
  // Scalars: strings and numbers are both accepted where they can mean the same thing.
  std::string_view s = in.kind == JsonKind::String ? trim(in.str) : in.raw;
  if (in.kind == JsonKind::String && s.empty()) return nullptr;  // empty means unknown
  // Free text is repaired; anything else with a bad byte is refused, so that two different ids can
  // never become one and a value is never stored other than it was sent.
  if (in.kind == JsonKind::String && spec.type != FieldType::Text && spec.type != FieldType::Object) {
    if (invalidUtf8At(s) != std::string_view::npos) return "not valid UTF-8";
    if (s.find('\0') != std::string_view::npos) return "contains a NUL character";
  }
  switch (spec.type) {
    case FieldType::Id:
      if (in.kind == JsonKind::Bool) return "expected an identifier";
      out.kind = Value::Text;
      out.text = s;
      return nullptr;
    case FieldType::Text:
      if (in.kind == JsonKind::Bool) return "expected text";
      out.kind = Value::Text;
      out.text = s;
      if (invalidUtf8At(s) != std::string_view::npos || s.find('\0') != std::string_view::npos) {
        own = repairUtf8(s);
        out.text = own;
      }
      return nullptr;
    case FieldType::Count:
      if (in.kind == JsonKind::Bool || !parseInt(s, out.i) || out.i < 0) return "expected a whole number of 0 or more";
      out.kind = Value::Int;
      return nullptr;
    case FieldType::Money:
      if (in.kind == JsonKind::Bool || !parseBetween(s, 0, kMaxMoney, out.d)) return "expected an amount from 0 to 1e15";
      out.kind = Value::Real;
      return nullptr;
    case FieldType::SignedMoney:
      if (in.kind == JsonKind::Bool || !parseBetween(s, -kMaxMoney, kMaxMoney, out.d))
        return "expected an amount from -1e15 to 1e15";
      out.kind = Value::Real;
      return nullptr;
    case FieldType::Quantity:
      if (in.kind == JsonKind::Bool || !parseBetween(s, 0, kMaxQuantity, out.d))
        return "expected a quantity from 0 to 1e9";
      out.kind = Value::Real;
      return nullptr;
    case FieldType::Probability:
      if (in.kind == JsonKind::Bool || !parseReal(s, out.d) || out.d < 0 || out.d > 100)
        return "expected a probability from 0 to 1 (or a percentage up to 100)";
      if (out.d > 1) out.d /= 100;
      out.kind = Value::Real;
      return nullptr;
    case FieldType::Bool: {
      bool b;
      if (in.kind == JsonKind::Bool) b = in.boolean;
      else if (!parseBool(s, b)) return "expected true or false";
      out.kind = Value::Int;
      out.i = b ? 1 : 0;
      return nullptr;
    }
    case FieldType::Timestamp: {
      // Not taken as UTC: the source knows its zone, the host cannot (sdk::isZonelessDateTime).
      if (sdk::isZonelessDateTime(s))
        return "expected an ISO-8601 timestamp with its zone like 2024-03-01T12:00:00Z or +02:00; a time without "
               "one is refused, not taken as UTC (send Z if it is UTC)";
      auto t = parseTimestamp(s);
      if (!t) return "expected an ISO-8601 timestamp like 2024-03-01T12:00:00Z";
      own.resize(20);
      formatTimestamp(*t, own.data());
      out.kind = Value::Text;
      out.text = own;
      return nullptr;
    }
    case FieldType::Date: {
      auto t = parseTimestamp(s);
      if (!t) return "expected a date like 2024-03-01";
      own.resize(20);
      formatTimestamp(*t, own.data());
      own.resize(10);
      out.kind = Value::Text;
      out.text = own;
      return nullptr;
    }
    case FieldType::Domain: {
      auto d = normalizeDomain(s);
      if (!d) return "expected a domain like acme.com";
      own = std::move(*d);
      out.kind = Value::Text;
      out.text = own;
      return nullptr;
    }
    case FieldType::Email: {
      const auto at = s.find('@');
      if (at == 0 || at == std::string_view::npos || at != s.rfind('@') || !emailDomain(s))
        return "expected an email address like jane@acme.com";
      out.kind = Value::Text;
      out.text = lowerInto(s, own);
      return nullptr;
    }
    case FieldType::Object: {
      if (in.kind != JsonKind::String) return "expected a JSON object";
      JsonScratch scratch;
      JsonCursor c(s, scratch);
      if (!c.object([](std::string_view, const JsonSlice&) { return true; }) || !c.atEnd())
        return "expected a JSON object";
      out.kind = Value::Text;
      out.text = repairedObject(s, own);
      return nullptr;
    }
    case FieldType::Channel:
      out.text = lowerInto(s, own);
      if (!isChannel(out.text)) return "expected one of email, ads, web, social, event, sales, other";
      out.kind = Value::Text;
      return nullptr;
    case FieldType::Activity:
      out.text = lowerInto(s, own);
      if (options.custom_activities && isCustomActivity(out.text)) {
        out.kind = Value::Text;
        return nullptr;
      }
      if (!isActivity(out.text) && options.custom_activities)
        return "expected one of the unified activities (email_send, page_view, form_submit, ...) or a snake_case "
               "name of at most 64 characters like demo_requested";
      if (!isActivity(out.text))
        return "expected one of email_send, email_open, email_click, email_bounce, ad_impression, ad_click, "
               "page_view, form_submit, webinar_attend, meeting, call, social_engagement, other";
      out.kind = Value::Text;
      return nullptr;
    case FieldType::Score:
      if (in.kind == JsonKind::Bool || !parseInt(s, out.i) || out.i < 0 || out.i > 10)
        return "expected a whole number from 0 to 10";
      out.kind = Value::Int;
      return nullptr;
    case FieldType::OpportunityType:
      out.text = lowerInto(s, own);
      if (out.text != "new_business" && out.text != "expansion" && out.text != "renewal")
        return "expected one of new_business, expansion, renewal";
      out.kind = Value::Text;
      return nullptr;
  }
  return "unsupported field type";
}

}  // namespace

bool isCustomActivity(std::string_view name) {
  if (name.empty() || name.size() > kMaxCustomActivity || name.front() < 'a' || name.front() > 'z') return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

bool validateRecord(Entity entity, const std::vector<JsonMember>& fields, Row& row, std::string& error,
                    const ValidateOptions& options) {
  const auto specs = fieldsOf(entity);
  row.entity = entity;
  for (size_t i = 0; i < specs.size(); ++i) row.v[i] = Value{};
  row.deleted = false;
  uint32_t seen = 0;
  for (const auto& f : fields) {
    if (f.name == kDeletedField) {
      bool deleted = false;
      if (f.value.kind == JsonKind::Null || !parseBool(f.value.raw, deleted)) {
        error = "field '_deleted': expected true or false, got " + utf8Excerpt(f.value.raw, 80);
        return false;
      }
      row.deleted = deleted;
      continue;
    }
    size_t idx = 0;
    while (idx < specs.size() && specs[idx].name != f.name) ++idx;
    if (idx == specs.size()) {
      error = "unknown field '" + utf8Excerpt(f.name, 80) + "' for " + std::string(entityName(entity)) + " (fields:";
      for (const auto& s : specs) error += " " + std::string(s.name);
      error += ")";
      return false;
    }
    if (seen & (1u << idx)) {
      error = "field '" + std::string(f.name) + "' appears twice";
      return false;
    }
    seen |= 1u << idx;
    if (const char* why = convert(specs[idx], f.value, row.v[idx], row.own[idx], options)) {
      error = "field '" + std::string(f.name) + "': " + why + ", got " + utf8Excerpt(f.value.raw, 80);
      return false;
    }
  }
  if (row.deleted) {
    // A deletion names its record and nothing else is needed.
    if (entity == Entity::AdSpend) {
      error = "ad_spend rows cannot be deleted (send the day again with zeros)";
      return false;
    }
    if (row.v[0].isNull()) {
      error = "a deletion needs its 'external_id'";
      return false;
    }
    return true;
  }
  for (size_t i = 0; i < specs.size(); ++i)
    if (specs[i].required && row.v[i].isNull()) {
      error = "missing required field '" + std::string(specs[i].name) + "'";
      return false;
    }
  if (entity == Entity::Accounts && row.v[account_slot::Name].isNull() && row.v[account_slot::Domain].isNull()) {
    error = "an account needs a name or a domain";
    return false;
  }
  if (entity == Entity::Opportunities && row.v[opportunity_slot::IsWon].i == 1 &&
      row.v[opportunity_slot::ClosedAt].isNull()) {
    // Its revenue would otherwise be dated at a guess, and attributed to the touches before the guess.
    error = "a won opportunity needs 'closed_at' (when it was won)";
    return false;
  }
  return true;
}

}  // namespace abm::pipeline
