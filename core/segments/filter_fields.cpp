#include "segments/filter_fields.hpp"

#include <vector>

namespace abm::segments {

namespace {

struct Known {
  const char* name;
  FieldKind kind;
  FieldType type;
};

constexpr Known kFields[] = {
    {"name", FieldKind::Name, FieldType::Text},
    {"domain", FieldKind::Domain, FieldType::Text},
    {"industry", FieldKind::Industry, FieldType::Text},
    {"employee_count", FieldKind::EmployeeCount, FieldType::Number},
    {"annual_revenue", FieldKind::AnnualRevenue, FieldType::Number},
    {"country", FieldKind::Country, FieldType::Text},
    {"tier", FieldKind::Tier, FieldType::Text},
    {"is_target", FieldKind::IsTarget, FieldType::Boolean},
    {"stage", FieldKind::Stage, FieldType::Stage},
    {"engagement", FieldKind::Engagement, FieldType::Number},
    {"contact.buying_role", FieldKind::ContactBuyingRole, FieldType::Text},
    {"contact.title", FieldKind::ContactTitle, FieldType::Text},
    {"contact.months_in_role", FieldKind::ContactMonthsInRole, FieldType::Number},
};

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

constexpr std::string_view kProperties = "properties.";

}  // namespace

std::optional<int> stagePosition(std::string_view name) {
  const auto l = lower(name);
  for (size_t i = 0; i < std::size(kStageOrder); ++i)
    if (kStageOrder[i] == l) return static_cast<int>(i);
  return std::nullopt;
}

std::string stageList() {
  std::string out;
  for (auto s : kStageOrder) out += (out.empty() ? "" : ", ") + std::string(s);
  return out;
}

std::optional<Field> resolveField(std::string_view name) {
  Field f;
  f.text = std::string(name);
  if (lower(name.substr(0, kProperties.size())) == kProperties) {
    std::string_view rest = name.substr(kProperties.size());
    while (!rest.empty()) {
      const auto dot = rest.find('.');
      f.path.emplace_back(rest.substr(0, dot));
      if (f.path.back().empty()) return std::nullopt;
      rest = dot == std::string_view::npos ? std::string_view() : rest.substr(dot + 1);
      if (dot != std::string_view::npos && rest.empty()) return std::nullopt;
    }
    if (f.path.empty()) return std::nullopt;
    f.kind = FieldKind::Property;
    f.type = FieldType::Any;
    return f;
  }
  const auto l = lower(name);
  for (const auto& k : kFields)
    if (l == k.name) {
      f.kind = k.kind;
      f.type = k.type;
      f.about_contact = l.rfind("contact.", 0) == 0;
      return f;
    }
  return std::nullopt;
}

std::string fieldList() {
  std::string out;
  for (const auto& k : kFields) out += std::string(k.name) + ", ";
  return out + "properties.<key>[.<key>...]";
}

}  // namespace abm::segments
