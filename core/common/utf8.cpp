#include "common/utf8.hpp"

namespace abm {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

struct Sequence {
  size_t length;  // of the well-formed sequence, or of the maximal ill-formed subpart (at least 1)
  bool valid;
};

// The sequence starting at s[i], by the table of well-formed byte sequences (Unicode 15, table 3-7).
Sequence sequenceAt(std::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return {1, true};
  size_t continuation;
  unsigned char lo = 0x80, hi = 0xBF;  // the range of the second byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    continuation = 1;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    continuation = 2;
    if (lead == 0xE0) lo = 0xA0;  // overlong
    if (lead == 0xED) hi = 0x9F;  // surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    continuation = 3;
    if (lead == 0xF0) lo = 0x90;  // overlong
    if (lead == 0xF4) hi = 0x8F;  // above U+10FFFF
  } else {
    return {1, false};
  }
  for (size_t k = 1; k <= continuation; ++k) {
    if (i + k >= s.size()) return {k, false};
    const unsigned char b = byte(k);
    if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF)) return {k, false};
  }
  return {continuation + 1, true};
}

}  // namespace

size_t invalidUtf8At(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    const Sequence q = sequenceAt(s, i);
    if (!q.valid) return i;
    i += q.length;
  }
  return std::string_view::npos;
}

std::string repairUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  for (size_t i = 0; i < s.size();) {
    if (s[i] == '\0') {
      out += kReplacement;
      ++i;
      continue;
    }
    const Sequence q = sequenceAt(s, i);
    if (q.valid)
      out.append(s.substr(i, q.length));
    else
      out += kReplacement;
    i += q.length;
  }
  return out;
}

std::string utf8Excerpt(std::string_view s, size_t max_bytes) {
  if (s.size() > max_bytes) {
    size_t cut = max_bytes;
    // Back off continuation bytes so a character is not split (at most 3 of them).
    for (int k = 0; k < 3 && cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80; ++k) --cut;
    s = s.substr(0, cut);
  }
  return repairUtf8(s);
}

}  // namespace abm
