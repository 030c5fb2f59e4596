// What the KPI loader reads from a store: as of the run, targets from the lists, deal dates.
#include <gtest/gtest.h>

#include "common/timestamp.hpp"
#include "metrics/kpis_loader.hpp"
#include "test_support.hpp"

using namespace abm;
using namespace abm::test;

namespace {

const int64_t kAsOf = *parseTimestamp("2026-11-15T12:00:00Z");

class KpiLoader : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = store_.open();
    ASSERT_TRUE(db_);
    exec("INSERT INTO accounts(account_id, name, is_target, tier, created_at, updated_at) VALUES"
         " (1, 'Acme', 1, 'strategic', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),"
         " (2, 'Beta', 0, NULL, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')");
    exec("INSERT INTO account_lists(list_id, name, is_target, tier, imported_at)"
         " VALUES(1, 'Q4', 1, 'growth', '2026-09-01T00:00:00Z')");
    exec("INSERT INTO account_list_members(list_id, account_id, matched_by) VALUES(1, 2, 'name')");
    exec("INSERT INTO contacts(contact_id, account_id, source, external_id, buying_role, created_at, updated_at) VALUES"
         " (11, 1, 'crm', 'c11', 'champion', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),"
         " (12, 1, 'crm', 'c12', NULL, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')");
    exec("INSERT INTO opportunities(opportunity_id, account_id, source, external_id, stage, type, amount, probability,"
         " is_closed, is_won, created_at, closed_at, expected_close_at, updated_at) VALUES"
         " (1, 1, 'crm', 'o1', 'won', 'renewal', 100, NULL, 1, 1, '2026-10-01T00:00:00Z', '2026-10-11T00:00:00Z', NULL, '2026-10-11T00:00:00Z'),"
         " (2, NULL, 'crm', 'o2', 'lost', NULL, NULL, NULL, 1, 0, '2026-10-02T00:00:00Z', NULL, NULL, '2026-10-02T00:00:00Z'),"
         " (3, 2, 'crm', 'o3', 'proposal', 'new_business', 50, 0.4, 0, 0, '2026-10-03T00:00:00Z', NULL, '2026-12-01T00:00:00Z', '2026-10-03T00:00:00Z'),"
         " (4, 2, 'crm', 'o4', 'proposal', NULL, 70, NULL, 0, 0, '2026-11-15T12:00:00Z', NULL, NULL, '2026-11-15T12:00:00Z')");
    exec("INSERT INTO survey_responses(account_id, source, external_id, score, responded_at) VALUES"
         " (1, 's', 'r1', 9, '2026-10-05T00:00:00Z'), (NULL, 's', 'r2', 2, '2026-11-15T12:00:00Z')");
    exec("INSERT INTO ad_spend(source, campaign_external_id, date, cost) VALUES ('ads', 'k2', '2026-10-02', 5),"
         " ('ads', 'k1', '2026-10-02', 7), ('ads', 'k1', '2026-10-01', 3)");
    exec("INSERT INTO account_stage_history(account_id, stage, entered_at, exited_at) VALUES"
         " (1, 'aware', '2026-10-01T00:00:00Z', '2026-10-05T00:00:00Z'), (1, 'mqa', '2026-10-05T00:00:00Z', NULL)");
    exec("INSERT INTO touchpoints(touchpoint_id, account_id, contact_id, source, external_id, channel, activity, occurred_at)"
         " VALUES (1, 1, 11, 'web', 't1', 'web', 'page_view', '2026-10-01T00:00:00Z'),"
         " (2, 1, 12, 'web', 't2', 'web', 'page_view', '2026-10-02T00:00:00Z'),"
         " (3, 1, 11, 'web', 't3', 'web', 'page_view', '2026-11-15T12:00:00Z'),"  // at as_of: not seen
         " (4, NULL, NULL, 'web', 't4', 'web', 'page_view', '2026-10-02T00:00:00Z')");
  }
  void exec(const std::string& sql) { ASSERT_TRUE(db_->exec(sql).isOk()) << sql; }

  TempDir dir_;
  TestStore store_{dir_ / "abm.db", store::Backend::Sqlite};
  std::unique_ptr<store::Database> db_;
};

}  // namespace

TEST_F(KpiLoader, ReadsTheStoreAsOfTheRun) {
  auto in = metrics::loadKpiInput(*db_, kAsOf);
  ASSERT_TRUE(in) << in.error();
  ASSERT_EQ(in->accounts.size(), 2u);
  EXPECT_TRUE(in->accounts[1].is_target);  // through the target list
  EXPECT_EQ(in->accounts[1].tier, "growth");
  EXPECT_EQ(in->accounts[0].tier, "strategic");

  ASSERT_EQ(in->opportunities.size(), 3u);  // o4 was created at as_of: not yet
  const auto& won = in->opportunities[0];
  EXPECT_EQ(won.type, "renewal");
  EXPECT_TRUE(won.won && won.closed);
  EXPECT_EQ(won.closed_at, parseTimestamp("2026-10-11T00:00:00Z"));
  const auto& lost = in->opportunities[1];
  EXPECT_EQ(lost.account, 0);
  EXPECT_EQ(lost.amount, std::nullopt);
  EXPECT_EQ(lost.closed_at, lost.created);  // closed without closed_at: dated at its creation
  const auto& open = in->opportunities[2];
  EXPECT_FALSE(open.closed);
  EXPECT_EQ(open.closed_at, std::nullopt);
  EXPECT_EQ(open.probability, 0.4);
  EXPECT_EQ(open.stage, "proposal");
  EXPECT_EQ(open.expected_close, parseTimestamp("2026-12-01T00:00:00Z"));

  // Account 1 became aware in October (period 13) and then mqa, past engaged.
  ASSERT_EQ(in->funnel.size(), 1u);
  EXPECT_EQ(in->funnel[0].account, 1);
  EXPECT_EQ(in->funnel[0].entered[0], uint32_t{1} << 13 | 1 << 0 | 1 << 1 | 1 << 15);  // 2026-10, last_90d, last_365d, qtd
  EXPECT_EQ(in->funnel[0].reached[0], in->funnel[0].entered[0]);
  EXPECT_EQ(in->funnel[0].entered[1], 0u);  // never entered engaged
  ASSERT_EQ(in->ad_spend.size(), 3u);
  EXPECT_EQ(in->ad_spend[0].day, parseTimestamp("2026-10-01"));
  EXPECT_EQ(in->ad_spend[1].cost, 7);  // by date, then source and campaign
  ASSERT_EQ(in->surveys.size(), 1u);   // r2 was answered at as_of
  EXPECT_EQ(in->surveys[0].score, 9);

  // October (period 13): account 1 touched by both its contacts, one with a role.
  std::vector<std::string> october;
  for (const auto& c : in->coverage)
    if (c.period == 13) october.push_back(std::to_string(c.account) + ":" + std::to_string(c.contacts) + "/" +
                                          std::to_string(c.roles));
  EXPECT_EQ(october, std::vector<std::string>{"1:2/1"});
}

TEST_F(KpiLoader, ATimeTheStoreShouldNeverHoldIsAnErrorNamingItsColumn) {
  exec("UPDATE opportunities SET expected_close_at = 'soon' WHERE opportunity_id = 3");
  auto in = metrics::loadKpiInput(*db_, kAsOf);
  ASSERT_FALSE(in);
  EXPECT_EQ(in.error(), "KPIs: opportunities.expected_close_at holds 'soon', not a time");
}
