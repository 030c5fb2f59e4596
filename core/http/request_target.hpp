// Splits a request target ("/api/v1/accounts?tier=1&q=acme%20inc") into its percent-decoded path
// and query pairs. Anything that is not an origin-form target, a broken %-escape or a decoded NUL
// is refused with a message fit for a 400 answer.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace abm::http {

struct RequestTarget {
  std::string path;
  std::vector<std::pair<std::string, std::string>> query;
};

// False with `error` set when the target cannot be decoded.
bool parseRequestTarget(std::string_view target, RequestTarget& out, std::string& error);

// Percent-decodes `in` ('+' is a space when `plus_is_space`); false on a broken escape or a NUL.
bool percentDecode(std::string_view in, bool plus_is_space, std::string& out);

}  // namespace abm::http
