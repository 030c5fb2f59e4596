#include "api/endpoint.hpp"

#include <charconv>

#include "common/utf8.hpp"

namespace abm::api {

ApiResult<int64_t> idParam(const Call& call, const std::string& name) {
  auto it = call.params.find(name);
  const std::string text = it == call.params.end() ? std::string() : it->second;
  int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || p != text.data() + text.size() || v < 1)
    return ApiError::badRequest("invalid_parameter", name + " must be a positive whole number, got '" +
                                                         utf8Excerpt(text, 60) + "' (" + call.endpoint + ")");
  return v;
}

std::string containsPattern(const std::string& text) {
  std::string out = "%";
  for (char ch : text) {
    if (ch == '%' || ch == '_' || ch == '\\') out += '\\';
    out += ch;
  }
  return out + "%";
}

std::string asciiLower(std::string text) {
  for (char& ch : text)
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  return text;
}

}  // namespace abm::api
