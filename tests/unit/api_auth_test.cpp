// The session's API key and HTTP Basic settings (<abm/sdk/api_auth.hpp>): what each kind sends, which
// setting a mistake or a refused sign-in names, and a key in the query string kept out of sight.
#include <gtest/gtest.h>

#include <abm/sdk/api_session.hpp>

namespace {

using nlohmann::json;
namespace http = abm::sdk::http;

// The settings as the host hands them to a plugin that declares kAuthOptions: every key present.
json settings(const json& set) {
  json s{{"api_key", ""}, {"api_key_header", ""}, {"api_key_prefix", ""}, {"api_key_query", ""},
         {"basic_user", ""}, {"basic_password", ""}, {"access_token", ""}, {"refresh_token", ""}};
  for (const auto& [k, v] : set.items()) s[k] = v;
  return s;
}

struct Signed {
  std::string error, header, check;
  http::QueryKey query;
};

Signed sign(const json& set) {
  http::OAuthSettings o;
  o.access_token = settings(set)["access_token"];
  o.refresh_token = settings(set)["refresh_token"];
  Signed out;
  out.error = http::readAuthSettings(settings(set), o, out.query);
  if (!o.fixed_authorization.empty()) out.header = o.fixed_header + ": " + o.fixed_authorization;
  out.check = o.credential_settings;
  return out;
}

TEST(SdkApiAuth, ApiKeysInAnyHeaderWithAnyPrefix) {
  EXPECT_EQ(sign({{"api_key", "K1"}, {"api_key_header", "X-API-Key"}}).header, "X-API-Key: K1");
  EXPECT_EQ(sign({{"api_key", "K1"}, {"api_key_header", "Authorization"}, {"api_key_prefix", "Token "}}).header,
            "Authorization: Token K1");
  EXPECT_EQ(sign({{"api_key", "K1"}, {"api_key_header", "Authorization"}, {"api_key_prefix", "Token token="}}).header,
            "Authorization: Token token=K1");
  EXPECT_EQ(sign({{"api_key", "K1"}, {"api_key_header", "X-API-Key"}}).check, "api_key (sent in the X-API-Key header)");
}

TEST(SdkApiAuth, ApiKeyInTheQueryAndBasic) {
  const auto q = sign({{"api_key", "K 1"}, {"api_key_query", "api_token"}});
  EXPECT_EQ(q.header, "");
  EXPECT_EQ(q.query.name, "api_token");
  EXPECT_EQ(q.check, "api_key (sent as the api_token query parameter)");
  EXPECT_EQ(sign({{"basic_user", "u"}, {"basic_password", "p"}}).header, "Authorization: " + http::basicAuthorization("u", "p"));
  EXPECT_EQ(sign({{"basic_user", "u"}, {"basic_password", "p"}}).check, "basic_user and basic_password");
  // Close: the API key as the user, no password.
  EXPECT_EQ(sign({{"basic_user", "api_KEY"}}).header, "Authorization: " + http::basicAuthorization("api_KEY", ""));
  EXPECT_EQ(sign({{"basic_user", "api_KEY"}}).check, "basic_user (the API key, sent as the HTTP Basic user)");
  EXPECT_EQ(sign({{"access_token", "pat"}}).error, "") << "bearer tokens are OAuth's business";
}

TEST(SdkApiAuth, MistakesNameTheSetting) {
  EXPECT_EQ(sign({{"api_key", "K"}}).error, "api_key is set but neither api_key_header nor api_key_query says where it goes");
  EXPECT_EQ(sign({{"api_key", "K"}, {"api_key_header", "X-Key"}, {"api_key_query", "key"}}).error,
            "api_key_header and api_key_query are both set: the key goes in one place");
  EXPECT_EQ(sign({{"api_key", "K"}, {"api_key_header", "X-Key: K"}}).error,
            "api_key_header: 'X-Key: K' is no header name (a name only, without ':' or spaces)");
  EXPECT_EQ(sign({{"api_key", "K"}, {"api_key_query", "a=b"}}).error, "api_key_query: 'a=b' is no query parameter name");
  EXPECT_EQ(sign({{"api_key_query", "api_token"}}).error, "api_key_query is set but api_key is empty");
  EXPECT_EQ(sign({{"basic_password", "p"}}).error, "basic_password is set but basic_user is empty");
  EXPECT_EQ(sign({{"api_key", "K"}, {"api_key_header", "X-Key"}, {"access_token", "pat"}}).error,
            "set one way to sign in: access_token/OAuth, api_key, or basic_user and basic_password — several are set");
  EXPECT_EQ(http::missingCredentials(settings({{"api_key", "K"}})), "");
  EXPECT_EQ(http::missingCredentials(settings({{"basic_user", "K"}})), "");
  EXPECT_NE(http::missingCredentials(settings({})), "");
}

TEST(SdkApiAuth, AQueryKeyReplacesOneAlreadyThereAndIsEncoded) {
  const http::QueryKey key{"api_token", "a/b+c"};
  EXPECT_EQ(http::withQueryKey("/v1/deals", key), "/v1/deals?api_token=a%2Fb%2Bc");
  EXPECT_EQ(http::withQueryKey("/v1/deals?start=0&limit=2", key), "/v1/deals?start=0&limit=2&api_token=a%2Fb%2Bc");
  // A vendor's next link that carries the key back gets it once, not twice.
  EXPECT_EQ(http::withQueryKey("https://x.test/v1/deals?api_token=old&start=2", key), "https://x.test/v1/deals?start=2&api_token=a%2Fb%2Bc");
  EXPECT_EQ(http::withQueryKey("/v1/deals", {}), "/v1/deals");
}

TEST(SdkApiAuth, OptionTablesShareTheSessionsSettings) {
  constexpr abm::sdk::Option own[] = {{"base_url", abm::sdk::OptionType::String, true, "", "API root"}};
  constexpr auto all = http::withAuthOptions(own);
  ASSERT_EQ(all.size(), 1 + std::size(http::kAuthOptions) + std::size(http::kHttpOptions));
  EXPECT_EQ(all[1].name, "api_key");
  EXPECT_EQ(all.back().name, http::kHttpOptions[std::size(http::kHttpOptions) - 1].name);
  for (const auto& o : all) {
    if (o.name == "api_key" || o.name == "basic_user" || o.name == "basic_password" || o.name == "access_token") {
      EXPECT_TRUE(o.secret) << o.name << " must be redacted by the host";
    }
  }
}

}  // namespace
