// How a browser carries an API token to the dashboards: opening any page with ?token=T (as Jupyter
// does) checks T and answers 303 to the same URL without it, setting T as an HttpOnly,
// SameSite=Strict cookie; from then on the pages, and the read API they call, accept that cookie as
// well as "Authorization: Bearer". The token leaves the address bar at once, scripts on the page
// cannot read the cookie, and other sites' pages cannot send it (docs/dashboards.md#auth).
#pragma once

#include <string>
#include <string_view>

#include "http/api_tokens.hpp"
#include "http/http_types.hpp"

namespace abm::http {

inline constexpr std::string_view kTokenCookie = "abmd_token";
// The query parameter that carries a token to a page.
inline constexpr std::string_view kTokenParam = "token";

// The value of cookie `name` in a Cookie header ("a=1; abmd_token=T"), percent-decoded, or empty.
std::string cookieValue(std::string_view cookie_header, std::string_view name);

// The Set-Cookie value that stores `token`: characters a cookie value may not hold (a token is any
// visible ASCII) are percent-encoded, and cookieValue() decodes them.
std::string tokenCookie(std::string_view token);

// The request target without its token parameters, the others kept as sent: where the login sends
// the browser ("/campaigns?token=T&period=last_90d" -> "/campaigns?period=last_90d").
std::string withoutTokenParam(std::string_view target);

// The answer to a page opened with ?token=: 303 to the clean URL, with the cookie when the token is
// one of `tokens`; a 401 page and no cookie when it is not. Without tokens the pages are open and
// nothing is set: the redirect only cleans the URL.
Response tokenLogin(const Request& request, const ApiTokens& tokens);

// The 401 page a browser sees on a dashboard page it has no token for (the API answers JSON).
Response pageUnauthorized(bool token_was_wrong);

}  // namespace abm::http
