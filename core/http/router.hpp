// Maps (method, path) to a handler. Patterns are literal segments and {name} segments that match
// one path segment and land in Request::params: "/api/v1/accounts/{account_id}/touchpoints".
// A path that matches no pattern is 404; one that matches with another method is 405 with Allow.
#pragma once

#include <string>
#include <vector>

#include "http/http_types.hpp"

namespace abm::http {

// Who may call a route. The server checks it before the handler runs.
enum class Access {
  Public,    // anyone (health, the collector, which checks its own write keys)
  ApiToken,  // "Authorization: Bearer <one of http.api_tokens>"; open on loopback when no tokens are set
  Metrics,   // like Public, or like ApiToken when http.metrics_require_token is set
  Page,      // a dashboard page or file: like ApiToken, for a browser (the token cookie, ?token=T signs
             // in, a 401 is a page); http/token_cookie.hpp
};

struct Route {
  std::string method;
  std::string pattern;
  Access access = Access::ApiToken;
  Handler handler;
};

class Router {
 public:
  void add(std::string method, std::string pattern, Access access, Handler handler);

  struct Match {
    const Route* route = nullptr;             // null: no route for this method and path
    std::map<std::string, std::string> params;
    std::vector<std::string> allowed;         // methods that would match this path (for 405)
  };
  Match match(std::string_view method, std::string_view path) const;

  // Every route, in the order added (the OpenAPI test compares these with openapi.json).
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace abm::http
