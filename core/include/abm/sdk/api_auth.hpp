// How an HTTP connector signs its requests when it is not OAuth (header-only, with <abm/sdk/oauth.hpp>):
// an API key in a header (any name, an optional value prefix: "X-API-Key: K", "Authorization: Token K",
// "Authorization: Token token=K"), an API key in a query parameter ("?api_token=K"), or HTTP Basic
// (a user and password, or an API key as the user). They are settings of the shared session
// (kAuthOptions), read by ApiSession beside the bearer token and OAuth ones of kHttpOptions.
// A key in the query string is added to the request as it leaves and is never part of
// Response::endpoint, a message or a stored value.
#pragma once

#include <abm/sdk/oauth.hpp>
#include <abm/sdk/plugin.hpp>

#include <algorithm>

#include <array>
#include <string>

namespace abm::sdk::http {

// The settings of the API key and Basic kinds, for a plugin whose source signs one of these ways
// (the rest plugin: its connector file says which). The key and both Basic parts are secret: the
// user may be an API key too.
inline constexpr Option kAuthOptions[] = {
    {"api_key", OptionType::String, false, "\"\"",
     "API key, sent in the header api_key_header or the query parameter api_key_query", true},
    {"api_key_header", OptionType::String, false, "\"\"",
     "Header that carries api_key (X-API-Key, Authorization, ...)"},
    {"api_key_prefix", OptionType::String, false, "\"\"",
     "Text before the key in that header (\"Token \", \"Token token=\", \"Bearer \")"},
    {"api_key_query", OptionType::String, false, "\"\"", "Query parameter that carries api_key (api_token, key, ...)"},
    {"basic_user", OptionType::String, false, "\"\"", "HTTP Basic user name (or the API key, for sources that take it so)", true},
    {"basic_password", OptionType::String, false, "\"\"", "HTTP Basic password (empty for an API key as the user)", true},
};

// Where a key in the query string goes: added by ApiSession to every request as it leaves.
struct QueryKey {
  std::string name;
  std::string value;
  bool empty() const { return name.empty(); }
};

// The way a connector's settings say to sign: fills the fixed header of `o` (API key header, Basic)
// or `query`, and o.credential_settings with the settings a 401 should name. Returns "" or one line
// naming the setting that is wrong. Bearer and OAuth settings are left to OAuth; mixing them with
// these is refused.
inline std::string readAuthSettings(const nlohmann::json& settings, OAuthSettings& o, QueryKey& query) {
  std::string& check = o.credential_settings;
  auto text = [&](const char* key) {
    const auto it = settings.find(key);
    return it != settings.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  const std::string key = text("api_key"), header = text("api_key_header"), prefix = text("api_key_prefix"),
                    param = text("api_key_query"), user = text("basic_user"), password = text("basic_password");
  const bool oauth = !o.access_token.empty() || !o.refresh_token.empty();
  int kinds = (oauth ? 1 : 0) + (!key.empty() ? 1 : 0) + (!user.empty() || !password.empty() ? 1 : 0);
  if (kinds > 1)
    return "set one way to sign in: access_token/OAuth, api_key, or basic_user and basic_password — several are set";
  if (!header.empty() && !param.empty()) return "api_key_header and api_key_query are both set: the key goes in one place";
  if (!key.empty()) {
    if (header.empty() && param.empty())
      return "api_key is set but neither api_key_header nor api_key_query says where it goes";
    if (!header.empty()) {
      if (header.find_first_of(": \r\n") != std::string::npos)
        return "api_key_header: '" + header + "' is no header name (a name only, without ':' or spaces)";
      o.fixed_header = header;
      o.fixed_authorization = prefix + key;
      check = "api_key (sent in the " + header + " header)";
    } else {
      if (param.find_first_of("=&?# ") != std::string::npos)
        return "api_key_query: '" + param + "' is no query parameter name";
      query = {param, key};
      o.query_signed = true;
      check = "api_key (sent as the " + param + " query parameter)";
    }
    return {};
  }
  if (!header.empty() || !param.empty() || !prefix.empty())
    return std::string(!header.empty() ? "api_key_header" : !param.empty() ? "api_key_query" : "api_key_prefix") +
           " is set but api_key is empty";
  if (!user.empty() || !password.empty()) {
    if (user.empty()) return "basic_password is set but basic_user is empty";
    o.fixed_authorization = basicAuthorization(user, password);
    check = password.empty() ? "basic_user (the API key, sent as the HTTP Basic user)" : "basic_user and basic_password";
  }
  return {};
}

// `target` with `key` as a query parameter, any parameter of that name already there replaced (a
// vendor's next-page link may carry the key back).
inline std::string withQueryKey(const std::string& target, const QueryKey& key) {
  if (key.empty()) return target;
  const auto q = target.find('?');
  const auto hash = target.find('#');
  std::string path = target.substr(0, std::min(q, hash));
  std::string kept;
  if (q != std::string::npos) {
    const std::string query = target.substr(q + 1, hash == std::string::npos || hash < q ? std::string::npos : hash - q - 1);
    size_t start = 0;
    while (start <= query.size()) {
      size_t end = query.find('&', start);
      if (end == std::string::npos) end = query.size();
      const std::string part = query.substr(start, end - start);
      const std::string name = part.substr(0, part.find('='));
      if (!part.empty() && name != key.name) kept += (kept.empty() ? "" : "&") + part;
      start = end + 1;
    }
  }
  return path + "?" + kept + (kept.empty() ? "" : "&") + key.name + "=" + formEncode(key.value);
}

}  // namespace abm::sdk::http
