// UTF-8 checks for text on its way into the store. SQLite keeps whatever bytes it is given, and
// readers in Python, Go or Java then fail a whole query on one bad sequence; a NUL cuts a value
// short in every C string API.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace abm {

// Byte offset of the first ill-formed UTF-8 sequence in `s` (overlong forms, surrogates and code
// points above U+10FFFF are ill-formed), or npos when there is none.
size_t invalidUtf8At(std::string_view s);

// `s` with each maximal ill-formed subpart replaced by U+FFFD (Unicode's "substitution of maximal
// subparts", as Python, Go and browsers decode), and each NUL as well.
std::string repairUtf8(std::string_view s);

// At most about `max_bytes` of `s`, cut at a character boundary and repaired: for quoting input
// in error messages.
std::string utf8Excerpt(std::string_view s, size_t max_bytes);

}  // namespace abm
