#include <gtest/gtest.h>

#include "collector/event_rows.hpp"
#include "pipeline/entity_schema.hpp"

using namespace abm;
using namespace abm::collector;
using pipeline::Row;

namespace {

constexpr int64_t kReceivedMs = 1709294400000;  // 2024-03-01T12:00:00Z

class EventRowsTest : public ::testing::Test {
 protected:
  std::unique_ptr<MappedEvent> map(const std::string& event) {
    auto d = decodeRequest(Endpoint::Batch, R"({"batch": [)" + event + "]}", kReceivedMs);
    EXPECT_FALSE(d.error) << d.error->message;
    if (d.error) return nullptr;
    auto m = mapEvent(d.events.at(0), source_, identity_);
    EXPECT_TRUE(m) << m.error();
    return m ? std::move(*m) : nullptr;
  }
  std::string mapError(const std::string& event) {
    auto d = decodeRequest(Endpoint::Batch, R"({"batch": [)" + event + "]}", kReceivedMs);
    if (d.error) return d.error->message;
    auto m = mapEvent(d.events.at(0), source_, identity_);
    return m ? "(mapped)" : m.error();
  }
  static std::string text(const Row& r, int slot) {
    return r[slot].isNull() ? "(null)" : std::string(r[slot].text);
  }

  SourceSettings source_{"website", "key", {{"Demo Requested", "form_submit"}, {"Trial Started", "trial_start"}}};
  pipeline::IdentityRules identity_ = pipeline::IdentityRules::make(
      pipeline::FreeMailDomains::fromList({"gmail.com"}), pipeline::PublicSuffixList::fromRules("com\nio\nco.uk\n"),
      {"holding.com"});
};

TEST(SnakeCaseActivity, TurnsEventNamesIntoActivityNames) {
  EXPECT_EQ(snakeCaseActivity("Demo Requested"), "demo_requested");
  EXPECT_EQ(snakeCaseActivity("signedUp"), "signed_up");
  EXPECT_EQ(snakeCaseActivity("  Order -- Completed!! "), "order_completed");
  EXPECT_EQ(snakeCaseActivity("checkout_step_2"), "checkout_step_2");
  EXPECT_EQ(snakeCaseActivity("404 Seen"), "event_404_seen");
  EXPECT_EQ(snakeCaseActivity("デモ"), "other");
  EXPECT_EQ(snakeCaseActivity(std::string(200, 'a')).size(), pipeline::kMaxCustomActivity);
  EXPECT_TRUE(pipeline::isCustomActivity(snakeCaseActivity("Über Clicked 3x")));
}

TEST_F(EventRowsTest, TrackTakesItsActivityFromTheMapElseTheSnakeCasedName) {
  using namespace pipeline::touchpoint_slot;
  auto m = map(R"({"type": "track", "userId": "u1", "event": "Demo Requested", "messageId": "m1",
                  "properties": {"plan": "pro"}, "context": {"page": {"url": "https://acme.io/demo"}}})");
  ASSERT_TRUE(m && m->touchpoint);
  const Row& t = *m->touchpoint;
  EXPECT_EQ(text(t, ExternalId), "m1");
  EXPECT_EQ(text(t, ContactExternalId), "u1");
  EXPECT_EQ(text(t, Activity), "form_submit");
  EXPECT_EQ(text(t, Channel), "web");
  EXPECT_EQ(text(t, OccurredAt), "2024-03-01T12:00:00Z");
  const auto props = nlohmann::json::parse(text(t, Properties));
  EXPECT_EQ(props["event"], "Demo Requested");
  EXPECT_EQ(props["properties"]["plan"], "pro");
  EXPECT_EQ(props["url"], "https://acme.io/demo");

