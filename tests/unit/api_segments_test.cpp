// GET /api/v1/segments and /api/v1/segments/{name} over the API fixture store, whose saved segment
// icp is "is_target = true" (every third account), software-us selects no account (the fixture's
// software accounts are in "de") and engaged reads stages, scores and numbers.
#include <gtest/gtest.h>

#include "api_fixture.hpp"

using namespace abm;
using namespace abm::test;

namespace {

class ApiSegmentsTest : public ApiStoreTest {
 protected:
  // The fixture's "engaged": stage >= engaged and engagement >= 20 or employee_count between 100
  // and 400 or annual_revenue > 50000000, computed here from the fixture's definitions.
  static std::vector<int64_t> engaged() {
    const std::vector<std::string> order = {"unaware", "target", "aware", "engaged", "mqa", "opportunity", "customer"};
    std::vector<int64_t> out;
    for (const auto& a : fixtureAccounts()) {
      const auto stage = a.stage ? std::find(order.begin(), order.end(), *a.stage) - order.begin() : -1;
      const bool by_stage = stage >= 3 && a.score.value_or(0) >= 20;
      const bool by_size = a.employee_count && *a.employee_count >= 100 && *a.employee_count <= 400;
      const bool by_revenue = a.annual_revenue && *a.annual_revenue > 5e7;
      if (by_stage || by_size || by_revenue) out.push_back(a.id);
    }
    return out;
  }
  static std::vector<int64_t> targets() {
    std::vector<int64_t> out;
    for (const auto& a : fixtureAccounts())
      if (a.is_target) out.push_back(a.id);
    return out;
  }
};

TEST_F(ApiSegmentsTest, SegmentsWithTheirMemberCounts) {
  const auto a = harness_->get("/api/v1/segments");
  ASSERT_EQ(a.status, 200) << a.raw;
  ASSERT_EQ(a.body["items"].size(), 3u);
  EXPECT_EQ(a.body["items"][0]["name"], "engaged");
  EXPECT_EQ(a.body["items"][0]["accounts"], engaged().size());
  const auto& icp = a.body["items"][1];
  EXPECT_EQ(icp["name"], "icp");
  EXPECT_EQ(icp["filter"], "is_target = true");
  EXPECT_EQ(icp["created_at"], "2024-06-01T00:00:00Z");
  EXPECT_EQ(icp["updated_at"], "2024-06-02T00:00:00Z");
  EXPECT_EQ(icp["accounts"], targets().size());
  EXPECT_EQ(a.body["items"][2]["name"], "software-us");
  EXPECT_EQ(a.body["items"][2]["accounts"], 0);
}

TEST_F(ApiSegmentsTest, StagesScoresAndNumbersSelectTheAccountsComputedHere) {
  ASSERT_FALSE(engaged().empty());
  EXPECT_EQ(ids(walk("/api/v1/segments/engaged?limit=10"), "account_id"), engaged());
}

TEST_F(ApiSegmentsTest, OneSegmentsAccountsPagedBothWays) {
  int pages = 0;
  const auto items = walk("/api/v1/segments/icp?limit=5", &pages);
  EXPECT_EQ(ids(items, "account_id"), targets());
  EXPECT_EQ(pages, 4);  // 17 accounts, 5 a page
  // The items are accounts as /api/v1/accounts gives them.
  const auto one = harness_->get("/api/v1/accounts/3");
  ASSERT_EQ(one.status, 200);
  for (const auto& [key, value] : items[0].items()) EXPECT_EQ(value, one.body[key]) << key;

  auto down = targets();
  std::reverse(down.begin(), down.end());
  EXPECT_EQ(ids(walk("/api/v1/segments/icp?limit=7&sort=-account_id"), "account_id"), down);

  const auto first = harness_->get("/api/v1/segments/icp?limit=2");
  ASSERT_EQ(first.status, 200);
  EXPECT_EQ(first.body["accounts_total"], targets().size());
  EXPECT_EQ(first.body["filter"], "is_target = true");
  // A cursor belongs to its segment and sort.
  const std::string cursor = first.body["next_cursor"];
  EXPECT_EQ(harness_->get("/api/v1/segments/software-us?cursor=" + cursor).status, 400);
  EXPECT_EQ(harness_->get("/api/v1/segments/icp?sort=-account_id&cursor=" + cursor).status, 400);
  const auto empty = harness_->get("/api/v1/segments/software-us");
  ASSERT_EQ(empty.status, 200);
  EXPECT_EQ(empty.body["items"], nlohmann::json::array());
  EXPECT_TRUE(empty.body["next_cursor"].is_null());
}

TEST_F(ApiSegmentsTest, UnknownSegmentsBadParametersAndBrokenFilters) {
  const auto missing = harness_->get("/api/v1/segments/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.errorMessage(), "no segment 'nope'; GET /api/v1/segments lists the saved segments");
  EXPECT_EQ(harness_->get("/api/v1/segments/icp?limit=0").status, 400);
  EXPECT_EQ(harness_->get("/api/v1/segments/icp?sort=name").status, 400);
  EXPECT_EQ(harness_->get("/api/v1/segments/icp?stage=mqa").errorCode(), "unknown_parameter");

  auto db = store::Database::open(store_->location());
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->exec("INSERT INTO segments(name, filter, created_at, updated_at) VALUES"
                       " ('old', 'region = EMEA', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z')"));
  const auto broken = harness_->get("/api/v1/segments/old");
  EXPECT_EQ(broken.status, 409);
  EXPECT_EQ(broken.errorCode(), "invalid_filter");
  EXPECT_EQ(broken.errorMessage().rfind("segment 'old' has a filter that no longer parses: filter:1:1: unknown field 'region'", 0),
            0u)
      << broken.errorMessage();
  // The list still answers, the broken one with its error.
  const auto all = harness_->get("/api/v1/segments");
  ASSERT_EQ(all.status, 200);
  ASSERT_EQ(all.body["items"].size(), 4u);
  EXPECT_EQ(all.body["items"][2]["name"], "old");
  EXPECT_TRUE(all.body["items"][2]["accounts"].is_null());
  EXPECT_NE(all.body["items"][2]["error"].get<std::string>().find("unknown field 'region'"), std::string::npos);
  EXPECT_EQ(all.body["items"][3]["accounts"], 0);
  ASSERT_TRUE(db->exec("DELETE FROM segments WHERE name = 'old'"));
}

}  // namespace
