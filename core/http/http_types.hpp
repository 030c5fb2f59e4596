// What a handler of the daemon's HTTP surface sees and answers: a parsed request (body already
// inflated when it came gzip-encoded, path and query percent-decoded) and a response it hands to
// `Respond` exactly once, from any thread, possibly long after the handler returned (the collector
// answers only after its group commit; the read API answers from its query threads).
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace abm::http {

struct Request {
  std::string method;  // "GET", "POST", ... as sent
  std::string target;  // as sent: "/api/v1/accounts?limit=5"
  std::string path;    // percent-decoded path without the query: "/api/v1/accounts"
  std::vector<std::pair<std::string, std::string>> query;    // percent-decoded, in order, '+' is a space
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercase, values as sent
  std::map<std::string, std::string> params;                 // from the route pattern: {account_id}
  std::string body;                                          // gzip already inflated
  std::string remote;                                        // "127.0.0.1:53422"

  // The first header of that (lowercase) name, or empty.
  std::string_view header(std::string_view lowercase_name) const;
  // The query parameter's value, or nullptr when absent.
  const std::string* queryValue(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers (Allow, Retry-After, ...)

  static Response json(int status, const nlohmann::json& body);
  static Response text(int status, std::string body, std::string content_type = "text/plain; charset=utf-8");
  // The read API's error shape: {"error": {"code": code, "message": message}}.
  static Response error(int status, std::string_view code, std::string_view message);
};

// Hands the answer back to the connection; call it exactly once, from any thread.
using Respond = std::function<void(Response)>;
// `request` lives only during the call: a handler that answers later copies what it needs.
using Handler = std::function<void(const Request& request, Respond respond)>;

}  // namespace abm::http