  m = map(R"({"type": "track", "anonymousId": "a1", "event": "Pricing Calculator Used"})");
  ASSERT_TRUE(m && m->touchpoint);
  EXPECT_EQ(text(*m->touchpoint, Activity), "pricing_calculator_used");
  EXPECT_EQ(text(*m->touchpoint, ContactExternalId), "(null)");
  EXPECT_EQ(m->anonymous_id, "a1");
  // context.channel names another unified channel.
  m = map(R"({"type": "track", "userId": "u", "event": "Booth Visit", "context": {"channel": "Event"}})");
  ASSERT_TRUE(m && m->touchpoint);
  EXPECT_EQ(text(*m->touchpoint, Channel), "event");
  m = map(R"({"type": "track", "userId": "u", "event": "x", "context": {"channel": "server"}})");
  EXPECT_EQ(text(*m->touchpoint, Channel), "web");
}

TEST_F(EventRowsTest, PageAndScreenArePageViewsWithWhereTheyWere) {
  using namespace pipeline::touchpoint_slot;
  auto m = map(R"({"type": "page", "userId": "u1", "name": "Pricing", "properties": {"url": "https://acme.io/pricing",
                  "path": "/pricing", "title": "Pricing - Acme", "referrer": "https://google.com/", "extra": 1}})");
  ASSERT_TRUE(m && m->touchpoint);
  EXPECT_EQ(text(*m->touchpoint, Activity), "page_view");
  EXPECT_EQ(text(*m->touchpoint, Channel), "web");
  auto props = nlohmann::json::parse(text(*m->touchpoint, Properties));
  EXPECT_EQ(props, nlohmann::json::parse(R"({"url": "https://acme.io/pricing", "path": "/pricing", "title": "Pricing - Acme",
      "referrer": "https://google.com/", "name": "Pricing"})"));
  // The page from the context when the properties do not say.
  m = map(R"({"type": "screen", "anonymousId": "a", "name": "Home", "context": {"page": {"path": "/app"},
             "campaign": {"source": "newsletter", "medium": "email"}}})");
  ASSERT_TRUE(m && m->touchpoint);
  EXPECT_EQ(text(*m->touchpoint, Activity), "page_view");
  props = nlohmann::json::parse(text(*m->touchpoint, Properties));
  EXPECT_EQ(props["path"], "/app");
  EXPECT_EQ(props["name"], "Home");
  EXPECT_EQ(props["utm"]["medium"], "email");
}

TEST_F(EventRowsTest, IdentifyIsAContactWithItsCompanysAccount) {
  using namespace pipeline;
  auto m = map(R"({"type": "identify", "userId": "u1", "traits": {"email": "Jo@EU.Acme.com", "name": "Jo Van Dyke",
                  "title": "CTO", "company": {"name": "Acme Inc", "domain": "https://www.acme.com/about"}}})");
  ASSERT_TRUE(m && m->contact && m->account);
  EXPECT_EQ(text(*m->contact, contact_slot::ExternalId), "u1");
  EXPECT_EQ(text(*m->contact, contact_slot::Email), "jo@eu.acme.com");
  EXPECT_EQ(text(*m->contact, contact_slot::FirstName), "Jo");
  EXPECT_EQ(text(*m->contact, contact_slot::LastName), "Van Dyke");
  EXPECT_EQ(text(*m->contact, contact_slot::Title), "CTO");
  EXPECT_EQ(text(*m->contact, contact_slot::AccountDomain), "acme.com");
  EXPECT_TRUE(m->account_from_company);
  EXPECT_EQ(m->account_key, "acme.com");
  EXPECT_EQ(text(*m->account, account_slot::ExternalId), "domain:acme.com");
  EXPECT_EQ(text(*m->account, account_slot::Name), "Acme Inc");

  // firstName/lastName win over name; a work email's domain stands in for a missing company domain.
  m = map(R"({"type": "identify", "userId": "u2", "traits": {"email": "kim@beta.io", "firstName": "Kim", "last_name": "Lee", "name": "X Y"}})");
  ASSERT_TRUE(m && m->contact && m->account);
  EXPECT_EQ(text(*m->contact, contact_slot::FirstName), "Kim");
  EXPECT_EQ(text(*m->contact, contact_slot::LastName), "Lee");
  EXPECT_EQ(text(*m->contact, contact_slot::AccountDomain), "(null)");
  EXPECT_FALSE(m->account_from_company);
  EXPECT_EQ(text(*m->account, account_slot::Domain), "beta.io");
}

