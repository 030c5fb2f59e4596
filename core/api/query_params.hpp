// The query parameters an endpoint accepts, declared once as a table: the handler validates every
// request against it (unknown names, repeats and bad values are 400, never ignored) and the OpenAPI
// test compares it with core/api/openapi.json, so what is documented is what is accepted.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/api_error.hpp"
#include "http/http_types.hpp"

namespace abm::api {

enum class ParamKind {
  Integer,    // a whole number within [min, max]
  Number,     // a finite decimal number
  Boolean,    // true | false
  Enum,       // one of `values`
  Text,       // UTF-8 text of 1 to max_bytes bytes
  Timestamp,  // ISO-8601 date or time; normalized to the store's "YYYY-MM-DDTHH:MM:SSZ"
};

struct ParamSpec {
  std::string name;
  ParamKind kind = ParamKind::Text;
  std::vector<std::string> values;  // Enum
  int64_t min = 0, max = 0;         // Integer
  size_t max_bytes = 200;           // Text
};

ParamSpec integerParam(std::string name, int64_t min, int64_t max);
ParamSpec numberParam(std::string name);
ParamSpec booleanParam(std::string name);
ParamSpec enumParam(std::string name, std::vector<std::string> values);
ParamSpec textParam(std::string name, size_t max_bytes = 200);
ParamSpec timestampParam(std::string name);

// A request's parameters after validation: every name is declared and every value well formed.
class QueryParams {
 public:
  bool has(const std::string& name) const { return values_.count(name) > 0; }
  // The normalized text of a parameter (timestamps in the store's format), or nullptr.
  const std::string* text(const std::string& name) const;
  std::optional<int64_t> integer(const std::string& name) const;
  std::optional<double> number(const std::string& name) const;
  std::optional<bool> boolean(const std::string& name) const;
  // Every parameter but those named, as "name=value" in name order: the identity of a query that a
  // cursor must keep (filters and sort, not limit or the cursor itself).
  std::string canonical(const std::vector<std::string>& leave_out) const;

 private:
  friend ApiResult<QueryParams> parseQuery(const http::Request&, const std::vector<ParamSpec>&,
                                           std::string_view);
  std::map<std::string, std::string> values_;
};

// Validates the request's query against `specs`; `endpoint` ("GET /api/v1/accounts") goes into
// every message so a caller knows which call was refused.
ApiResult<QueryParams> parseQuery(const http::Request& request, const std::vector<ParamSpec>& specs,
                                  std::string_view endpoint);

// "must be true or false": what a parameter accepts, for messages and the docs.
std::string describeAccepted(const ParamSpec& spec);

}  // namespace abm::api
