#include <gtest/gtest.h>

#include "common/utf8.hpp"
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
      {Entity::Touchpoints, R"({"external_id":"t","channel":"web","activity":"call","occurred_at":"2024-03-01 12:00:00"})",
       "field 'occurred_at': expected an ISO-8601 timestamp with its zone like 2024-03-01T12:00:00Z or +02:00; a time "
       "without one is refused, not taken as UTC"},
      {Entity::Accounts, R"({"external_id":"a","name":"A","created_at":"2024-03-01T12:00:00.5"})",
       "field 'created_at': expected an ISO-8601 timestamp with its zone"},
      {Entity::Accounts, R"({"external_id":"a","name":"A","employee_count":"many"})",
       "field 'employee_count': expected a whole number of 0 or more, got \"many\""},
      {Entity::Accounts, R"({"external_id":"a","domain":"not a domain"})", "field 'domain': expected a domain"},
      {Entity::Accounts, R"({"external_id":"a"})", "an account needs a name or a domain"},
      {Entity::Accounts, R"({"external_id":"a","name":"A","colour":"red"})", "unknown field 'colour' for accounts"},
      {Entity::Contacts, R"({"external_id":"c","email":"jane.acme.com"})", "field 'email': expected an email"},
      {Entity::Opportunities, R"({"external_id":"o","created_at":"2024-01-01","type":"upsell"})",
       "expected one of new_business, expansion, renewal"},
      {Entity::Opportunities, R"({"external_id":"o","created_at":"2024-01-01","probability":140})",
       "field 'probability'"},
      {Entity::AdSpend, R"({"campaign_external_id":"c","date":"2024-01-01","cost":true})", "field 'cost': expected an amount"},
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

