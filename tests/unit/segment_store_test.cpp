// Segments and account lists on a hand-made store, on the backend under test
// (SegmentStoreTest.*/postgresql runs them on PostgreSQL): members of saved segments, effective
// target flags and tiers through account_targeting, and lists imported, replaced and deleted.
#include <gtest/gtest.h>

#include "common/timestamp.hpp"
#include "segments/account_lists.hpp"
#include "segments/filter_parser.hpp"
#include "segments/list_matching.hpp"
#include "segments/segment_members.hpp"
#include "segments/segment_store.hpp"
#include "test_support.hpp"

using namespace abm;
using namespace abm::segments;

namespace {

constexpr int64_t kAsOf = 1735689600;  // 2025-01-01T00:00:00Z

class SegmentStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = store_.open();
    ASSERT_TRUE(db_);
    // 1: a software target in the US with a champion of long standing; 2: fintech in DE, on a list
    // later; 3: retail, no stage, a contact whose created_at abmd made up; 4: no columns at all.
    ASSERT_TRUE(db_->exec(R"(
      INSERT INTO accounts(account_id, name, domain, registrable_domain, industry, employee_count, annual_revenue,
                           country, is_target, tier, created_at, updated_at, properties) VALUES
        (1, 'Acme Inc', 'acme.com', 'acme.com', 'Software', 300, 5000000, 'US', TRUE, 'Tier 1',
         '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z', '{"technologies": ["Salesforce", "Slack"], "hiring": {"open_roles": 4}}'),
        (2, 'Beta GmbH', 'eu.beta.de', 'beta.de', 'Fintech', 1200, NULL, 'DE', FALSE, NULL,
         '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z', '{"technologies": ["HubSpot"]}'),
        (3, 'Gamma', 'gamma.io', 'gamma.io', 'Retail', 50, NULL, 'US', FALSE, NULL,
         '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z', '{}'),
        (4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, FALSE, NULL,
         '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z', '{}');
      INSERT INTO account_stages(account_id, stage, since) VALUES
        (1, 'opportunity', '2024-06-01T00:00:00Z'), (2, 'engaged', '2024-06-01T00:00:00Z'),
        (4, 'unaware', '2024-06-01T00:00:00Z');
      INSERT INTO account_engagement(account_id, as_of, score, touchpoints, engaged_contacts, channels, score_prev_window)
        VALUES (1, '2024-12-31T00:00:00Z', 55.5, 10, 2, 3, 20), (2, '2024-12-31T00:00:00Z', 12, 3, 1, 1, 0);
      INSERT INTO contacts(contact_id, account_id, source, external_id, title, buying_role, created_at, updated_at,
                           created_at_known) VALUES
        (1, 1, 'crm', 'c1', 'Head of RevOps', 'champion', '2023-01-01T00:00:00Z', '2024-01-01T00:00:00Z', TRUE),
        (2, 1, 'crm', 'c2', 'VP Sales', 'decision_maker', '2024-11-01T00:00:00Z', '2024-11-01T00:00:00Z', TRUE),
        (3, 3, 'crm', 'c3', 'Buyer', 'champion', '2020-01-01T00:00:00Z', '2024-01-01T00:00:00Z', FALSE),
        (4, NULL, 'crm', 'c4', 'Lost', 'champion', '2020-01-01T00:00:00Z', '2024-01-01T00:00:00Z', TRUE);
    )"));
  }

  std::vector<int64_t> members(const std::string& filter) {
    auto e = parseFilter(filter);
    EXPECT_TRUE(e) << e.error();
    if (!e) return {};
    auto ids = matchingAccounts(*db_, *e, kAsOf);
    EXPECT_TRUE(ids) << ids.error();
    return ids ? *ids : std::vector<int64_t>{};
  }

  test::TempDir tmp_;
  test::TestStore store_{tmp_ / "abm.db"};
  std::unique_ptr<store::Database> db_;
};

using Ids = std::vector<int64_t>;

TEST_F(SegmentStoreTest, FiltersSeeColumnsPropertiesStagesEngagementAndContacts) {
  EXPECT_EQ(members(R"(industry in ("Software","Fintech") and employee_count between 200 and 5000 and country = "US" and )"
                    R"(properties.technologies contains "Salesforce" and stage >= engaged)"),
            Ids{1});
  EXPECT_EQ(members("stage >= engaged"), (Ids{1, 2}));
  EXPECT_EQ(members("stage is null"), Ids{3});
  EXPECT_EQ(members("engagement > 10"), (Ids{1, 2}));
  EXPECT_EQ(members("engagement = 0"), (Ids{3, 4}));
  EXPECT_EQ(members("properties.hiring.open_roles >= 4 or properties.technologies contains hubspot"), (Ids{1, 2}));
  EXPECT_EQ(members("annual_revenue exists"), Ids{1});
  EXPECT_EQ(members("name is null"), Ids{4});
  EXPECT_EQ(members("domain contains '.de'"), Ids{2});
  // Contact 1 has been champion for 24 months as of 2025-01-01; contact 3's time is unknown (its
  // created_at is abmd's), and contact 4 belongs to no account.
  EXPECT_EQ(members("contact.buying_role = champion"), (Ids{1, 3}));
  EXPECT_EQ(members("contact.buying_role = champion and contact.months_in_role >= 24"), Ids{1});
  EXPECT_EQ(members("contact.months_in_role is null"), Ids{3});
  EXPECT_EQ(members("contact.title contains vp and contact.months_in_role < 3"), Ids{1});
  EXPECT_EQ(members("not contact.buying_role exists"), (Ids{2, 4}));
}

