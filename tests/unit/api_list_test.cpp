// The read API's lists: keyset paging to the end under every sort (ties included), each filter,
// the 400s for bad parameters, and refused cursors.
#include <gtest/gtest.h>

#include <functional>
#include <set>

#include "api/cursor.hpp"
#include "api_fixture.hpp"

using namespace abm;
using namespace abm::test;

namespace {

using Key = std::variant<int64_t, double, std::string>;

// The accounts' ids in the order a sort must give, computed from the fixture's definitions.
std::vector<int64_t> expectedOrder(const std::function<Key(const FixtureAccount&)>& key, bool descending,
                                   const std::function<bool(const FixtureAccount&)>& keep = nullptr) {
  std::vector<FixtureAccount> accounts;
  for (const auto& a : fixtureAccounts())
    if (!keep || keep(a)) accounts.push_back(a);
  std::sort(accounts.begin(), accounts.end(), [&](const FixtureAccount& a, const FixtureAccount& b) {
    const auto ka = key(a), kb = key(b);
    if (ka != kb) return descending ? kb < ka : ka < kb;
    return descending ? b.id < a.id : a.id < b.id;
  });
  std::vector<int64_t> out;
  for (const auto& a : accounts) out.push_back(a.id);
  return out;
}

class ApiListTest : public ApiStoreTest {};

TEST_F(ApiListTest, EverySortPagesToTheEndWithoutDuplicatesOrGaps) {
  const std::vector<std::pair<std::string, std::function<Key(const FixtureAccount&)>>> sorts = {
      {"account_id", [](const FixtureAccount& a) { return Key(a.id); }},
      {"name", [](const FixtureAccount& a) { return Key(a.name.value_or("")); }},
      {"domain", [](const FixtureAccount& a) { return Key(a.domain.value_or("")); }},
      {"score", [](const FixtureAccount& a) { return Key(a.score.value_or(0.0)); }},
      {"created_at", [](const FixtureAccount& a) { return Key(a.created_at); }},
  };
  for (const auto& [name, key] : sorts) {
    for (bool descending : {false, true}) {
      const std::string sort = (descending ? "-" : "") + name;
      for (int limit : {1, 7, 53, 1000}) {
        int pages = 0;
        const auto got = ids(
            walk("/api/v1/accounts?sort=" + sort + "&limit=" + std::to_string(limit), &pages), "account_id");
        EXPECT_EQ(got, expectedOrder(key, descending)) << "sort=" << sort << " limit=" << limit;
        EXPECT_EQ(pages, (53 + limit - 1) / limit) << "sort=" << sort << " limit=" << limit;
        EXPECT_EQ(std::set<int64_t>(got.begin(), got.end()).size(), 53u);
      }
    }
  }
}

TEST_F(ApiListTest, DefaultsAreAccountIdAscendingAndOneHundredAPage) {
  const auto a = harness_->get("/api/v1/accounts");
  ASSERT_EQ(a.status, 200) << a.raw;
  EXPECT_EQ(a.body["items"].size(), 53u);
  EXPECT_TRUE(a.body["next_cursor"].is_null());
  EXPECT_EQ(a.body["items"][0]["account_id"], 1);
  // A cursor made under the default sort stays valid when the sort is then spelled out.
  const auto first = harness_->get("/api/v1/accounts?limit=10");
  const auto next = harness_->get("/api/v1/accounts?limit=10&sort=account_id&cursor=" +
                                  first.body["next_cursor"].get<std::string>());
  ASSERT_EQ(next.status, 200) << next.raw;
  EXPECT_EQ(next.body["items"][0]["account_id"], 11);
}

TEST_F(ApiListTest, AnAccountItemCarriesItsStageAndScore) {
  const auto a = harness_->get("/api/v1/accounts?limit=1");
  ASSERT_EQ(a.status, 200);
  const auto& item = a.body["items"][0];
  EXPECT_EQ(item["name"], "Beta");
  EXPECT_EQ(item["domain"], "d1.com");
  EXPECT_EQ(item["tier"], "tier 2");
  EXPECT_EQ(item["is_target"], false);
  EXPECT_EQ(item["country"], "US");
  EXPECT_EQ(item["score"], 10.0);
  EXPECT_EQ(item["stage"], "target");
  EXPECT_EQ(item["stage_since"], "2024-05-01T00:00:00Z");
  EXPECT_TRUE(item["employee_count"].is_null());
  EXPECT_EQ(item["annual_revenue"].dump(), "1234567.5") << "money is a number (numeric on PostgreSQL)";
  EXPECT_EQ(item["created_at"], "2024-01-02T00:00:00Z");
  EXPECT_EQ(a.body["items"].size(), 1u);
  EXPECT_TRUE(a.body["next_cursor"].is_string());
  // A count is an integer, whole money a number with its point.
  const auto third = harness_->get("/api/v1/accounts/3");
  ASSERT_EQ(third.status, 200) << third.raw;
  EXPECT_EQ(third.body["employee_count"].dump(), "30");
  EXPECT_TRUE(third.body["annual_revenue"].is_null());
  EXPECT_EQ(harness_->get("/api/v1/accounts/5").body["annual_revenue"].dump(), "6172837.5");
  EXPECT_EQ(third.body["engagement"]["touchpoints"].dump(), "3");
  EXPECT_EQ(third.body["engagement"]["score_prev_window"].dump(), "1.5");
}

TEST_F(ApiListTest, EachFilterSelectsExactlyItsAccounts) {
  const std::vector<std::pair<std::string, std::function<bool(const FixtureAccount&)>>> filters = {
      {"is_target=true", [](const FixtureAccount& a) { return a.is_target; }},
      {"is_target=false", [](const FixtureAccount& a) { return !a.is_target; }},
      {"tier=tier%201", [](const FixtureAccount& a) { return a.tier == "Tier 1"; }},  // any ASCII case
      {"stage=mqa", [](const FixtureAccount& a) { return a.stage == "mqa"; }},
      {"industry=software", [](const FixtureAccount& a) { return a.industry == "Software"; }},
      {"country=DE", [](const FixtureAccount& a) { return a.country == "de"; }},
      {"min_score=30", [](const FixtureAccount& a) { return a.score.value_or(0) >= 30; }},
      {"min_score=0", [](const FixtureAccount&) { return true; }},
      {"q=acme", [](const FixtureAccount& a) { return a.name == "Acme" || a.name == "acme"; }},
      {"q=D3.C", [](const FixtureAccount& a) { return a.domain == "d3.com"; }},
      // LIKE's own characters are taken literally.
      {"q=0%25%20G", [](const FixtureAccount& a) { return a.id == 53; }},
      {"q=h_c", [](const FixtureAccount& a) { return a.id == 53; }},
      {"q=%25", [](const FixtureAccount& a) { return a.id == 53; }},
      {"is_target=true&min_score=20&country=us",
       [](const FixtureAccount& a) { return a.is_target && a.score.value_or(0) >= 20 && a.country == "US"; }},
  };
  for (const auto& [filter, keep] : filters) {
    const auto got = ids(walk("/api/v1/accounts?limit=4&" + filter), "account_id");
    const auto want = expectedOrder([](const FixtureAccount& a) { return Key(a.id); }, false, keep);
    EXPECT_EQ(got, want) << filter;
    EXPECT_FALSE(want.empty()) << filter << " selects nothing: the fixture no longer tests it";
  }
  // Sorted and filtered at once, paged in small steps.
  const auto got = ids(walk("/api/v1/accounts?limit=3&sort=-score&is_target=false"), "account_id");
  EXPECT_EQ(got, expectedOrder([](const FixtureAccount& a) { return Key(a.score.value_or(0.0)); }, true,
                               [](const FixtureAccount& a) { return !a.is_target; }));
}

TEST_F(ApiListTest, BadParameterValuesAre400NamingTheParameterAndWhatItAccepts) {
  const std::vector<std::tuple<std::string, std::string, std::string>> cases = {
      {"limit=0", "'limit'", "from 1 to 1000"},
      {"limit=5000", "'limit'", "from 1 to 1000"},
      {"limit=ten", "'limit'", "from 1 to 1000"},
      {"limit=", "'limit'", "from 1 to 1000"},
      {"min_score=abc", "'min_score'", "a number"},
      {"min_score=inf", "'min_score'", "a number"},
      {"is_target=maybe", "'is_target'", "true or false"},
      {"stage=hot", "'stage'", "one of unaware, target, aware, engaged, mqa, opportunity, customer"},
      {"sort=revenue", "'sort'", "account_id, -account_id, name, -name"},
      {"tier=", "'tier'", "UTF-8 text"},
      {"q=%FF%FE", "'q'", "UTF-8 text"},
      {"limit=5&limit=6", "'limit'", "more than once"},
  };
  for (const auto& [query, name, accepted] : cases) {
    const auto a = harness_->get("/api/v1/accounts?" + query);
    EXPECT_EQ(a.status, 400) << query;
    EXPECT_EQ(a.errorCode(), "invalid_parameter") << query;
    EXPECT_NE(a.errorMessage().find(name), std::string::npos) << query << ": " << a.errorMessage();
    EXPECT_NE(a.errorMessage().find(accepted), std::string::npos) << query << ": " << a.errorMessage();
    EXPECT_NE(a.errorMessage().find("GET /api/v1/accounts"), std::string::npos) << a.errorMessage();
  }
}

TEST_F(ApiListTest, UnknownQueryParametersAre400NamingThem) {
  for (const std::string target : {"/api/v1/accounts?industy=Software", "/api/v1/runs?offset=10",
                                   "/api/v1/accounts/1?expand=contacts", "/api/v1/health?x=1"}) {
    const auto a = harness_->get(target);
    EXPECT_EQ(a.status, 400) << target;
    EXPECT_EQ(a.errorCode(), "unknown_parameter") << target;
    const auto name = target.substr(target.find('?') + 1, target.find('=') - target.find('?') - 1);
    EXPECT_NE(a.errorMessage().find("'" + name + "'"), std::string::npos) << a.errorMessage();
  }
  const auto a = harness_->get("/api/v1/accounts?industy=Software");
  EXPECT_NE(a.errorMessage().find("industry"), std::string::npos) << "the accepted names are listed";
}

TEST_F(ApiListTest, DamagedEditedOrMisappliedCursorsAre400) {
  const auto first = harness_->get("/api/v1/accounts?limit=5&is_target=false");
  ASSERT_EQ(first.status, 200);
  const std::string cursor = first.body["next_cursor"];
  auto refused = [&](const std::string& target, const std::string& why) {
    const auto a = harness_->get(target);
    EXPECT_EQ(a.status, 400) << why << ": " << target;
    EXPECT_EQ(a.errorCode(), "invalid_cursor") << why;
    EXPECT_NE(a.errorMessage().find("without cursor"), std::string::npos) << a.errorMessage();
    return a.errorMessage();
  };
  for (size_t i = 0; i < cursor.size(); i += 3) {
    std::string edited = cursor;
    edited[i] = edited[i] == 'A' ? 'B' : 'A';
    refused("/api/v1/accounts?limit=5&is_target=false&cursor=" + edited,
            "one character changed at " + std::to_string(i));
  }
  refused("/api/v1/accounts?limit=5&is_target=false&cursor=" + cursor.substr(0, cursor.size() - 4),
          "truncated");
  refused("/api/v1/accounts?limit=5&is_target=false&cursor=" + cursor + "AA", "lengthened");
  refused("/api/v1/accounts?limit=5&is_target=false&cursor=not%20a%20cursor", "garbage");
  refused("/api/v1/accounts?limit=5&is_target=false&cursor=" + api::base64UrlEncode("{\"l\":\"accounts\"}"),
          "well-formed base64 without the checksum");
  // A cursor that is intact but carried to other filters, another sort or another list.
  EXPECT_NE(refused("/api/v1/accounts?limit=5&is_target=true&cursor=" + cursor, "other filter")
                .find("other filters"),
            std::string::npos);
  refused("/api/v1/accounts?limit=5&cursor=" + cursor, "filter dropped");
  refused("/api/v1/accounts?limit=5&is_target=false&sort=name&cursor=" + cursor, "other sort");
  EXPECT_NE(refused("/api/v1/runs?cursor=" + cursor, "other list").find("another list"), std::string::npos);
  // The limit may change between pages.
  const auto more = harness_->get("/api/v1/accounts?limit=50&is_target=false&cursor=" + cursor);
  EXPECT_EQ(more.status, 200) << more.raw;
}

TEST_F(ApiListTest, TouchpointTimelinePagesThroughTiedTimesNewestFirst) {
  std::vector<FixtureTouch> touches;
  for (const auto& t : fixtureTouches())
    if (t.account_id == 1) touches.push_back(t);
  std::sort(touches.begin(), touches.end(), [](const FixtureTouch& a, const FixtureTouch& b) {
    return a.occurred_at != b.occurred_at ? a.occurred_at > b.occurred_at : a.id > b.id;
  });
  std::vector<int64_t> want;
  for (const auto& t : touches) want.push_back(t.id);
  for (int limit : {1, 3, 4, 40, 100})
    EXPECT_EQ(ids(walk("/api/v1/accounts/1/touchpoints?limit=" + std::to_string(limit)), "touchpoint_id"),
              want)
        << limit;
  std::reverse(want.begin(), want.end());
  EXPECT_EQ(ids(walk("/api/v1/accounts/1/touchpoints?limit=6&sort=occurred_at"), "touchpoint_id"), want);

  const auto page = harness_->get("/api/v1/accounts/1/touchpoints?limit=1");
  const auto& t = page.body["items"][0];
  EXPECT_EQ(t["touchpoint_id"], 40);
  EXPECT_EQ(t["occurred_at"], "2024-02-10T10:00:00Z");
  EXPECT_EQ(t["channel"], "email");
  EXPECT_EQ(t["activity"], "email_open");
  EXPECT_EQ(t["campaign_id"], 1);
  EXPECT_EQ(t["campaign_name"], "Spring webinar");
  EXPECT_TRUE(t["contact_id"].is_null());
  EXPECT_EQ(t["properties"], nlohmann::json({{"url", "/pricing"}}));
  EXPECT_EQ(t["quantity"], 1.0);

  // A timeline's cursor belongs to its account.
  const auto other = harness_->get("/api/v1/accounts/2/touchpoints?limit=1&cursor=" +
                                   page.body["next_cursor"].get<std::string>());
  EXPECT_EQ(other.status, 400);
  EXPECT_EQ(other.errorCode(), "invalid_cursor");
}

TEST_F(ApiListTest, TouchpointFilters) {
  auto count = [&](const std::string& filter, const std::function<bool(const FixtureTouch&)>& keep) {
    size_t n = 0;
    for (const auto& t : fixtureTouches()) n += t.account_id == 1 && keep(t);
    const auto got = walk("/api/v1/accounts/1/touchpoints?limit=7&" + filter);
    EXPECT_EQ(got.size(), n) << filter;
    EXPECT_GT(n, 0u) << filter;
  };
  count("channel=web", [](const FixtureTouch& t) { return t.channel == "web"; });
  count("activity=ad_click", [](const FixtureTouch& t) { return t.activity == "ad_click"; });
  count("since=2024-02-05", [](const FixtureTouch& t) { return t.occurred_at >= "2024-02-05T00:00:00Z"; });
  count("until=2024-02-05T10:00:00Z",
        [](const FixtureTouch& t) { return t.occurred_at < "2024-02-05T10:00:00Z"; });
  count("since=2024-02-03&until=2024-02-04&channel=email", [](const FixtureTouch& t) {
    return t.occurred_at.substr(0, 10) == "2024-02-03" && t.channel == "email";
  });
  const auto bad = harness_->get("/api/v1/accounts/1/touchpoints?since=yesterday");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.errorMessage().find("'since'"), std::string::npos);
  const auto channel = harness_->get("/api/v1/accounts/1/touchpoints?channel=fax");
  EXPECT_NE(channel.errorMessage().find("email, ads, web, social, event, sales, other"), std::string::npos);
}

