// Source text handed on as JSON strings must be valid UTF-8: a Latin-1 byte in a rejected CSV row
// would otherwise make the whole protocol line unparsable.
#pragma once

#include <string>
#include <string_view>

namespace abm {

// `text` with every byte that does not start a valid UTF-8 sequence replaced by U+FFFD.
std::string validUtf8(std::string_view text);

}  // namespace abm
