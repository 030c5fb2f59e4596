// The segment filter language without a store: what parses (the issue's example included), where
// parse errors point, and how a parsed filter judges hand-made accounts and their contacts.
#include <gtest/gtest.h>

#include "metrics/journey.hpp"
#include "segments/filter_eval.hpp"
#include "segments/filter_fields.hpp"
#include "segments/filter_parser.hpp"

using namespace abm;
using namespace abm::segments;

namespace {

std::string parseError(const std::string& filter) {
  auto e = parseFilter(filter);
  if (e) return "(parsed)";
  return e.error();
}

TEST(SegmentFilterParse, TheIssuesExampleParses) {
  auto e = parseFilter(
      R"(industry in ("Software","Fintech") and employee_count between 200 and 5000 and country = "US" and )"
      R"(properties.technologies contains "Salesforce" and stage >= engaged)");
  ASSERT_TRUE(e) << e.error();
  ASSERT_EQ(e->kind, Expr::Kind::And);
  ASSERT_EQ(e->children.size(), 5u);
  EXPECT_EQ(e->children[0].op, Op::In);
  EXPECT_EQ(e->children[0].values, (std::vector<nlohmann::json>{"Software", "Fintech"}));
  EXPECT_EQ(e->children[1].op, Op::Between);
  EXPECT_EQ(e->children[1].values, (std::vector<nlohmann::json>{200.0, 5000.0}));
  EXPECT_EQ(e->children[3].field.kind, FieldKind::Property);
  EXPECT_EQ(e->children[3].field.path, (std::vector<std::string>{"technologies"}));
  EXPECT_EQ(e->children[4].field.kind, FieldKind::Stage);
  EXPECT_EQ(e->children[4].values[0], 3);  // engaged's position
}

TEST(SegmentFilterParse, EveryOperatorAndGrouping) {
  for (const char* good :
       {"name = 'Acme'", "domain != acme.com", "employee_count < 10", "employee_count <= 10", "annual_revenue > 1.5",
        "engagement >= -2", "country not in (US, \"DE\")", "employee_count not between 1 and 2",
        "name contains acme", "name not contains acme", "tier exists", "tier is null", "tier is not null",
        "is_target = true", "not (is_target = false or stage < aware)", "INDUSTRY = x AND (a.b = 1) = 1",
        "properties.hiring.open_roles > 3", "contact.buying_role = champion and contact.months_in_role >= 6",
        "contact.title contains \"VP\"", "stage between aware and mqa", "country == 'US'",
        "properties.x = 'it\\'s'"}) {
    auto e = parseFilter(good);
    // "a.b" is no field: the one refusal in the list, checked for its place.
    if (std::string(good).find("a.b") != std::string::npos) {
      ASSERT_FALSE(e);
      EXPECT_EQ(e.error().rfind("filter:1:19: unknown field 'a.b'", 0), 0u) << e.error();
      continue;
    }
    EXPECT_TRUE(e) << good << ": " << e.error();
  }
}

TEST(SegmentFilterParse, AndBindsTighterThanOr) {
  auto e = parseFilter("country = US or country = DE and tier = A");
  ASSERT_TRUE(e);
  ASSERT_EQ(e->kind, Expr::Kind::Or);
  EXPECT_EQ(e->children[1].kind, Expr::Kind::And);
}

TEST(SegmentFilterParse, ErrorsNameTheColumnAndWhatWasExpected) {
  EXPECT_EQ(parseError("industry = \"Software\" and employee_count between and 5000"),
            "filter:1:50: expected a value after 'between', found 'and'");
  EXPECT_EQ(parseError("employee_count between 200 5000"),
            "filter:1:28: expected 'and' between the two bounds of 'between', found '5000'");
  EXPECT_EQ(parseError("industri = x"),
            "filter:1:1: unknown field 'industri'; the fields are name, domain, industry, employee_count, "
            "annual_revenue, country, tier, is_target, stage, engagement, contact.buying_role, contact.title, "
            "contact.months_in_role, properties.<key>[.<key>...]");
  EXPECT_EQ(parseError("country = US and"), "filter:1:17: expected a condition after 'and', found the end of the filter");
  EXPECT_EQ(parseError("country US"), "filter:1:9: expected an operator after 'country' (=, !=, <, <=, >, >=, in, not in, "
                                      "between, not between, contains, not contains, exists, is null, is not null), "
                                      "found 'US'");
  EXPECT_EQ(parseError("(country = US"), "filter:1:14: expected ')' to close the '(' at 1:1, found the end of the filter");
  EXPECT_EQ(parseError("country in (US, )"), "filter:1:17: expected a value after ',', found ')'");
  EXPECT_EQ(parseError("country in US"), "filter:1:12: expected '(' after 'in', found 'US'");
  EXPECT_EQ(parseError("name = \"Acme"), "filter:1:8: a string opened here is never closed (missing \")");
  EXPECT_EQ(parseError("stage >= hot"),
            "filter:1:10: 'hot' is not a stage; the stages are unaware, target, aware, engaged, mqa, opportunity, customer");
  EXPECT_EQ(parseError("employee_count > many"), "filter:1:18: 'employee_count' holds numbers, found 'many'");
  EXPECT_EQ(parseError("is_target = yes"), "filter:1:13: 'is_target' is true or false, found 'yes'");
  EXPECT_EQ(parseError("employee_count contains 5"),
            "filter:1:16: 'contains' does not apply to 'employee_count', which is a number");
  EXPECT_EQ(parseError("country = US US"), "filter:1:14: expected 'and', 'or' or the end of the filter, found 'US'");
  EXPECT_EQ(parseError("country = US;"), "filter:1:13: unexpected character ';'");
  EXPECT_EQ(parseError("tier is empty"), "filter:1:9: expected 'null' after 'is', found 'empty'");
  EXPECT_EQ(parseError("country ! = US"), "filter:1:9: '!' must be followed by '=' (use 'not' to negate)");
  EXPECT_EQ(parseError("  "), "filter:1:1: the filter is empty; expected a condition such as country = \"US\"");
  EXPECT_EQ(parseError("properties. = 1").rfind("filter:1:1: unknown field 'properties.'", 0), 0u);
  EXPECT_EQ(parseError("employee_count > 12abc"),
            "filter:1:18: '12a...' is neither a number nor a name; quote text that starts with a digit");
}

TEST(SegmentFilterParse, NestingIsBounded) {
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += "not ";
  EXPECT_TRUE(parseFilter(deep.substr(4) + "country = US")) << "99 levels and a condition";
  EXPECT_EQ(parseError(std::string(5000, '(') + "country = US"),
            "filter:1:101: the filter nests deeper than 100 levels of 'not' and '('");
}

TEST(SegmentFilterParse, LinesAndColumnsCountCharacters) {
  // A second line, and a two-byte character before the mistake: columns count characters.
  EXPECT_EQ(parseError("country = US and\n  name = \"Zürich\" and tier >"),
            "filter:2:29: expected a value after '>', found the end of the filter");
}

TEST(SegmentFilterParse, StagesAreTheJourneysInItsOrder) {
  ASSERT_EQ(std::size(kStageOrder), std::size(metrics::kStageNames));
  for (size_t i = 0; i < std::size(kStageOrder); ++i) EXPECT_EQ(kStageOrder[i], metrics::kStageNames[i]);
}

// Accounts made by hand for evaluation.
class SegmentFilterEval : public ::testing::Test {
 protected:
  bool match(const std::string& filter, const AccountFacts& a) {
    auto e = parseFilter(filter);
    EXPECT_TRUE(e) << filter << ": " << e.error();
    return e && matches(*e, a);
  }
  AccountFacts acme() {
    AccountFacts a;
    a.account_id = 1;
    a.name = "Acme Inc";
    a.domain = "acme.com";
    a.industry = "Software";
    a.country = "US";
    a.employee_count = 300;
    a.annual_revenue = 5e6;
    a.tier = "Tier 1";
    a.is_target = true;
    a.stage = 3;  // engaged
    a.engagement = 42.5;
    a.properties = nlohmann::json::parse(R"({"technologies": ["Salesforce", "HubSpot"], "hiring": {"open_roles": 4},
                                             "funding": "Series B"})");
    a.contacts = &contacts_;
    return a;
  }
  AccountFacts bare() {
    AccountFacts a;
    a.account_id = 2;
    a.contacts = &none_;
    return a;
  }
  std::vector<ContactFacts> contacts_ = {{"champion", "Head of Ops", 2.0}, {"decision_maker", "VP Sales", 14.0}};
  std::vector<ContactFacts> none_;
};