TEST(ApiCursor, RoundTripsEveryKeyType) {
  for (const api::CursorPosition& p :
       {api::CursorPosition{int64_t{-5}, int64_t{7}}, api::CursorPosition{0.1 + 0.2, int64_t{3}},
        api::CursorPosition{std::string("Zürich \"GmbH\""), std::string("crm")}}) {
    const auto type = [](const api::KeyValue& v) {
      return v.index() == 0   ? api::KeyType::Integer
             : v.index() == 1 ? api::KeyType::Real
                              : api::KeyType::Text;
    };
    const auto text = api::encodeCursor("accounts", "q", p);
    auto back = api::decodeCursor(text, "accounts", "q", type(p.key), type(p.id));
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(back->key, p.key);  // doubles bit for bit: a rounded key would skip or repeat rows
    EXPECT_EQ(back->id, p.id);
    EXPECT_EQ(text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
              std::string::npos);
  }
}

TEST(ApiCursor, TheFormatIsStableSoCursorsOutliveAnUpgrade) {
  // A cursor as this version gives it (fuzz/corpus/fuzz_api_query/valid_text_cursor): a client paging
  // while the daemon is upgraded must not be refused for a format change.
  const auto seed = readFile(sourceDir() / "fuzz/corpus/fuzz_api_query/valid_text_cursor");
  const auto cursor = seed.substr(seed.find('\n') + 1);
  auto position = api::decodeCursor(cursor, "accounts", "identity", api::KeyType::Text, api::KeyType::Integer);
  ASSERT_TRUE(position) << position.error().message;
  EXPECT_EQ(position->key, api::KeyValue(std::string("Zürich GmbH")));
  EXPECT_EQ(position->id, api::KeyValue(int64_t{7}));
  EXPECT_EQ(api::encodeCursor("accounts", "identity", *position), cursor);
}

TEST(ApiCursor, Base64UrlIsCanonical) {
  for (const std::string& s : std::vector<std::string>{"", "f", "fo", "foo", "foob", "fooba", "foobar",
                                                       std::string("\0\xff\x10", 3)})
    EXPECT_EQ(api::base64UrlDecode(api::base64UrlEncode(s)), s);
  EXPECT_EQ(api::base64UrlEncode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(api::base64UrlEncode("\xfb\xff"), "-_8");
  EXPECT_FALSE(api::base64UrlDecode("Zg="));   // padding is not ours
  EXPECT_FALSE(api::base64UrlDecode("Zh"));    // leftover bits set: a second spelling of "f"
  EXPECT_FALSE(api::base64UrlDecode("Z"));     // no length is 1 mod 4
  EXPECT_FALSE(api::base64UrlDecode("Zm+v"));  // standard alphabet
}

}  // namespace
