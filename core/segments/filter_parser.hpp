// Parses a segment filter (docs/segments.md) into an Expr. Errors point at the mistake:
// "filter:1:27: expected a value after 'between', found 'and'".
#pragma once

#include <string_view>

#include "common/status.hpp"
#include "segments/filter_ast.hpp"

namespace abm::segments {

Result<Expr> parseFilter(std::string_view filter);

}  // namespace abm::segments
