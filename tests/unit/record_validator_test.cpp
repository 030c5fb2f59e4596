#include <gtest/gtest.h>

#include "pipeline/record_validator.hpp"
#include "wire/protocol.hpp"

using namespace abm;
using namespace abm::pipeline;

namespace {
struct Check {
  std::string line;  // the row's text points into it
  wire::MessageParser parser;
  Row row;
  std::string error;
  bool ok(Entity e, const std::string& data) {
    line = R"({"type":"RECORD","record":{"stream":"s","data":)" + data + "}}";
    EXPECT_TRUE(parser.parse(line)) << parser.error;
    return validateRecord(e, parser.record.fields, row, error);
  }
  std::string text(int slot) { return std::string(row[slot].text); }
};
}  // namespace

TEST(RecordValidator, NormalizesAndCoerces) {
  Check c;
  ASSERT_TRUE(c.ok(Entity::Accounts, R"({"external_id":"a1","name":"Acme","domain":"https://WWW.Acme.com/x",
      "employee_count":"1200","annual_revenue":"2.5e6","is_target":"yes","created_at":"2024-03-01 10:00:00+01:00"})"))
      << c.error;
  EXPECT_EQ(c.text(account_slot::Domain), "acme.com");
  EXPECT_EQ(c.row[account_slot::EmployeeCount].i, 1200);
  EXPECT_DOUBLE_EQ(c.row[account_slot::AnnualRevenue].d, 2.5e6);
  EXPECT_EQ(c.row[account_slot::IsTarget].i, 1);
  EXPECT_EQ(c.text(account_slot::CreatedAt), "2024-03-01T09:00:00Z");
  EXPECT_TRUE(c.row[account_slot::Industry].isNull());
}

TEST(RecordValidator, TouchpointEnumsEmailAndProperties) {
  Check c;
  ASSERT_TRUE(c.ok(Entity::Touchpoints, R"({"external_id":"t1","email":"Jane@ACME.com","channel":"Web",
      "activity":"page_view","occurred_at":"2024-03-01","properties":{"url":"/pricing"}})"))
      << c.error;
  EXPECT_EQ(c.text(touchpoint_slot::Email), "jane@acme.com");
  EXPECT_EQ(c.text(touchpoint_slot::Channel), "web");
  EXPECT_EQ(c.text(touchpoint_slot::Properties), R"({"url":"/pricing"})");
  ASSERT_TRUE(c.ok(Entity::Touchpoints, R"({"external_id":"t2","channel":"ads","activity":"ad_click",
      "occurred_at":"2024-03-01","properties":"{\"a\":1}"})")) << c.error;
}

TEST(RecordValidator, OpportunityProbabilityPercentAndAmountString) {
  Check c;
  ASSERT_TRUE(c.ok(Entity::Opportunities, R"({"external_id":"o1","amount":"12500.50","probability":75,
      "type":"renewal","created_at":"2024-01-01","is_won":false})")) << c.error;
  EXPECT_DOUBLE_EQ(c.row[opportunity_slot::Amount].d, 12500.5);
  EXPECT_DOUBLE_EQ(c.row[opportunity_slot::Probability].d, 0.75);
}

TEST(RecordValidator, SaysWhatIsWrong) {
  Check c;
  struct Case {
    Entity e;
    const char* data;
    const char* expect;
  } cases[] = {
      {Entity::Touchpoints, R"({"external_id":"t","channel":"web","activity":"teleport","occurred_at":"2024-01-01"})",
       "field 'activity': expected one of email_send"},
      {Entity::Touchpoints, R"({"external_id":"t","channel":"fax","activity":"call","occurred_at":"2024-01-01"})",
       "field 'channel': expected one of email, ads"},
      {Entity::Touchpoints, R"({"external_id":"t","channel":"web","activity":"call"})",
       "missing required field 'occurred_at'"},
      {Entity::Touchpoints, R"({"external_id":"t","channel":"web","activity":"call","occurred_at":"last tuesday"})",
       "field 'occurred_at': expected an ISO-8601 timestamp"},
      {Entity::Accounts, R"({"external_id":"a","name":"A","employee_count":"many"})",
       "field 'employee_count': expected a whole number, got \"many\""},
      {Entity::Accounts, R"({"external_id":"a","domain":"not a domain"})", "field 'domain': expected a domain"},
      {Entity::Accounts, R"({"external_id":"a"})", "an account needs a name or a domain"},
      {Entity::Accounts, R"({"external_id":"a","name":"A","colour":"red"})", "unknown field 'colour' for accounts"},
      {Entity::Contacts, R"({"external_id":"c","email":"jane.acme.com"})", "field 'email': expected an email"},
      {Entity::Opportunities, R"({"external_id":"o","created_at":"2024-01-01","type":"upsell"})",
       "expected one of new_business, expansion, renewal"},
      {Entity::Opportunities, R"({"external_id":"o","created_at":"2024-01-01","probability":140})",
       "field 'probability'"},
      {Entity::AdSpend, R"({"campaign_external_id":"c","date":"2024-01-01","cost":true})", "field 'cost': expected a number"},
      {Entity::Touchpoints, R"({"external_id":"t","channel":"web","activity":"call","occurred_at":"2024-01-01","properties":"[1]"})",
       "field 'properties': expected a JSON object"},
  };
  for (const auto& k : cases) {
    EXPECT_FALSE(c.ok(k.e, k.data)) << k.data;
    EXPECT_NE(c.error.find(k.expect), std::string::npos) << "got: " << c.error;
  }
}

TEST(RecordValidator, EmptyStringMeansUnknown) {
  Check c;
  ASSERT_TRUE(c.ok(Entity::Accounts, R"({"external_id":"a","name":"A","employee_count":"","domain":""})")) << c.error;
  EXPECT_TRUE(c.row[account_slot::EmployeeCount].isNull());
  EXPECT_TRUE(c.row[account_slot::Domain].isNull());
}

namespace {

TEST(RecordValidator, ADeletionNeedsOnlyItsExternalId) {
  Check c;
  ASSERT_TRUE(c.ok(Entity::Opportunities, R"({"external_id":"o1","_deleted":true})")) << c.error;  // no created_at
  EXPECT_TRUE(c.row.deleted);
  EXPECT_EQ(c.text(0), "o1");
  ASSERT_TRUE(c.ok(Entity::Accounts, R"({"external_id":"a1","name":"A","_deleted":false})")) << c.error;
  EXPECT_FALSE(c.row.deleted);
  ASSERT_TRUE(c.ok(Entity::Accounts, R"({"external_id":"a1","name":"A"})"));
  EXPECT_FALSE(c.row.deleted);  // not left over from an earlier row

  EXPECT_FALSE(c.ok(Entity::Contacts, R"({"_deleted":true})"));
  EXPECT_NE(c.error.find("a deletion needs its 'external_id'"), std::string::npos) << c.error;
  EXPECT_FALSE(c.ok(Entity::AdSpend, R"({"campaign_external_id":"k","date":"2024-01-01","_deleted":true})"));
  EXPECT_NE(c.error.find("ad_spend rows cannot be deleted"), std::string::npos) << c.error;
  EXPECT_FALSE(c.ok(Entity::Contacts, R"({"external_id":"c","_deleted":"soon"})"));
  EXPECT_NE(c.error.find("field '_deleted': expected true or false"), std::string::npos) << c.error;
}

}  // namespace
