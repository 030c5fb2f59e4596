// Fuzzes what the read API does with a caller's query before any store work: the parameter checks
// and the paging cursor. The input is a query ("name=value&...", values as the listener decoded
// them), then a newline, then a cursor. Beyond "does not crash" it checks that:
//  - a refused query is a 400 naming a parameter, with a message that is valid UTF-8 (it becomes
//    JSON), whatever bytes the caller sent;
//  - an accepted value is what its kind allows: a whole number in range, true or false, one of the
//    enum's values, UTF-8 text without NUL, a timestamp in the store's form that parses back;
//  - a refused cursor is 400 invalid_cursor with a UTF-8 message; an accepted one decodes to the
//    same position once encoded again, and belongs to the list and query it was checked against;
//  - any position (text made UTF-8, any finite number) survives encoding and decoding exactly.
#include <cmath>
#include <cstring>
#include <string>
#include <string_view>

#include "api/cursor.hpp"
#include "api/query_params.hpp"
#include "common/timestamp.hpp"
#include "common/utf8.hpp"
#include "fuzz_check.hpp"

namespace {

using namespace abm;
using namespace abm::api;

const std::vector<ParamSpec>& specs() {
  static const std::vector<ParamSpec> s = {integerParam("limit", 1, 1000),
                                          integerParam("account_id", 1, INT64_MAX),
                                          numberParam("min_score"),
                                          booleanParam("is_target"),
                                          enumParam("sort", {"name", "-name", "score", "-score"}),
                                          textParam("q"),
                                          textParam("cursor", 8192),
                                          timestampParam("since")};
  return s;
}

bool utf8(std::string_view s) { return invalidUtf8At(s) == std::string_view::npos; }

void checkQuery(std::string_view text) {
  http::Request request;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('&', start);
    if (end == std::string_view::npos) end = text.size();
    const auto pair = text.substr(start, end - start);
    const auto eq = pair.find('=');
    request.query.emplace_back(std::string(pair.substr(0, eq)),
                               eq == std::string_view::npos ? "" : std::string(pair.substr(eq + 1)));
    start = end + 1;
  }
  auto parsed = parseQuery(request, specs(), "GET /api/v1/fuzz");
  if (!parsed) {
    const auto& e = parsed.error();
    FUZZ_CHECK(e.status == 400, "a refused query is not a 400");
    FUZZ_CHECK(e.code == "invalid_parameter" || e.code == "unknown_parameter", "unexpected code " + e.code);
    FUZZ_CHECK(!e.message.empty() && utf8(e.message), "a refusal's message is empty or not UTF-8");
    FUZZ_CHECK(e.message.find("GET /api/v1/fuzz") != std::string::npos, "a refusal does not name its endpoint");
    return;
  }
  const auto& q = *parsed;
  if (auto v = q.integer("limit")) FUZZ_CHECK(*v >= 1 && *v <= 1000, "limit out of range accepted");
  if (q.has("limit")) FUZZ_CHECK(q.integer("limit").has_value(), "an accepted limit does not read back");
  if (auto v = q.integer("account_id")) FUZZ_CHECK(*v >= 1, "account_id below 1 accepted");
  if (q.has("min_score")) FUZZ_CHECK(q.number("min_score") && std::isfinite(*q.number("min_score")), "bad number");
  if (const auto* v = q.text("is_target")) FUZZ_CHECK(*v == "true" || *v == "false", "a boolean that is neither");
  if (const auto* v = q.text("sort"))
    FUZZ_CHECK(*v == "name" || *v == "-name" || *v == "score" || *v == "-score", "a sort outside the enum");
  for (const char* name : {"q", "cursor"})
    if (const auto* v = q.text(name))
      FUZZ_CHECK(!v->empty() && utf8(*v) && v->find('\0') == std::string::npos, "bad text accepted");
  if (const auto* v = q.text("since")) {
    const auto t = parseTimestamp(*v);
    FUZZ_CHECK(t && formatTimestamp(*t) == *v, "an accepted timestamp is not in the store's form");
  }
  FUZZ_CHECK(q.canonical({"limit"}) == q.canonical({"limit"}), "canonical form is not deterministic");
}

void checkCursor(std::string_view text) {
  for (auto key : {KeyType::Integer, KeyType::Real, KeyType::Text}) {
    auto decoded = decodeCursor(text, "accounts", "identity", key, KeyType::Integer);
    if (!decoded) {
      FUZZ_CHECK(decoded.error().status == 400 && decoded.error().code == "invalid_cursor", "bad cursor refusal");
      FUZZ_CHECK(utf8(decoded.error().message), "a cursor refusal's message is not UTF-8");
      continue;
    }
    FUZZ_CHECK(!decodeCursor(text, "runs", "identity", key, KeyType::Integer), "a cursor crossed to another list");
    FUZZ_CHECK(!decodeCursor(text, "accounts", "other", key, KeyType::Integer), "a cursor crossed to another query");
    const auto again = encodeCursor("accounts", "identity", *decoded);
    auto back = decodeCursor(again, "accounts", "identity", key, KeyType::Integer);
    FUZZ_CHECK(back && back->key == decoded->key && back->id == decoded->id, "a decoded cursor does not round-trip");
  }
}

void checkPositions(std::string_view bytes) {
  const CursorPosition text{repairUtf8(bytes), int64_t{static_cast<int64_t>(bytes.size())}};
  auto t = decodeCursor(encodeCursor("l", "q", text), "l", "q", KeyType::Text, KeyType::Integer);
  FUZZ_CHECK(t && t->key == text.key && t->id == text.id, "a text position does not round-trip");
  if (bytes.size() >= sizeof(double)) {
    double d;
    std::memcpy(&d, bytes.data(), sizeof d);
    if (std::isfinite(d)) {
      const CursorPosition real{d, int64_t{-1}};
      auto r = decodeCursor(encodeCursor("l", "q", real), "l", "q", KeyType::Real, KeyType::Integer);
      FUZZ_CHECK(r && std::get<double>(r->key) == d, "a number position does not round-trip exactly");
    }
  }
  FUZZ_CHECK(base64UrlDecode(base64UrlEncode(bytes)) == std::string(bytes), "base64url does not round-trip");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto newline = input.find('\n');
  checkQuery(input.substr(0, newline));
  if (newline != std::string_view::npos) checkCursor(input.substr(newline + 1));
  checkPositions(input);
  return 0;
}