namespace {

bool validUtf8(std::string_view s) { return invalidUtf8At(s) == std::string_view::npos; }

// A record whose data is `data` with raw bytes spliced in (R"()" literals cannot hold them).
std::string with(const std::string& before, const std::string& bytes, const std::string& after) {
  return before + bytes + after;
}

TEST(RecordValidator, IllFormedUtf8InFreeTextBecomesReplacementCharacters) {
  Check c;
  // Latin-1 "Müller" (0xFC alone), a truncated 3-byte sequence, an overlong '/', a NUL and two lone
  // surrogate escapes: each ill-formed part becomes one U+FFFD.
  ASSERT_TRUE(c.ok(Entity::Contacts, with(R"({"external_id":"c1","last_name":"M)", "\xFC",
                                          R"(ller","first_name":")" "\xE2\x82" R"(x","title":"a)" "\xC0\xAF"
                                          R"(b\u0000c","buying_role":"\udc00\ud800z"})")))
      << c.error;
  EXPECT_EQ(c.text(contact_slot::LastName), "M\xEF\xBF\xBDller");
  EXPECT_EQ(c.text(contact_slot::FirstName), "\xEF\xBF\xBDx");
  EXPECT_EQ(c.text(contact_slot::Title), "a\xEF\xBF\xBD\xEF\xBF\xBD" "b\xEF\xBF\xBD" "c");
  std::string six;  // each lone surrogate is 3 bytes, each byte a maximal ill-formed subpart
  for (int i = 0; i < 6; ++i) six += "\xEF\xBF\xBD";
  EXPECT_EQ(c.text(contact_slot::BuyingRole), six + "z");
  // Well-formed text, including a surrogate pair, is stored as sent.
  ASSERT_TRUE(c.ok(Entity::Contacts, R"({"external_id":"c2","last_name":"Müller \ud83d\ude00"})")) << c.error;
  EXPECT_EQ(c.text(contact_slot::LastName), "Müller \xF0\x9F\x98\x80");
  // A properties object keeps its JSON shape: bad bytes can only be inside its strings.
  ASSERT_TRUE(c.ok(Entity::Touchpoints, with(R"({"external_id":"t1","channel":"web","activity":"page_view",)"
                                             R"("occurred_at":"2024-03-01","properties":{"q":")", "\xFF", R"("}})")))
      << c.error;
  EXPECT_EQ(c.text(touchpoint_slot::Properties), "{\"q\":\"\xEF\xBF\xBD\"}");
}

TEST(RecordValidator, IdentifiersWithBadBytesOrNulAreRefusedNotRepaired) {
  Check c;
  // Repairing would make "a\xFF" and "a\xFE" one record; cutting at the NUL would make "a\0b" "a".
  const std::pair<std::string, std::string> cases[] = {
      {with(R"({"external_id":"a)", "\xFF", R"(","name":"A"})"), "field 'external_id': not valid UTF-8, got \"a\xEF\xBF\xBD\""},
      {R"({"external_id":"a\u0000b","name":"A"})", "field 'external_id': contains a NUL character"},
      {R"({"external_id":"a\udc00","name":"A"})", "field 'external_id': not valid UTF-8"},
  };
  for (const auto& [data, expect] : cases) {
    EXPECT_FALSE(c.ok(Entity::Accounts, data)) << data;
    EXPECT_NE(c.error.find(expect), std::string::npos) << c.error;
    EXPECT_TRUE(validUtf8(c.error)) << c.error;
  }
  EXPECT_FALSE(c.ok(Entity::Touchpoints, with(R"({"external_id":"t","contact_external_id":"c)", "\xC3",
                                              R"(","channel":"web","activity":"call","occurred_at":"2024-01-01"})")));
  EXPECT_NE(c.error.find("field 'contact_external_id': not valid UTF-8"), std::string::npos) << c.error;
  EXPECT_FALSE(c.ok(Entity::Contacts, with(R"({"external_id":"c","email":"j)", "\xE9", R"(@acme.com"})")));
  EXPECT_NE(c.error.find("field 'email': not valid UTF-8"), std::string::npos) << c.error;
}

TEST(RecordValidator, AQuotedValueInAnErrorIsNeverCutInsideACharacter) {
  Check c;
  std::string many;
  for (int i = 0; i < 60; ++i) many += "ä";  // 2 bytes each: a cut at byte 80 would fall inside one
  EXPECT_FALSE(c.ok(Entity::Accounts, R"({"external_id":"a","name":"A","employee_count":")" + many + "\"}"));
  EXPECT_NE(c.error.find("field 'employee_count'"), std::string::npos) << c.error;
  EXPECT_TRUE(validUtf8(c.error)) << c.error;
}

