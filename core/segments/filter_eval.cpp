#include "segments/filter_eval.hpp"

#include <algorithm>

namespace abm::segments {

namespace {

using nlohmann::json;

std::string lower(std::string s) {
  for (auto& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

template <typename T>
json orNull(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

json accountValue(const Field& f, const AccountFacts& a) {
  switch (f.kind) {
    case FieldKind::Name: return orNull(a.name);
    case FieldKind::Domain: return orNull(a.domain);
    case FieldKind::Industry: return orNull(a.industry);
    case FieldKind::EmployeeCount: return orNull(a.employee_count);
    case FieldKind::AnnualRevenue: return orNull(a.annual_revenue);
    case FieldKind::Country: return orNull(a.country);
    case FieldKind::Tier: return orNull(a.tier);
    case FieldKind::IsTarget: return a.is_target;
    case FieldKind::Stage: return orNull(a.stage);
    case FieldKind::Engagement: return a.engagement;
    case FieldKind::Property: {
      const json* at = &a.properties;
      for (const auto& key : f.path) {
        if (!at->is_object()) return nullptr;
        auto it = at->find(key);
        if (it == at->end()) return nullptr;
        at = &*it;
      }
      return *at;
    }
    default: return nullptr;
  }
}

json contactValue(const Field& f, const ContactFacts& c) {
  switch (f.kind) {
    case FieldKind::ContactBuyingRole: return orNull(c.buying_role);
    case FieldKind::ContactTitle: return orNull(c.title);
    case FieldKind::ContactMonthsInRole: return orNull(c.months_in_role);
    default: return nullptr;
  }
}

// Text compares without regard to ASCII case; numbers by value; values of different kinds never
// equal each other.
bool equal(const json& a, const json& b) {
  if (a.is_string() && b.is_string()) return lower(a.get<std::string>()) == lower(b.get<std::string>());
  if (a.is_number() && b.is_number()) return a.get<double>() == b.get<double>();
  if (a.is_boolean() && b.is_boolean()) return a.get<bool>() == b.get<bool>();
  return false;
}

// -1, 0, 1, or nothing when the two cannot be ordered (different kinds, arrays, objects).
std::optional<int> order(const json& a, const json& b) {
  if (a.is_number() && b.is_number()) {
    const double x = a.get<double>(), y = b.get<double>();
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (a.is_string() && b.is_string()) {
    const int c = lower(a.get<std::string>()).compare(lower(b.get<std::string>()));
    return c < 0 ? -1 : c > 0 ? 1 : 0;
  }
  return std::nullopt;
}

bool containsValue(const json& v, const json& x) {
  if (v.is_string() && x.is_string())
    return lower(v.get<std::string>()).find(lower(x.get<std::string>())) != std::string::npos;
  if (v.is_array()) return std::any_of(v.begin(), v.end(), [&](const json& e) { return equal(e, x); });
  return false;
}

bool test(const json& v, Op op, const std::vector<json>& lits) {
  if (op == Op::Exists || op == Op::IsNotNull) return !v.is_null();
  if (op == Op::IsNull) return v.is_null();
  // Every other comparison with a missing value is false, != and not in included.
  if (v.is_null()) return false;
  auto cmp = [&](size_t i) { return order(v, lits[i]); };
  switch (op) {
    case Op::Eq: return equal(v, lits[0]);
    case Op::Ne: return !equal(v, lits[0]);
    case Op::Lt: { auto c = cmp(0); return c && *c < 0; }
    case Op::Le: { auto c = cmp(0); return c && *c <= 0; }
    case Op::Gt: { auto c = cmp(0); return c && *c > 0; }
    case Op::Ge: { auto c = cmp(0); return c && *c >= 0; }
    case Op::In: return std::any_of(lits.begin(), lits.end(), [&](const json& l) { return equal(v, l); });
    case Op::NotIn: return std::none_of(lits.begin(), lits.end(), [&](const json& l) { return equal(v, l); });
    case Op::Between:
    case Op::NotBetween: {
      auto lo = cmp(0), hi = cmp(1);
      if (!lo || !hi) return false;
      const bool inside = *lo >= 0 && *hi <= 0;
      return op == Op::Between ? inside : !inside;
    }
    case Op::Contains: return containsValue(v, lits[0]);
    case Op::NotContains: return (v.is_string() || v.is_array()) && !containsValue(v, lits[0]);
    default: return false;
  }
}

bool matchesContact(const Expr& e, const ContactFacts& c) {
  switch (e.kind) {
    case Expr::Kind::And:
      return std::all_of(e.children.begin(), e.children.end(), [&](const Expr& x) { return matchesContact(x, c); });
    case Expr::Kind::Or:
      return std::any_of(e.children.begin(), e.children.end(), [&](const Expr& x) { return matchesContact(x, c); });
    case Expr::Kind::Not:
      return !matchesContact(e.children[0], c);
    case Expr::Kind::Compare:
      return test(contactValue(e.field, c), e.op, e.values);
  }
  return false;
}

}  // namespace

bool matches(const Expr& e, const AccountFacts& a) {
  // A part about contacts only (not negated as a whole) asks for one contact that satisfies all of
  // it: "contact.buying_role = champion and contact.months_in_role >= 6" is about the same person.
  if (e.kind != Expr::Kind::Not && e.aboutContactOnly())
    return std::any_of(a.contacts->begin(), a.contacts->end(), [&](const ContactFacts& c) { return matchesContact(e, c); });
  switch (e.kind) {
    case Expr::Kind::And:
      return std::all_of(e.children.begin(), e.children.end(), [&](const Expr& x) { return matches(x, a); });
    case Expr::Kind::Or:
      return std::any_of(e.children.begin(), e.children.end(), [&](const Expr& x) { return matches(x, a); });
    case Expr::Kind::Not:
      return !matches(e.children[0], a);
    case Expr::Kind::Compare:
      return test(accountValue(e.field, a), e.op, e.values);
  }
  return false;
}

}  // namespace abm::segments
