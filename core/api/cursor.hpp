// The opaque cursor of keyset paging: where the last page ended (its last row's sort key and id),
// which list it belongs to and which query (filters and sort) made it. It is base64url text with a
// checksum, so a damaged or edited cursor is refused (400) instead of silently paging from a wrong
// place, and a cursor taken to another list or other filters is refused too. It carries no secret
// and grants nothing: it only says where to continue.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "api/api_error.hpp"

namespace abm::api {

enum class KeyType { Integer, Real, Text };
using KeyValue = std::variant<int64_t, double, std::string>;

struct CursorPosition {
  KeyValue key;  // the sort key of the last row given
  KeyValue id;   // its unique id, which breaks ties in the sort key
};

std::string encodeCursor(std::string_view list, std::string_view query_identity,
                         const CursorPosition& position);

// The position in `cursor`, when it was made by encodeCursor for this list and query and its key
// and id have these types.
ApiResult<CursorPosition> decodeCursor(std::string_view cursor, std::string_view list,
                                       std::string_view query_identity, KeyType key_type, KeyType id_type);

// base64url without padding (RFC 4648 §5), as cursors use it.
std::string base64UrlEncode(std::string_view bytes);
// Empty optional when `text` is not canonical base64url without padding.
std::optional<std::string> base64UrlDecode(std::string_view text);

}  // namespace abm::api