TEST_F(SegmentFilterEval, TheIssuesExample) {
  const std::string f =
      R"(industry in ("Software","Fintech") and employee_count between 200 and 5000 and country = "US" and )"
      R"(properties.technologies contains "Salesforce" and stage >= engaged)";
  EXPECT_TRUE(match(f, acme()));
  auto small = acme();
  small.employee_count = 199;
  EXPECT_FALSE(match(f, small));
  auto early = acme();
  early.stage = 2;  // aware
  EXPECT_FALSE(match(f, early));
  auto other_stack = acme();
  other_stack.properties["technologies"] = nlohmann::json::array({"Marketo"});
  EXPECT_FALSE(match(f, other_stack));
}

TEST_F(SegmentFilterEval, TextIgnoresAsciiCaseAndNumbersCompareByValue) {
  const auto a = acme();
  EXPECT_TRUE(match("industry = software", a));
  EXPECT_TRUE(match("name contains 'ACME'", a));
  EXPECT_TRUE(match("tier in ('tier 1', 'tier 2')", a));
  EXPECT_TRUE(match("country < 'v' and country > 'T'", a));
  EXPECT_TRUE(match("employee_count = 300.0 and annual_revenue >= 5000000", a));
  EXPECT_FALSE(match("employee_count != 300", a));
  EXPECT_TRUE(match("engagement between 42 and 43", a));
  EXPECT_TRUE(match("engagement not between 0 and 42", a));
  EXPECT_TRUE(match("is_target = true", a));
  EXPECT_TRUE(match("stage between target and mqa and stage != mqa and stage > aware", a));
  EXPECT_FALSE(match("stage = customer", a));
}

