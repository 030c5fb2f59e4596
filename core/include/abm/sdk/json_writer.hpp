// Lean JSON text building for the record hot path: appends to one reused std::string, no DOM.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>

namespace abm::sdk {

// Appends `s` as a JSON string literal (quotes included), escaping what RFC 8259 requires.
inline void appendJsonString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  size_t run_start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run_start, i - run_start);
    run_start = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        out += "\\u00";
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xf]);
    }
  }
  out.append(s.data() + run_start, s.size() - run_start);
  out.push_back('"');
}

// Builds one flat JSON object: {"k":v,...}. Call reset() to reuse the buffer for the next record.
class JsonObjectWriter {
 public:
  void reset() {
    out_.clear();
    out_.push_back('{');
  }
  JsonObjectWriter() { reset(); }

  void add(std::string_view key, std::string_view value) {
    addKey(key);
    appendJsonString(out_, value);
  }
  void add(std::string_view key, const char* value) { add(key, std::string_view(value)); }
  void add(std::string_view key, int64_t value) {
    addKey(key);
    char buf[24];
    auto res = std::to_chars(buf, buf + sizeof buf, value);
    out_.append(buf, res.ptr);
  }
  void add(std::string_view key, int value) { add(key, static_cast<int64_t>(value)); }
  void add(std::string_view key, double value) {
    addKey(key);
    if (!std::isfinite(value)) {
      out_ += "null";
      return;
    }
    char buf[32];
    auto res = std::to_chars(buf, buf + sizeof buf, value);
    out_.append(buf, res.ptr);
  }
  void add(std::string_view key, bool value) {
    addKey(key);
    out_ += value ? "true" : "false";
  }
  void addNull(std::string_view key) {
    addKey(key);
    out_ += "null";
  }
  // `json` must already be valid JSON text (a nested object, an array, a number).
  void addRaw(std::string_view key, std::string_view json) {
    addKey(key);
    out_.append(json);
  }
  // Closes the object and returns its text; valid until the next reset().
  const std::string& finish() {
    out_.push_back('}');
    return out_;
  }

 private:
  void addKey(std::string_view key) {
    if (out_.size() > 1) out_.push_back(',');
    appendJsonString(out_, key);
    out_.push_back(':');
  }
  std::string out_;
};

}  // namespace abm::sdk
