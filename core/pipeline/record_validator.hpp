// Turns one RECORD's fields into a typed, normalized Row of its entity, or says exactly what is
// wrong with it. Strings in a Row point into the message line or the row's own buffers.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/entity_schema.hpp"
#include "wire/json_scan.hpp"

namespace abm::pipeline {

struct Value {
  enum Kind : uint8_t { Null, Int, Real, Text } kind = Null;
  int64_t i = 0;
  double d = 0;
  std::string_view text;
  bool isNull() const { return kind == Null; }
};

struct Row {
  Entity entity = Entity::Accounts;
  std::array<Value, kMaxFields> v;
  std::array<std::string, kMaxFields> own;  // storage for normalized text
  bool deleted = false;                     // "_deleted": true — the source deleted this record
  const Value& operator[](int slot) const { return v[static_cast<size_t>(slot)]; }
};

// The reserved field a plugin sets to say the source deleted a record: {"external_id": ..., "_deleted": true}.
inline constexpr std::string_view kDeletedField = "_deleted";

// What a source may send beyond the unified rules.
struct ValidateOptions {
  // A touchpoint's activity may also be the source's own snake_case name ("demo_requested": a
  // lowercase letter, then lowercase letters, digits and '_', at most kMaxCustomActivity bytes). The
  // event collector's track events use it; the metrics stage counts such activities as "other".
  bool custom_activities = false;
};

inline constexpr size_t kMaxCustomActivity = 64;

// Whether `name` is a custom activity name as ValidateOptions::custom_activities allows.
bool isCustomActivity(std::string_view name);

// Fills `row` from `fields`. On failure returns false with `error` naming the field and the rule.
bool validateRecord(Entity entity, const std::vector<JsonMember>& fields, Row& row, std::string& error,
                    const ValidateOptions& options = {});

}  // namespace abm::pipeline
