#include "segments/filter_ast.hpp"

namespace abm::segments {

bool Expr::aboutContactOnly() const {
  if (kind == Kind::Compare) return field.about_contact;
  for (const auto& c : children)
    if (!c.aboutContactOnly()) return false;
  return true;
}

bool Expr::usesContacts() const {
  if (kind == Kind::Compare) return field.about_contact;
  for (const auto& c : children)
    if (c.usesContacts()) return true;
  return false;
}

bool Expr::usesProperties() const {
  if (kind == Kind::Compare) return field.kind == FieldKind::Property;
  for (const auto& c : children)
    if (c.usesProperties()) return true;
  return false;
}

}  // namespace abm::segments
