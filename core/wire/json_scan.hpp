// A strict, allocation-light JSON reader for the ingest hot path. It walks one object's members
// and hands out slices into the input: strings without escapes are views into the text, escaped
// ones are decoded into a caller-owned scratch pool. Nested values are validated and kept raw.
// Strings are bytes, not checked for UTF-8 (a lone surrogate escape decodes to its ill-formed
// 3-byte form): whoever stores them checks them (pipeline/record_validator).
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

namespace abm {

enum class JsonKind : uint8_t { Null, Bool, Number, String, Object, Array };

struct JsonSlice {
  JsonKind kind = JsonKind::Null;
  std::string_view raw;  // the value's JSON text
  std::string_view str;  // decoded text when kind == String
  bool boolean = false;
};

// One member of an object: its (decoded) key and its value.
struct JsonMember {
  std::string_view name;
  JsonSlice value;
};

// Strings decoded from escapes live here until clear(); deque keeps element addresses stable.
class JsonScratch {
 public:
  std::string& next() {
    if (used_ == pool_.size()) pool_.emplace_back();
    auto& s = pool_[used_++];
    s.clear();
    return s;
  }
  void clear() { used_ = 0; }

 private:
  std::deque<std::string> pool_;
  size_t used_ = 0;
};

class JsonCursor {
 public:
  JsonCursor(std::string_view text, JsonScratch& scratch) : p_(text.data()), end_(text.data() + text.size()), scratch_(scratch) {}

  // Parses one value at the cursor.
  bool value(JsonSlice& out);

  // Parses an object at the cursor, calling fn(key, slice) per member; fn returns false to abort.
  template <typename Fn>
  bool object(Fn&& fn) {
    skipSpace();
    if (p_ == end_ || *p_ != '{') return fail("expected '{'");
    ++p_;
    skipSpace();
    if (p_ != end_ && *p_ == '}') {
      ++p_;
      return true;
    }
    while (true) {
      skipSpace();
      std::string_view key, raw_key;
      if (!string(key, raw_key)) return false;
      skipSpace();
      if (p_ == end_ || *p_ != ':') return fail("expected ':' after a key");
      ++p_;
      JsonSlice v;
      if (!value(v)) return false;
      if (!fn(key, v)) return fail("rejected by caller");
      skipSpace();
      if (p_ == end_) return fail("unterminated object");
      if (*p_ == ',') {
        ++p_;
        continue;
      }
      if (*p_ == '}') {
        ++p_;
        return true;
      }
      return fail("expected ',' or '}' in an object");
    }
  }

  // Parses an array at the cursor, calling fn(slice) per element; fn returns false to abort.
  template <typename Fn>
  bool array(Fn&& fn) {
    skipSpace();
    if (p_ == end_ || *p_ != '[') return fail("expected '['");
    ++p_;
    skipSpace();
    if (p_ != end_ && *p_ == ']') {
      ++p_;
      return true;
    }
    while (true) {
      JsonSlice v;
      if (!value(v)) return false;
      if (!fn(v)) return fail("rejected by caller");
      skipSpace();
      if (p_ == end_) return fail("unterminated array");
      if (*p_ == ',') {
        ++p_;
        continue;
      }
      if (*p_ == ']') {
        ++p_;
        return true;
      }
      return fail("expected ',' or ']' in an array");
    }
  }

  // True when only white space is left.
  bool atEnd() {
    skipSpace();
    return p_ == end_;
  }
  const char* error() const { return error_; }

 private:
  void skipSpace() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r')) ++p_;
  }
  bool fail(const char* why) {
    if (!error_) error_ = why;
    return false;
  }
  bool string(std::string_view& decoded, std::string_view& raw);
  bool number();
  bool skipNested(int depth);

  const char* p_;
  const char* end_;
  JsonScratch& scratch_;
  const char* error_ = nullptr;
};

}  // namespace abm
