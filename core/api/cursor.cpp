#include "api/cursor.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <optional>

#include "common/utf8.hpp"

namespace abm::api {

namespace {

constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::string_view kVersion = "abmd-cursor-1";

// FNV-1a, 64 bits. Not a secret MAC: it catches damaged and hand-edited cursors, which is all a
// cursor needs, since it grants nothing a caller could not ask for with its own parameters.
uint64_t fnv1a(std::string_view a, std::string_view b = {}) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (std::string_view part : {a, b})
    for (unsigned char c : part) {
      h ^= c;
      h *= 0x100000001b3ull;
    }
  return h;
}

std::string hex16(uint64_t v) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, v >>= 4) out[static_cast<size_t>(i)] = kHex[v & 15];
  return out;
}

nlohmann::json toJson(const KeyValue& v) {
  return std::visit([](const auto& x) { return nlohmann::json(x); }, v);
}

std::optional<KeyValue> fromJson(const nlohmann::json& j, KeyType type) {
  switch (type) {
    case KeyType::Integer:
      if (j.is_number_integer()) return KeyValue(j.get<int64_t>());
      return std::nullopt;
    case KeyType::Real:
      if (j.is_number()) return KeyValue(j.get<double>());
      return std::nullopt;
    case KeyType::Text:
      if (j.is_string()) return KeyValue(j.get<std::string>());
      return std::nullopt;
  }
  return std::nullopt;
}

ApiError invalid(std::string why) {
  return ApiError::badRequest("invalid_cursor",
                              "the cursor " + why +
                                  "; pass next_cursor exactly as the previous page gave it, or "
                                  "start again from the first page without cursor");
}

}  // namespace

std::string base64UrlEncode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t n =
        (uint32_t(uint8_t(bytes[i])) << 16) | (uint32_t(uint8_t(bytes[i + 1])) << 8) | uint8_t(bytes[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += kAlphabet[(n >> s) & 63];
  }
  const size_t rest = bytes.size() - i;
  if (rest == 1) {
    const uint32_t n = uint32_t(uint8_t(bytes[i])) << 16;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
  } else if (rest == 2) {
    const uint32_t n = (uint32_t(uint8_t(bytes[i])) << 16) | (uint32_t(uint8_t(bytes[i + 1])) << 8);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
  }
  return out;
}

std::optional<std::string> base64UrlDecode(std::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;
  std::array<int, 256> value;
  value.fill(-1);
  for (size_t i = 0; i < kAlphabet.size(); ++i)
    value[static_cast<uint8_t>(kAlphabet[i])] = static_cast<int>(i);
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    const int v = value[static_cast<uint8_t>(c)];
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  // Canonical form only: the bits left over must be zero, so each cursor has one spelling.
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

std::string encodeCursor(std::string_view list, std::string_view query_identity,
                         const CursorPosition& position) {
  const nlohmann::json payload = {{"l", list},
                                  {"q", hex16(fnv1a(query_identity))},
                                  {"k", toJson(position.key)},
                                  {"i", toJson(position.id)}};
  const std::string text = payload.dump();
  return base64UrlEncode(hex16(fnv1a(kVersion, text)) + text);
}

ApiResult<CursorPosition> decodeCursor(std::string_view cursor, std::string_view list,
                                       std::string_view query_identity, KeyType key_type, KeyType id_type) {
  auto bytes = base64UrlDecode(cursor);
  if (!bytes || bytes->size() < 17) return invalid("is not one this API gave out");
  const std::string_view sum = std::string_view(*bytes).substr(0, 16);
  const std::string_view text = std::string_view(*bytes).substr(16);
  if (sum != hex16(fnv1a(kVersion, text))) return invalid("is damaged or was edited");
  const auto payload = nlohmann::json::parse(text, nullptr, false);
  if (payload.is_discarded() || !payload.is_object() || !payload.contains("l") || !payload["l"].is_string() ||
      !payload.contains("q") || !payload.contains("k") || !payload.contains("i"))
    return invalid("is not one this API gave out");
  if (payload["l"].get<std::string>() != list)
    return invalid("belongs to another list (" + utf8Excerpt(payload["l"].get<std::string>(), 40) + ")");
  if (payload["q"] != hex16(fnv1a(query_identity)))
    return invalid(
        "was made for other filters or another sort: keep every parameter but limit the same while paging");
  auto key = fromJson(payload["k"], key_type);
  auto id = fromJson(payload["i"], id_type);
  if (!key || !id) return invalid("was made for another sort");
  return CursorPosition{std::move(*key), std::move(*id)};
}

}  // namespace abm::api