TEST_F(EventRowsTest, FreeMailAndNeverMergeDomainsCreateNoAccount) {
  auto m = map(R"({"type": "identify", "userId": "u", "traits": {"email": "jo@gmail.com", "company": {"name": "Solo"}}})");
  ASSERT_TRUE(m && m->contact);
  EXPECT_FALSE(m->account);
  m = map(R"({"type": "identify", "userId": "u", "traits": {"email": "jo@x.com", "company": {"domain": "gmail.com"}}})");
  ASSERT_TRUE(m && m->contact && m->account);
  EXPECT_EQ(std::string(m->account->v[pipeline::account_slot::Domain].text), "x.com") << "the free-mail company domain is ignored";
  m = map(R"({"type": "identify", "userId": "u", "traits": {"company": {"domain": "eu.holding.com"}}})");
  ASSERT_TRUE(m && m->contact);
  EXPECT_FALSE(m->account);
}

TEST_F(EventRowsTest, TraitsThatBreakARuleAreLeftOut) {
  using namespace pipeline;
  auto m = map(R"({"type": "identify", "userId": "u", "traits": {"email": "not-an-email", "firstName": "Al", "createdAt": "soon"}})");
  ASSERT_TRUE(m && m->contact);
  EXPECT_TRUE(m->contact->v[contact_slot::Email].isNull());
  EXPECT_TRUE(m->contact->v[contact_slot::CreatedAt].isNull());
  EXPECT_EQ(text(*m->contact, contact_slot::FirstName), "Al");
  m = map(R"({"type": "group", "userId": "u", "groupId": "g1", "traits": {"name": "Acme", "website": "n/a",
             "employees": "many", "industry": "Software"}})");
  ASSERT_TRUE(m && m->account);
  EXPECT_TRUE(m->account->v[account_slot::Domain].isNull());
  EXPECT_TRUE(m->account->v[account_slot::EmployeeCount].isNull());
  EXPECT_EQ(text(*m->account, account_slot::Industry), "Software");
}

TEST_F(EventRowsTest, GroupIsAnAccountAndTheUsersTieToIt) {
  using namespace pipeline;
  auto m = map(R"({"type": "group", "userId": "u1", "groupId": "g1", "traits": {"name": "Initech", "domain": "initech.com",
                  "industry": "Technology", "employees": 420}})");
  ASSERT_TRUE(m && m->account && m->contact);
  EXPECT_EQ(text(*m->account, account_slot::ExternalId), "g1");
  EXPECT_EQ(text(*m->account, account_slot::Domain), "initech.com");
  EXPECT_EQ(m->account->v[account_slot::EmployeeCount].i, 420);
  EXPECT_EQ(text(*m->contact, contact_slot::ExternalId), "u1");
  EXPECT_EQ(text(*m->contact, contact_slot::AccountExternalId), "g1");
  // With neither name nor domain the group's id names it.
  m = map(R"({"type": "group", "anonymousId": "a1", "groupId": "g2", "traits": {"employees": "12"}})");
  ASSERT_TRUE(m && m->account);
  EXPECT_EQ(text(*m->account, account_slot::Name), "g2");
  EXPECT_EQ(m->account->v[account_slot::EmployeeCount].i, 12);
}

TEST_F(EventRowsTest, IdsThatCannotBeStoredRefuseTheRequest) {
  EXPECT_EQ(mapError(R"({"type": "page", "userId": "u\u0000x"})").rfind("batch[0]: ", 0), 0u);
  EXPECT_EQ(mapError(R"({"type": "page", "userId": "u", "messageId": "m\u0000"})").rfind("batch[0]: ", 0), 0u);
  // The message names the field the sender wrote, with the stored name beside it.
  auto e = mapError(R"({"type": "page", "userId": "u\u0000x"})");
  EXPECT_NE(e.find("batch[0]: field 'userId' (stored as contact_external_id)"), std::string::npos) << e;
  e = mapError(R"({"type": "track", "event": "x", "userId": "u", "messageId": "m\u0000"})");
  EXPECT_NE(e.find("field 'messageId' (stored as external_id)"), std::string::npos) << e;
  e = mapError(R"({"type": "identify", "userId": "u\u0000"})");
  EXPECT_NE(e.find("field 'userId' (stored as external_id)"), std::string::npos) << e;
  e = mapError(R"({"type": "group", "userId": "u", "groupId": "g\u0000"})");
  EXPECT_NE(e.find("field 'groupId' (stored as external_id)"), std::string::npos) << e;
}

