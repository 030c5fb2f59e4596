// Fuzzes the ingest JSON scanner (core/common/json_scan.*) on one protocol line. Beyond "does not
// crash" it checks that:
//  - every slice lies inside the input, except decoded strings, which live in the scratch pool and
//    are never longer than their raw text;
//  - a slice's kind matches the first character of its raw text, and a failure carries a reason;
//  - valid UTF-8 in gives valid UTF-8 out, unless the text escapes a lone surrogate (legal JSON,
//    no character: kept as its ill-formed 3-byte form for the record validator to refuse or repair);
//  - it agrees with nlohmann::json on valid UTF-8 objects nested at most 64 deep: the same accept or
//    reject, and every member's value equal.
#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "wire/json_scan.hpp"
#include "fuzz_check.hpp"

namespace {

using abm::JsonKind;
using abm::JsonSlice;

bool validUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n;
    uint32_t cp;
    if (c < 0x80) { ++i; continue; }
    if (c >= 0xC2 && c <= 0xDF) { n = 1; cp = c & 0x1F; }
    else if (c >= 0xE0 && c <= 0xEF) { n = 2; cp = c & 0x0F; }
    else if (c >= 0xF0 && c <= 0xF4) { n = 3; cp = c & 0x07; }
    else return false;
    if (i + n >= s.size()) return false;
    for (size_t k = 1; k <= n; ++k) {
      const auto t = static_cast<unsigned char>(s[i + k]);
      if ((t & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (t & 0x3F);
    }
    const uint32_t min = n == 1 ? 0x80 : n == 2 ? 0x800 : 0x10000;
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n + 1;
  }
  return true;
}

// True when the text holds a \u escape of a surrogate (U+D800..U+DFFF), paired or not.
bool escapesASurrogate(std::string_view s) {
  for (size_t i = s.find("\\u"); i != std::string_view::npos && i + 3 < s.size(); i = s.find("\\u", i + 1)) {
    const char a = s[i + 2], b = s[i + 3];
    if ((a == 'd' || a == 'D') && ((b >= '8' && b <= '9') || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F')))
      return true;
  }
  return false;
}

// True when nlohmann rejects the text only because a number does not fit a double.
bool overflowsForNlohmann(std::string_view text) {
  try {
    (void)nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::out_of_range&) {
    return true;
  } catch (const nlohmann::json::exception&) {
  }
  return false;
}

bool within(std::string_view inner, std::string_view outer) {
  return inner.data() >= outer.data() && inner.data() + inner.size() <= outer.data() + outer.size();
}

char firstCharOf(JsonKind kind, bool boolean) {
  switch (kind) {
    case JsonKind::Null: return 'n';
    case JsonKind::Bool: return boolean ? 't' : 'f';
    case JsonKind::String: return '"';
    case JsonKind::Object: return '{';
    case JsonKind::Array: return '[';
    case JsonKind::Number: return '0';  // checked separately: '-' or a digit
  }
  return '?';
}

int nestingDepth(const nlohmann::json& j) {
  int deepest = 0;
  if (j.is_structured())
    for (const auto& v : j) deepest = std::max(deepest, nestingDepth(v));
  return deepest + (j.is_structured() ? 1 : 0);
}

struct Member {
  std::string key;
  JsonSlice value;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  abm::JsonScratch scratch;
  abm::JsonCursor cursor(text, scratch);
  std::vector<Member> members;
  const bool parsed = cursor.object([&](std::string_view key, const JsonSlice& v) {
    FUZZ_CHECK(!v.raw.empty() && within(v.raw, text), "a value's raw text lies outside the input");
    if (v.kind == JsonKind::Number)
      FUZZ_CHECK(v.raw[0] == '-' || (v.raw[0] >= '0' && v.raw[0] <= '9'), "a number starts with " + std::string(v.raw));
    else
      FUZZ_CHECK(v.raw[0] == firstCharOf(v.kind, v.boolean), "kind does not match raw text " + std::string(v.raw));
    if (v.kind == JsonKind::String) {
      FUZZ_CHECK(v.raw.size() >= 2 && v.raw.back() == '"', "a string's raw text is not quoted");
      FUZZ_CHECK(v.str.size() <= v.raw.size() - 2, "a decoded string is longer than its raw text");
      if (within(v.str, text)) FUZZ_CHECK(v.str == v.raw.substr(1, v.raw.size() - 2), "an unescaped view differs from its text");
      if (validUtf8(v.raw) && !escapesASurrogate(v.raw))
        FUZZ_CHECK(validUtf8(v.str), "valid UTF-8 decoded to invalid UTF-8: " + std::string(v.raw));
    }
    members.push_back({std::string(key), v});
    return true;
  });
  const bool accepted = parsed && cursor.atEnd();
  if (!parsed) FUZZ_CHECK(cursor.error() != nullptr && *cursor.error() != '\0', "a rejection without a reason");

  // nlohmann skips a byte-order mark, ends its input at a NUL byte, refuses lone surrogates and has
  // no nesting limit; compare only where both apply.
  if (!validUtf8(text) || text.substr(0, 3) == "\xEF\xBB\xBF" || text.find('\0') != std::string_view::npos ||
      escapesASurrogate(text))
    return 0;
  const auto reference = nlohmann::json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  const bool reference_accepts = !reference.is_discarded() && reference.is_object();
  if (reference_accepts && nestingDepth(reference) > 64) return 0;
  if (!reference.is_discarded() && !reference.is_object()) {
    FUZZ_CHECK(!accepted, "accepted a document that is not an object");
    return 0;
  }
  // A number past double's range (1E700000) is valid JSON that nlohmann refuses to hold; the
  // scanner keeps it raw and the record validator refuses it as out of range.
  if (accepted && reference.is_discarded() && overflowsForNlohmann(text)) return 0;
  FUZZ_CHECK(accepted == reference_accepts,
             std::string(accepted ? "accepted" : "rejected") + " what nlohmann::json " +
                 (reference_accepts ? "accepts" : "rejects") + (cursor.error() ? std::string(": ") + cursor.error() : ""));
  if (!accepted) return 0;
  // With duplicate keys nlohmann keeps the last value; so does this comparison.
  nlohmann::json rebuilt = nlohmann::json::object();
  for (const auto& m : members) {
    const auto value = nlohmann::json::parse(m.value.raw.begin(), m.value.raw.end(), nullptr, false);
    FUZZ_CHECK(!value.is_discarded(), "member '" + m.key + "' has raw text nlohmann rejects");
    if (m.value.kind == JsonKind::String) FUZZ_CHECK(value.get<std::string>() == m.value.str, "member '" + m.key + "' decoded differently");
    rebuilt[m.key] = value;
  }
  FUZZ_CHECK(rebuilt == reference, "members differ from nlohmann::json's reading");
  return 0;
}