TEST(RecordValidator, NumbersMustBeSaneByRule) {
  Check c;
  struct Case {
    Entity e;
    std::string data, expect;
  } refused[] = {
      {Entity::Touchpoints, R"({"external_id":"t","channel":"web","activity":"call","occurred_at":"2024-01-01","quantity":-1})",
       "field 'quantity': expected a quantity from 0 to 1e9, got -1"},
      {Entity::Touchpoints, R"({"external_id":"t","channel":"web","activity":"call","occurred_at":"2024-01-01","quantity":"2e9"})",
       "field 'quantity': expected a quantity from 0 to 1e9"},
      {Entity::Opportunities, R"({"external_id":"o","created_at":"2024-01-01","amount":-1e308})",
       "field 'amount': expected an amount from 0 to 1e15, got -1e308"},
      {Entity::Opportunities, R"({"external_id":"o","created_at":"2024-01-01","amount":"-500"})",
       "field 'amount': expected an amount from 0 to 1e15"},
      {Entity::Opportunities, R"({"external_id":"o","created_at":"2024-01-01","amount":2e15})",
       "field 'amount': expected an amount from 0 to 1e15"},
      {Entity::Accounts, R"({"external_id":"a","name":"A","annual_revenue":-3})",
       "field 'annual_revenue': expected an amount from 0 to 1e15"},
      {Entity::Accounts, R"({"external_id":"a","name":"A","employee_count":-3})",
       "field 'employee_count': expected a whole number of 0 or more"},
      {Entity::AdSpend, R"({"campaign_external_id":"k","date":"2024-01-01","clicks":-1})",
       "field 'clicks': expected a whole number of 0 or more"},
      {Entity::AdSpend, R"({"campaign_external_id":"k","date":"2024-01-01","cost":-1e308})",
       "field 'cost': expected an amount from -1e15 to 1e15"},
  };
  for (const auto& k : refused) {
    EXPECT_FALSE(c.ok(k.e, k.data)) << k.data;
    EXPECT_NE(c.error.find(k.expect), std::string::npos) << "got: " << c.error;
  }
  // Zero is a value; a day of ad spend may be a net credit from the platform.
  ASSERT_TRUE(c.ok(Entity::Touchpoints, R"({"external_id":"t","channel":"ads","activity":"ad_impression",
      "occurred_at":"2024-01-01","quantity":0})")) << c.error;
  EXPECT_EQ(c.row[touchpoint_slot::Quantity].d, 0);
  ASSERT_TRUE(c.ok(Entity::AdSpend, R"({"campaign_external_id":"k","date":"2024-01-01","cost":"-12.50"})")) << c.error;
  EXPECT_EQ(c.row[ad_spend_slot::Cost].d, -12.5);
  ASSERT_TRUE(c.ok(Entity::Opportunities, R"({"external_id":"o","created_at":"2024-01-01","amount":0})")) << c.error;
}

TEST(RecordValidator, AWonOpportunityNeedsItsCloseTime) {
  Check c;
  EXPECT_FALSE(c.ok(Entity::Opportunities, R"({"external_id":"o","created_at":"2024-01-01","is_won":true})"));
  EXPECT_NE(c.error.find("a won opportunity needs 'closed_at'"), std::string::npos) << c.error;
  EXPECT_FALSE(c.ok(Entity::Opportunities, R"({"external_id":"o","created_at":"2024-01-01","is_won":"yes","closed_at":""})"));
  EXPECT_TRUE(c.ok(Entity::Opportunities,
                   R"({"external_id":"o","created_at":"2024-01-01","is_won":true,"closed_at":"2024-02-01"})"))
      << c.error;
  // A lost or open one is stored without it.
  EXPECT_TRUE(c.ok(Entity::Opportunities, R"({"external_id":"o","created_at":"2024-01-01","is_closed":true,"is_won":false})"))
      << c.error;
  EXPECT_TRUE(c.ok(Entity::Opportunities, R"({"external_id":"o","created_at":"2024-01-01"})")) << c.error;
}

TEST(RecordValidator, FractionalSecondsAreDroppedNeverRoundedUp) {
  Check c;
  // The store keeps whole seconds; 23:59:59.999 must stay on its day (and before an as_of at midnight).
  ASSERT_TRUE(c.ok(Entity::Touchpoints, R"({"external_id":"t","channel":"web","activity":"call",
      "occurred_at":"2024-02-29T23:59:59.999+00:00"})")) << c.error;
  EXPECT_EQ(c.text(touchpoint_slot::OccurredAt), "2024-02-29T23:59:59Z");
  ASSERT_TRUE(c.ok(Entity::Touchpoints, R"({"external_id":"t","channel":"web","activity":"call",
      "occurred_at":"2024-03-01T00:59:59.5+01:00"})")) << c.error;
  EXPECT_EQ(c.text(touchpoint_slot::OccurredAt), "2024-02-29T23:59:59Z");
}

}  // namespace