TEST_F(EventRowsTest, SurveyRespondedIsASurveyResponseAndATouchpoint) {
  auto m = map(R"({"type": "track", "userId": "u1", "messageId": "m1", "event": "Survey Responded",
      "timestamp": "2024-03-01T10:00:00Z", "properties": {"score": 10, "comment": "Love it"}})");
  ASSERT_TRUE(m);
  ASSERT_TRUE(m->touchpoint);
  EXPECT_EQ(text(*m->touchpoint, pipeline::touchpoint_slot::Activity), "survey_responded");
  ASSERT_TRUE(m->survey);
  EXPECT_EQ(text(*m->survey, pipeline::survey_slot::ExternalId), "m1");
  EXPECT_EQ(text(*m->survey, pipeline::survey_slot::ContactExternalId), "u1");
  EXPECT_EQ((*m->survey)[pipeline::survey_slot::Score].i, 10);
  EXPECT_EQ(text(*m->survey, pipeline::survey_slot::Comment), "Love it");
  EXPECT_EQ(text(*m->survey, pipeline::survey_slot::RespondedAt), "2024-03-01T10:00:00Z");
  // Any other track event is no survey answer, whatever its properties.
  m = map(R"({"type": "track", "userId": "u1", "messageId": "m2", "event": "Rated", "properties": {"score": 3}})");
  ASSERT_TRUE(m);
  EXPECT_FALSE(m->survey);
}

TEST_F(EventRowsTest, ASurveyAnswerWithoutAGoodScoreRefusesTheRequest) {
  const std::string head = R"({"type": "track", "userId": "u1", "messageId": "m1", "event": "Survey Responded", )";
  EXPECT_EQ(mapError(head + R"("properties": {"score": 11}})"),
            "batch[0]: field 'properties.score' (stored as score): expected a whole number from 0 to 10, got 11");
  EXPECT_EQ(mapError(head + R"("properties": {"score": "ten"}})"),
            "batch[0]: field 'properties.score' (stored as score): expected a whole number from 0 to 10, got \"ten\"");
  EXPECT_EQ(mapError(head + R"("properties": {"score": true}})"),
            "batch[0]: field 'properties.score': expected a whole number from 0 to 10, got true");
  EXPECT_EQ(mapError(head + R"("properties": {"comment": "no score"}})"),
            "batch[0]: a \"Survey Responded\" event needs properties.score, a whole number from 0 to 10");
}

TEST(SourceSettings, ChecksTheWriteKeyAndTheActivities) {
  config::ConnectorConfig c;
  c.file = "/etc/abmd/connectors.d/website.json";
  c.name = "website";
  c.plugin = "events";
  c.settings = nlohmann::json::parse(R"({"write_key": "k", "event_activities": {"Demo Requested": "Form_Submit", "Trial": "trial_started"}})");
  auto s = sourceSettings(c);
  ASSERT_TRUE(s) << s.error();
  EXPECT_EQ(s->write_key, "k");
  EXPECT_EQ(s->event_activities.at("Demo Requested"), "form_submit");
  EXPECT_EQ(s->event_activities.at("Trial"), "trial_started");

  c.settings = nlohmann::json::parse(R"({"write_key": "k", "event_activities": {"Demo Requested": "Form Submit!"}})");
  s = sourceSettings(c);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().rfind("/etc/abmd/connectors.d/website.json: settings.event_activities.\"Demo Requested\": ", 0), 0u)
      << s.error();
  c.settings = nlohmann::json::parse(R"({"event_activities": {}})");
  s = sourceSettings(c);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().find("settings.write_key"), std::string::npos) << s.error();
}

}  // namespace