TEST_F(SegmentFilterEval, PropertiesByPathArraysAndKinds) {
  const auto a = acme();
  EXPECT_TRUE(match("properties.hiring.open_roles >= 4", a));
  EXPECT_FALSE(match("properties.hiring.open_roles > 4", a));
  EXPECT_TRUE(match("properties.technologies contains hubspot", a));
  EXPECT_TRUE(match("properties.technologies not contains marketo", a));
  EXPECT_TRUE(match("properties.funding contains 'series'", a));
  EXPECT_TRUE(match("properties.technologies exists and properties.nothing is null", a));
  EXPECT_FALSE(match("properties.technologies = 'Salesforce'", a));  // an array equals no single value
  EXPECT_FALSE(match("properties.funding > 3", a));                   // text and a number do not compare
  EXPECT_FALSE(match("properties.hiring.open_roles.x exists", a));
}

TEST_F(SegmentFilterEval, AMissingValueFailsEveryComparisonButNullTests) {
  const auto b = bare();
  EXPECT_FALSE(match("country = US", b));
  EXPECT_FALSE(match("country != US", b));
  EXPECT_FALSE(match("country not in (US)", b));
  EXPECT_FALSE(match("name not contains x", b));
  EXPECT_TRUE(match("not country = US", b));
  EXPECT_TRUE(match("country is null and tier is null and stage is null", b));
  EXPECT_FALSE(match("stage exists", b));
  EXPECT_TRUE(match("engagement = 0 and is_target = false", b));
}

TEST_F(SegmentFilterEval, ContactConditionsAskForOneContactThatMeetsThemAll) {
  const auto a = acme();
  EXPECT_TRUE(match("contact.buying_role = champion", a));
  EXPECT_TRUE(match("contact.title contains vp and contact.months_in_role >= 12", a));
  // The champion is 2 months in role, the VP 14: no one contact is both.
  EXPECT_FALSE(match("contact.buying_role = champion and contact.months_in_role >= 12", a));
  // Joined through an account condition, each contact condition stands alone.
  EXPECT_TRUE(match("country = US and contact.buying_role = champion and contact.months_in_role >= 12", a));
  // `not` over a contact part: no contact at all meets it.
  EXPECT_FALSE(match("not contact.buying_role = champion", a));
  EXPECT_TRUE(match("not contact.buying_role = economic_buyer", a));
  // Inside one contact's part, `not` is about that contact.
  EXPECT_TRUE(match("contact.buying_role = champion and not contact.title contains vp", a));
  EXPECT_FALSE(match("contact.buying_role exists", bare()));
  EXPECT_TRUE(match("not contact.buying_role exists", bare()));
}

TEST(SegmentFilterFacts, MonthsInRoleAreWholeMeanMonths) {
  const int64_t day = 86400;
  EXPECT_EQ(monthsBetween(0, 30 * day), 0.0);
  EXPECT_EQ(monthsBetween(0, 31 * day), 1.0);
  EXPECT_EQ(monthsBetween(0, 365 * day), 11.0);
  EXPECT_EQ(monthsBetween(0, 366 * day), 12.0);
}

}  // namespace
