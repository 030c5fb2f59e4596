// Whether an account matches a parsed segment filter (docs/segments.md, "How a filter is read").
#pragma once

#include "segments/account_facts.hpp"
#include "segments/filter_ast.hpp"

namespace abm::segments {

bool matches(const Expr& filter, const AccountFacts& account);

}  // namespace abm::segments