TEST_F(SegmentStoreTest, SavedSegmentsAndTheirMembers) {
  ASSERT_TRUE(saveSegment(*db_, "us", "country = US", IfExists::Refuse));
  ASSERT_TRUE(saveSegment(*db_, "champions", "contact.buying_role = champion", IfExists::Refuse));
  ASSERT_TRUE(saveSegment(*db_, "none", "employee_count > 100000", IfExists::Refuse));
  auto all = savedSegmentMembers(*db_, kAsOf);
  ASSERT_TRUE(all) << all.error();
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].name, "champions");
  EXPECT_EQ((*all)[0].account_ids, (Ids{1, 3}));
  EXPECT_EQ((*all)[1].name, "none");
  EXPECT_EQ((*all)[1].account_ids, Ids{});
  EXPECT_EQ((*all)[2].name, "us");
  EXPECT_EQ((*all)[2].account_ids, (Ids{1, 3}));

  // A duplicate is refused; --replace changes the filter and keeps created_at.
  auto dup = saveSegment(*db_, "us", "country = DE", IfExists::Refuse);
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.message(), "segment 'us' exists already (filter: country = US); use --replace to change it");
  auto before = findSegment(*db_, "us");
  ASSERT_TRUE(before && *before);
  ASSERT_TRUE(saveSegment(*db_, "us", "country = DE", IfExists::Replace));
  auto after = findSegment(*db_, "us");
  ASSERT_TRUE(after && *after);
  EXPECT_EQ((*after)->filter, "country = DE");
  EXPECT_EQ((*after)->created_at, (*before)->created_at);

  // Nothing is written for a filter that does not parse or a name that cannot be carried.
  auto bad = saveSegment(*db_, "x", "country =", IfExists::Refuse);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.message(), "filter:1:10: expected a value after '=', found the end of the filter");
  EXPECT_FALSE(saveSegment(*db_, "a/b", "country = US", IfExists::Refuse));
  EXPECT_FALSE(saveSegment(*db_, "", "country = US", IfExists::Refuse));
  auto listed = listSegments(*db_);
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->size(), 3u);

  auto gone = deleteSegment(*db_, "none");
  ASSERT_TRUE(gone);
  EXPECT_TRUE(*gone);
  auto again = deleteSegment(*db_, "none");
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again);
}

TEST_F(SegmentStoreTest, ASavedFilterThatNoLongerParsesIsAnErrorNamingIt) {
  ASSERT_TRUE(db_->exec("INSERT INTO segments(name, filter, created_at, updated_at) VALUES"
                        " ('fine', 'country = US', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z'),"
                        " ('old', 'region = EMEA', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z')"));
  auto all = savedSegmentMembers(*db_, kAsOf);
  ASSERT_FALSE(all);
  EXPECT_EQ(all.error().rfind("saved segment 'old' has a filter that does not parse: filter:1:1: unknown field 'region'", 0),
            0u)
      << all.error();
}

TEST_F(SegmentStoreTest, ATargetListMakesTargetsAndGivesTiersWhereTheSourceHasNone) {
  EXPECT_EQ(members("is_target = true"), Ids{1});
  ASSERT_TRUE(replaceList(*db_, "abm-2025", true, std::string("Tier 2"), {{2, "domain"}, {1, "name"}, {2, "name"}}));
  EXPECT_EQ(members("is_target = true"), (Ids{1, 2}));
  // Account 1 keeps its source's tier; account 2 takes the list's.
  EXPECT_EQ(members("tier = 'tier 1'"), Ids{1});
  EXPECT_EQ(members("tier = 'tier 2'"), Ids{2});
  auto lists = listLists(*db_);
  ASSERT_TRUE(lists);
  ASSERT_EQ(lists->size(), 1u);
  EXPECT_EQ((*lists)[0].members, 2);
  EXPECT_TRUE((*lists)[0].is_target);
  EXPECT_EQ((*lists)[0].tier, std::optional<std::string>("Tier 2"));

  // Importing the same name again replaces members, flag and tier.
  ASSERT_TRUE(replaceList(*db_, "abm-2025", false, std::nullopt, {{3, "domain"}}));
  EXPECT_EQ(members("is_target = true"), Ids{1});
  EXPECT_EQ(members("tier exists"), Ids{1});
  auto found = findList(*db_, "abm-2025");
  ASSERT_TRUE(found && *found);
  auto shown = listMembers(*db_, (*found)->list_id);
  ASSERT_TRUE(shown);
  ASSERT_EQ(shown->size(), 1u);
  EXPECT_EQ((*shown)[0].account_id, 3);
  EXPECT_EQ((*shown)[0].name, "Gamma");
  EXPECT_EQ((*shown)[0].matched_by, "domain");

  auto gone = deleteList(*db_, "abm-2025");
  ASSERT_TRUE(gone);
  EXPECT_TRUE(*gone);
  EXPECT_EQ(test::queryText(db_->location(), "SELECT count(*) FROM account_list_members"), "0");
  auto again = deleteList(*db_, "abm-2025");
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again);
}

TEST_F(SegmentStoreTest, TheAccountIndexReadsNamesAndRegistrableDomains) {
  auto index = AccountIndex::load(*db_);
  ASSERT_TRUE(index) << index.error();
  const auto suffixes = pipeline::PublicSuffixList::fromRules("com\nde\nio\n");
  EXPECT_EQ(index->match("", "https://www.beta.de/en", suffixes).account_ids, Ids{2});
  EXPECT_EQ(index->match("ACME, Inc.", "", suffixes).account_ids, Ids{1});
}

}  // namespace
