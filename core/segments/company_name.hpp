// Company names reduced to what stays the same across sources, for matching imported lists:
// "ACME, Inc." and "Acme Inc" and "acme" all become "acme".
#pragma once

#include <string>
#include <string_view>

namespace abm::segments {

// ASCII letters lowered; dots dropped (so "S.A." is "sa"); other punctuation made spaces; spaces
// collapsed; legal-form words at the end dropped (inc, llc, gmbh, ltd, corp, sa, ag, bv, co, ...),
// unless nothing would be left. Letters beyond ASCII are kept as they are.
std::string normalizeCompanyName(std::string_view name);

}  // namespace abm::segments
