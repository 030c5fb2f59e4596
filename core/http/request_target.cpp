#include "http/request_target.hpp"

#include "common/hex.hpp"

namespace abm::http {

bool percentDecode(std::string_view in, bool plus_is_space, std::string& out) {
  out.clear();
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      const int hi = hexValue(in[i + 1]), lo = hexValue(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      c = ' ';
    }
    if (c == '\0') return false;
    out.push_back(c);
  }
  return true;
}

bool parseRequestTarget(std::string_view target, RequestTarget& out, std::string& error) {
  out = RequestTarget{};
  if (target.empty() || target.front() != '/') {
    error = "the request target must be a path starting with '/'";
    return false;
  }
  const auto q = target.find('?');
  const auto raw_path = target.substr(0, q);
  if (!percentDecode(raw_path, false, out.path)) {
    error = "the path has a broken %-escape or a NUL byte";
    return false;
  }
  if (q == std::string_view::npos) return true;
  std::string_view rest = target.substr(q + 1);
  // A fragment never reaches a server, but a hand-written client may send one: it is not a parameter.
  if (const auto hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const auto pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    std::string name, value;
    if (!percentDecode(pair.substr(0, eq), true, name) ||
        (eq != std::string_view::npos && !percentDecode(pair.substr(eq + 1), true, value))) {
      error = "the query has a broken %-escape or a NUL byte near '" + std::string(pair.substr(0, 40)) + "'";
      return false;
    }
    if (name.empty()) {
      error = "the query has a value without a parameter name";
      return false;
    }
    out.query.emplace_back(std::move(name), std::move(value));
  }
  return true;
}

}  // namespace abm::http
