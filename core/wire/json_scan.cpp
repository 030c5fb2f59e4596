#include "wire/json_scan.hpp"

#include "common/hex.hpp"

#include <cstring>

namespace abm {

namespace {

void appendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace

bool JsonCursor::string(std::string_view& decoded, std::string_view& raw) {
  if (p_ == end_ || *p_ != '"') return fail("expected a string");
  const char* start = ++p_;
  // Fast scan: most strings have no escapes.
  while (p_ != end_ && *p_ != '"' && *p_ != '\\') {
    if (static_cast<unsigned char>(*p_) < 0x20) return fail("control character in a string");
    ++p_;
  }
  if (p_ == end_) return fail("unterminated string");
  if (*p_ == '"') {
    decoded = std::string_view(start, static_cast<size_t>(p_ - start));
    raw = std::string_view(start - 1, static_cast<size_t>(p_ - start + 2));
    ++p_;
    return true;
  }
  std::string& out = scratch_.next();
  out.assign(start, p_);
  while (p_ != end_ && *p_ != '"') {
    const char c = *p_++;
    if (static_cast<unsigned char>(c) < 0x20) return fail("control character in a string");
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    if (p_ == end_) return fail("unterminated escape");
    const char e = *p_++;
    switch (e) {
      case '"': out.push_back('"'); break;
      case '\\': out.push_back('\\'); break;
      case '/': out.push_back('/'); break;
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 't': out.push_back('\t'); break;
      case 'u': {
        auto hex4 = [&](uint32_t& v) {
          if (end_ - p_ < 4) return false;
          v = 0;
          for (int i = 0; i < 4; ++i) {
            const int h = hexValue(p_[i]);
            if (h < 0) return false;
            v = v * 16 + static_cast<uint32_t>(h);
          }
          p_ += 4;
          return true;
        };
        uint32_t cp;
        if (!hex4(cp)) return fail("bad \\u escape");
        if (cp >= 0xD800 && cp <= 0xDBFF && end_ - p_ >= 6 && p_[0] == '\\' && p_[1] == 'u') {
          const char* pair = p_;
          p_ += 2;
          uint32_t lo;
          if (hex4(lo) && lo >= 0xDC00 && lo <= 0xDFFF) cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          else p_ = pair;  // not its other half: decoded on its own next
        }
        // A lone surrogate is legal JSON but no character: it is kept as its 3-byte form, which is
        // ill-formed UTF-8, so the record validator treats it like any other bad byte.
        appendUtf8(out, cp);
        break;
      }
      default: return fail("bad escape in a string");
    }
  }
  if (p_ == end_) return fail("unterminated string");
  raw = std::string_view(start - 1, static_cast<size_t>(p_ - start + 2));
  ++p_;
  decoded = out;
  return true;
}

bool JsonCursor::number() {
  const char* s = p_;
  if (p_ != end_ && *p_ == '-') ++p_;
  if (p_ == end_ || !(*p_ >= '0' && *p_ <= '9')) return fail("bad number");
  if (*p_ == '0') ++p_;
  else while (p_ != end_ && *p_ >= '0' && *p_ <= '9') ++p_;
  if (p_ != end_ && *p_ == '.') {
    ++p_;
    if (p_ == end_ || !(*p_ >= '0' && *p_ <= '9')) return fail("bad number");
    while (p_ != end_ && *p_ >= '0' && *p_ <= '9') ++p_;
  }
  if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
    ++p_;
    if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
    if (p_ == end_ || !(*p_ >= '0' && *p_ <= '9')) return fail("bad number");
    while (p_ != end_ && *p_ >= '0' && *p_ <= '9') ++p_;
  }
  return p_ != s;
}

bool JsonCursor::skipNested(int depth) {
  if (depth > 64) return fail("nesting too deep");
  const char open = *p_;
  const char close = open == '{' ? '}' : ']';
  ++p_;
  skipSpace();
  if (p_ != end_ && *p_ == close) {
    ++p_;
    return true;
  }
  while (true) {
    skipSpace();
    if (open == '{') {
      std::string_view k, kr;
      if (!string(k, kr)) return false;
      skipSpace();
      if (p_ == end_ || *p_ != ':') return fail("expected ':' after a key");
      ++p_;
      skipSpace();
    }
    if (p_ != end_ && (*p_ == '{' || *p_ == '[')) {
      if (!skipNested(depth + 1)) return false;
    } else {
      JsonSlice v;
      if (!value(v)) return false;
    }
    skipSpace();
    if (p_ == end_) return fail("unterminated object or array");
    if (*p_ == ',') {
      ++p_;
      continue;
    }
    if (*p_ == close) {
      ++p_;
      return true;
    }
    return fail("expected ',' or a closing bracket");
  }
}

bool JsonCursor::value(JsonSlice& out) {
  skipSpace();
  if (p_ == end_) return fail("unexpected end of input");
  const char* start = p_;
  switch (*p_) {
    case '"':
      out.kind = JsonKind::String;
      return string(out.str, out.raw);
    case '{':
    case '[':
      out.kind = *p_ == '{' ? JsonKind::Object : JsonKind::Array;
      if (!skipNested(0)) return false;
      break;
    case 't':
      if (end_ - p_ < 4 || std::memcmp(p_, "true", 4) != 0) return fail("bad literal");
      p_ += 4;
      out.kind = JsonKind::Bool;
      out.boolean = true;
      break;
    case 'f':
      if (end_ - p_ < 5 || std::memcmp(p_, "false", 5) != 0) return fail("bad literal");
      p_ += 5;
      out.kind = JsonKind::Bool;
      out.boolean = false;
      break;
    case 'n':
      if (end_ - p_ < 4 || std::memcmp(p_, "null", 4) != 0) return fail("bad literal");
      p_ += 4;
      out.kind = JsonKind::Null;
      break;
    default:
      if (!number()) return false;
      out.kind = JsonKind::Number;
  }
  out.raw = std::string_view(start, static_cast<size_t>(p_ - start));
  return true;
}

}  // namespace abm