TEST(RecordValidator, SurveyResponsesPropertiesAndExpectedCloseAreTyped) {
  Check c;
  ASSERT_TRUE(c.ok(Entity::SurveyResponses, R"({"external_id":"r1","email":"Jo@Acme.com","score":"9",
      "comment":"Great","responded_at":"2024-03-01 10:00:00+01:00"})")) << c.error;
  EXPECT_EQ(c.row[survey_slot::Score].i, 9);
  EXPECT_EQ(c.text(survey_slot::Email), "jo@acme.com");
  EXPECT_EQ(c.text(survey_slot::RespondedAt), "2024-03-01T09:00:00Z");
  ASSERT_TRUE(c.ok(Entity::SurveyResponses, R"({"external_id":"r2","score":0,"responded_at":"2024-03-01"})")) << c.error;
  EXPECT_EQ(c.row[survey_slot::Score].i, 0);
  ASSERT_TRUE(c.ok(Entity::Accounts, R"({"external_id":"a","name":"A","properties":{"technologies":["Salesforce"]}})"))
      << c.error;
  EXPECT_EQ(c.text(account_slot::Properties), R"({"technologies":["Salesforce"]})");
  ASSERT_TRUE(c.ok(Entity::Opportunities, R"({"external_id":"o","created_at":"2024-01-01","expected_close_at":"2024-06-30"})"))
      << c.error;
  EXPECT_EQ(c.text(opportunity_slot::ExpectedCloseAt), "2024-06-30T00:00:00Z");
}

TEST(RecordValidator, BadSurveyResponsesPropertiesAndExpectedCloseSayWhichField) {
  Check c;
  struct Case {
    Entity e;
    const char* data;
    const char* expect;
  } cases[] = {
      {Entity::SurveyResponses, R"({"external_id":"r","score":11,"responded_at":"2024-01-01"})",
       "field 'score': expected a whole number from 0 to 10, got 11"},
      {Entity::SurveyResponses, R"({"external_id":"r","score":-1,"responded_at":"2024-01-01"})",
       "field 'score': expected a whole number from 0 to 10"},
      {Entity::SurveyResponses, R"({"external_id":"r","score":7.5,"responded_at":"2024-01-01"})",
       "field 'score': expected a whole number from 0 to 10, got 7.5"},
      {Entity::SurveyResponses, R"({"external_id":"r","score":"great","responded_at":"2024-01-01"})",
       "field 'score': expected a whole number from 0 to 10"},
      {Entity::SurveyResponses, R"({"external_id":"r","score":true,"responded_at":"2024-01-01"})",
       "field 'score': expected a whole number from 0 to 10"},
      {Entity::SurveyResponses, R"({"external_id":"r","responded_at":"2024-01-01"})", "missing required field 'score'"},
      {Entity::SurveyResponses, R"({"external_id":"r","score":5})", "missing required field 'responded_at'"},
      {Entity::SurveyResponses, R"({"score":5,"responded_at":"2024-01-01"})", "missing required field 'external_id'"},
      {Entity::SurveyResponses, R"({"external_id":"r","score":5,"responded_at":"yesterday"})",
       "field 'responded_at': expected an ISO-8601 timestamp"},
      {Entity::SurveyResponses, R"({"external_id":"r","score":5,"responded_at":"2024-01-01","nps":5})",
       "unknown field 'nps' for survey_responses"},
      {Entity::Accounts, R"({"external_id":"a","name":"A","properties":["Salesforce"]})",
       "field 'properties': expected a JSON object"},
      {Entity::Accounts, R"({"external_id":"a","name":"A","properties":"Salesforce"})",
       "field 'properties': expected a JSON object"},
      {Entity::Accounts, R"({"external_id":"a","name":"A","properties":42})", "field 'properties': expected a JSON object"},
      {Entity::Opportunities, R"({"external_id":"o","created_at":"2024-01-01","expected_close_at":"next quarter"})",
       "field 'expected_close_at': expected an ISO-8601 timestamp"},
  };
  for (const auto& k : cases) {
    EXPECT_FALSE(c.ok(k.e, k.data)) << k.data;
    EXPECT_NE(c.error.find(k.expect), std::string::npos) << "got: " << c.error;
  }
}
