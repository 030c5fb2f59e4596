#include "http/token_cookie.hpp"

#include "http/request_target.hpp"

namespace abm::http {

namespace {

// RFC 6265 4.1.1: a cookie value is visible ASCII but for '"', ',', ';' and '\'; '%' is escaped too
// so that decoding is exact.
bool cookieSafe(char c) {
  return c > 0x20 && c < 0x7f && c != '"' && c != ',' && c != ';' && c != '\\' && c != '%';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string cookieValue(std::string_view cookie_header, std::string_view name) {
  while (!cookie_header.empty()) {
    const auto semi = cookie_header.find(';');
    const auto pair = trim(cookie_header.substr(0, semi));
    cookie_header = semi == std::string_view::npos ? std::string_view() : cookie_header.substr(semi + 1);
    const auto eq = pair.find('=');
    if (eq == std::string_view::npos || trim(pair.substr(0, eq)) != name) continue;
    std::string value;
    if (percentDecode(trim(pair.substr(eq + 1)), false, value)) return value;
    return {};
  }
  return {};
}

std::string tokenCookie(std::string_view token) {
  static const char* kHex = "0123456789ABCDEF";
  std::string value;
  for (char c : token) {
    if (cookieSafe(c)) {
      value += c;
    } else {
      value += '%';
      value += kHex[(static_cast<unsigned char>(c) >> 4) & 15];
      value += kHex[static_cast<unsigned char>(c) & 15];
    }
  }
  // No Max-Age: the cookie lives as long as the browser session. Path=/ covers the pages and the API.
  return std::string(kTokenCookie) + "=" + value + "; Path=/; HttpOnly; SameSite=Strict";
}

std::string withoutTokenParam(std::string_view target) {
  const auto q = target.find('?');
  if (q == std::string_view::npos) return std::string(target);
  std::string out(target.substr(0, q));
  std::string_view rest = target.substr(q + 1);
  if (const auto hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  char separator = '?';
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const auto pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    std::string name;
    if (pair.empty() || (percentDecode(pair.substr(0, pair.find('=')), true, name) && name == kTokenParam))
      continue;
    out += separator;
    out += pair;
    separator = '&';
  }
  return out;
}

Response tokenLogin(const Request& request, const ApiTokens& tokens) {
  const std::string* token = request.queryValue(kTokenParam);
  Response r;
  if (!tokens.empty()) {
    if (!token || !tokens.acceptsToken(*token)) return pageUnauthorized(true);
    r.headers.emplace_back("Set-Cookie", tokenCookie(*token));
  }
  r.status = 303;
  r.content_type = "text/plain; charset=utf-8";
  r.body = "signed in; continue at " + withoutTokenParam(request.target) + "\n";
  r.headers.emplace_back("Location", withoutTokenParam(request.target));
  return r;
}

Response pageUnauthorized(bool token_was_wrong) {
  const std::string why = token_was_wrong
                              ? "The token in the link is not one of this daemon's http.api_tokens."
                              : "This dashboard needs one of this daemon's http.api_tokens.";
  return Response::text(401,
                        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>abmd: sign in"
                        "</title></head>\n<body style=\"font-family:sans-serif;margin:3em\"><h1>Not signed in"
                        "</h1>\n<p>" +
                            why +
                            "</p>\n<p>Open the page once with <code>?token=&lt;token&gt;</code> added to its "
                            "address; the browser then keeps the token in a cookie for this session.</p>"
                            "</body></html>\n",
                        "text/html; charset=utf-8");
}

}  // namespace abm::http
