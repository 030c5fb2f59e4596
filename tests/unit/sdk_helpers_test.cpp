// The SDK's header-only helpers that plugins lean on: vendor timestamps, paging styles, and reading
// vendor JSON that is full of nulls.
#include <gtest/gtest.h>

#include <abm/sdk/api_session.hpp>
#include <abm/sdk/api_version.hpp>
#include <abm/sdk/entities.hpp>
#include <abm/sdk/time.hpp>

namespace {

using nlohmann::json;
namespace http = abm::sdk::http;

TEST(SdkTime, VendorTimestampsToMillisAndBack) {
  EXPECT_EQ(abm::sdk::isoToMillis("2024-01-01T00:00:00Z"), 1704067200000);
  EXPECT_EQ(abm::sdk::isoToMillis("2024-01-01T00:00:00.123Z"), 1704067200123);
  EXPECT_EQ(abm::sdk::isoToMillis("2024-01-01T00:00:00.5Z"), 1704067200500);
  // Salesforce's offset has no colon; others have one; a date alone is midnight UTC.
  EXPECT_EQ(abm::sdk::isoToMillis("2024-01-01T01:00:00.000+0100"), 1704067200000);
  EXPECT_EQ(abm::sdk::isoToMillis("2023-12-31T19:00:00-05:00"), 1704067200000);
  EXPECT_EQ(abm::sdk::isoToMillis("2024-01-01"), 1704067200000);
  EXPECT_FALSE(abm::sdk::isoToMillis("yesterday"));
  EXPECT_FALSE(abm::sdk::isoToMillis("2024-13-01"));
  EXPECT_FALSE(abm::sdk::isoToMillis("2024-01-01X00:00"));
  EXPECT_EQ(abm::sdk::millisToIso(1704067200123), "2024-01-01T00:00:00.123Z");
  EXPECT_EQ(abm::sdk::millisToIso(951782400000), "2000-02-29T00:00:00.000Z");
  for (int64_t ms : {int64_t{0}, int64_t{1}, int64_t{951868799999}, int64_t{1795883815870}})
    EXPECT_EQ(abm::sdk::isoToMillis(abm::sdk::millisToIso(ms)), ms);
}

// A date-time without its zone is refused, never taken as UTC; a bare date is that day in UTC. The
// host refuses the same in records and options (RecordValidator.*, OptionSchema.* below).
TEST(SdkTime, ADateTimeWithoutItsZoneIsRefused) {
  for (const char* zoneless : {"2024-03-01T12:00:00", "2024-03-01 12:00:00", "2024-03-01T12:00:00.250"}) {
    EXPECT_TRUE(abm::sdk::isZonelessDateTime(zoneless)) << zoneless;
    EXPECT_FALSE(abm::sdk::isoToMillis(zoneless)) << zoneless;
  }
  for (const char* zoned : {"2024-03-01T12:00:00Z", "2024-03-01T12:00:00+0000", "2024-03-01 07:00:00-05:00", "2024-03-01"})
    EXPECT_FALSE(abm::sdk::isZonelessDateTime(zoned)) << zoned;
  EXPECT_EQ(abm::sdk::isoToMillis("2024-03-01 07:00:00-05:00"), abm::sdk::isoToMillis("2024-03-01T12:00:00Z"));
  // A source documented to send UTC without a zone says so where it reads it.
  EXPECT_EQ(abm::sdk::isoToMillis(std::string("2024-03-01 12:00:00") + "Z"), abm::sdk::isoToMillis("2024-03-01T12:00:00Z"));
}

TEST(SdkApiVersion, EachVendorsSpellingsBecomeTheOneItsApiTakes) {
  using abm::sdk::normalizeVersion;
  using abm::sdk::VersionStyle;
  for (const char* s : {"60.0", "v60.0", "V60.0", "60", "v60"}) EXPECT_EQ(normalizeVersion(VersionStyle::VMajorMinor, s), "v60.0") << s;
  for (const char* s : {"", "v", "sixty", "v60.0.1", "60.", " 60.0", "v060.0", "60,0"})
    EXPECT_FALSE(normalizeVersion(VersionStyle::VMajorMinor, s)) << s;
  for (const char* s : {"17", "v17", "V17"}) EXPECT_EQ(normalizeVersion(VersionStyle::VMajor, s), "v17") << s;
  for (const char* s : {"v17.0", "17.1", "seventeen", "v"}) EXPECT_FALSE(normalizeVersion(VersionStyle::VMajor, s)) << s;
  EXPECT_EQ(normalizeVersion(VersionStyle::YearMonth, "202405"), "202405");
  EXPECT_EQ(normalizeVersion(VersionStyle::YearMonth, "202508.02"), "202508.02");
  for (const char* s : {"2024-05", "202413", "202400", "2405", "v202405", "20240501"})
    EXPECT_FALSE(normalizeVersion(VersionStyle::YearMonth, s)) << s;
  EXPECT_EQ(abm::sdk::versionError(VersionStyle::VMajor, "api_version", "seventeen"),
            "api_version: 'seventeen' is not an API version (expected v17 or 17)");
  EXPECT_EQ(abm::sdk::versionError(VersionStyle::VMajor, "api_version", "17"), "");
}

TEST(SdkPaging, PageTokenAndOffsetStyles) {
  EXPECT_EQ(http::nextPageToken(json{{"hasMore", true}, {"offset", "abc"}}, "offset", "hasMore"), "abc");
  EXPECT_FALSE(http::nextPageToken(json{{"hasMore", false}, {"offset", "abc"}}, "offset", "hasMore"));
  EXPECT_FALSE(http::nextPageToken(json{{"offset", "abc"}}, "offset", "hasMore"));
  EXPECT_EQ(http::nextPageToken(json{{"nextPageToken", "t2"}}, "nextPageToken"), "t2");
  EXPECT_EQ(http::nextPageToken(json{{"hasMore", true}, {"offset", 250}}, "offset", "hasMore"), "250");
  EXPECT_FALSE(http::nextPageToken(json{{"nextPageToken", ""}}, "nextPageToken"));
  EXPECT_FALSE(http::nextPageToken(json{{"nextPageToken", nullptr}}, "nextPageToken"));

  EXPECT_EQ(http::nextOffset(0, 100, 250), 100);
  EXPECT_EQ(http::nextOffset(200, 50, 250), std::nullopt);
  EXPECT_EQ(http::nextOffset(100, 0, 250), std::nullopt);  // an empty page never loops
}

TEST(SdkVendorJson, NullsAndWrongTypesReadAsNothing) {
  const json j = json::parse(R"({"name": null, "label": "Primary", "n": 7, "s": "42", "x": "4x", "o": {}})");
  EXPECT_EQ(http::textOf(j, "name"), "");
  EXPECT_EQ(http::textOf(j, "label"), "Primary");
  EXPECT_EQ(http::textOf(j, "missing"), "");
  EXPECT_EQ(http::textOf(j, "n"), "");
  EXPECT_EQ(http::textOf(json::array(), "name"), "");
  EXPECT_EQ(http::integerOf(j, "n"), 7);
  EXPECT_EQ(http::integerOf(j, "s"), 42);
  EXPECT_EQ(http::integerOf(j, "x", -1), -1);
  EXPECT_EQ(http::integerOf(j, "name", -1), -1);

  abm::sdk::JsonObjectWriter w;
  http::copyField(w, "a", j["name"]);
  http::copyField(w, "b", j["label"]);
  http::copyField(w, "c", j["n"]);
  http::copyField(w, "d", json(""));
  http::copyField(w, "e", json(true));
  EXPECT_EQ(w.finish(), R"({"b":"Primary","c":7,"e":true})");
}

TEST(SdkEntities, PlausibleDomainsFromTypedInWebsites) {
  EXPECT_TRUE(abm::sdk::plausibleDomain("acme.com"));
  EXPECT_TRUE(abm::sdk::plausibleDomain("https://www.acme.co.uk/de"));
  EXPECT_FALSE(abm::sdk::plausibleDomain("n/a"));
  EXPECT_FALSE(abm::sdk::plausibleDomain("none"));
  EXPECT_FALSE(abm::sdk::plausibleDomain("acme.com, acme.de"));
  EXPECT_FALSE(abm::sdk::plausibleDomain("see notes."
                                         " "));
  EXPECT_FALSE(abm::sdk::plausibleDomain(""));
}

TEST(SdkOptions, HttpPluginsShareOneOptionTable) {
  static constexpr abm::sdk::Option own[] = {{"base_url", abm::sdk::OptionType::String, false, "\"\"", "host"}};
  constexpr auto all = http::withHttpOptions(own);
  EXPECT_EQ(all.size(), 1 + std::size(http::kHttpOptions));
  EXPECT_EQ(all[0].name, "base_url");
  EXPECT_EQ(all[1].name, "access_token");
  EXPECT_TRUE(all[1].secret);
}

}  // namespace

// HTTP Basic as RFC 7617 spells it (its own example), for vendors that sign with an API key.
TEST(SdkHelpers, BasicAuthorizationEncodesUserColonPasswordInBase64) {
  EXPECT_EQ(http::basicAuthorization("Aladdin", "open sesame"), "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  EXPECT_EQ(http::basicAuthorization("a", "b"), "Basic YTpi");
  EXPECT_EQ(http::basicAuthorization("ab", "c"), "Basic YWI6Yw==");
  http::OAuthSettings s;
  s.fixed_authorization = http::basicAuthorization("any", "key-us6");
  s.token_url = "https://example.invalid/token";  // ignored: a fixed value is never refreshed
  http::OAuth auth(s);
  EXPECT_EQ(auth.header(), "Authorization: Basic YW55OmtleS11czY=");
  EXPECT_FALSE(auth.canRefresh());
  EXPECT_EQ(auth.refreshes(), 0);
}
