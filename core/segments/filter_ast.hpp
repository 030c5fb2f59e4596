// The parsed form of a segment filter (docs/segments.md): comparisons of account, property, stage,
// engagement and contact fields joined by and / or / not.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace abm::segments {

enum class FieldKind {
  Name,
  Domain,
  Industry,
  EmployeeCount,
  AnnualRevenue,
  Country,
  Tier,      // effective: the source's, else the latest list's (view account_targeting)
  IsTarget,  // effective: the source's flag or a target list (view account_targeting)
  Stage,     // compared by its position in the journey (kStageOrder)
  Engagement,
  Property,  // properties.<path>
  ContactBuyingRole,
  ContactTitle,
  ContactMonthsInRole,
};

// What values a field holds, which decides the literals and operators it accepts.
enum class FieldType { Text, Number, Boolean, Stage, Any };

struct Field {
  FieldKind kind = FieldKind::Name;
  FieldType type = FieldType::Text;
  std::string text;               // as written: "properties.technologies"
  std::vector<std::string> path;  // the keys under properties, for Property
  bool about_contact = false;     // a contact.* field: "has a contact with ..."
};

enum class Op { Eq, Ne, Lt, Le, Gt, Ge, In, NotIn, Between, NotBetween, Contains, NotContains, Exists, IsNull, IsNotNull };

struct Expr {
  enum class Kind { And, Or, Not, Compare };
  Kind kind = Kind::Compare;
  std::vector<Expr> children;  // And/Or: two or more; Not: one
  // Compare only. Literals are JSON values: strings, numbers, booleans; a stage as its position.
  Field field;
  Op op = Op::Eq;
  std::vector<nlohmann::json> values;

  // True when every comparison below is about a contact: such a part is tested contact by contact.
  bool aboutContactOnly() const;
  bool usesContacts() const;
  // Whether any comparison reads properties.<path>: only then are the accounts' JSON documents parsed.
  bool usesProperties() const;
};

}  // namespace abm::segments
