#include "collector/event_rows.hpp"

#include <abm/sdk/entities.hpp>

#include <algorithm>

#include "common/timestamp.hpp"
#include "pipeline/domain.hpp"
#include "pipeline/entity_schema.hpp"

namespace abm::collector {

using nlohmann::json;
using pipeline::Entity;
using pipeline::Row;

namespace {

// Builds the members of one record from values whose text it keeps in the event's deque.
class RowBuilder {
 public:
  explicit RowBuilder(std::deque<std::string>& text) : text_(text) {}

  void text(std::string_view name, std::string_view value) {
    if (value.empty()) return;
    const std::string& v = text_.emplace_back(value);
    const std::string& raw = text_.emplace_back("\"" + v + "\"");  // only quoted in error messages
    members_.push_back({name, JsonSlice{JsonKind::String, raw, v, false}});
  }
  // A JSON value as sent: strings and numbers (a trait "employees": 420 or "420").
  void value(std::string_view name, const json* v) {
    if (!v) return;
    if (v->is_string()) text(name, v->get_ref<const std::string&>());
    else if (v->is_number()) members_.push_back({name, JsonSlice{JsonKind::Number, text_.emplace_back(v->dump()), {}, false}});
  }
  void object(std::string_view name, const json& v) {
    members_.push_back({name, JsonSlice{JsonKind::Object, text_.emplace_back(v.dump()), {}, false}});
  }
  bool has(std::string_view name) const {
    return std::any_of(members_.begin(), members_.end(), [&](const JsonMember& m) { return m.name == name; });
  }

  // Validates into `row`; a field in `optional` that breaks a rule is left out and the rest tried
  // again, so one odd trait does not cost the event.
  bool validate(Entity entity, Row& row, std::string& error, std::initializer_list<std::string_view> optional,
                const pipeline::ValidateOptions& options = {}) {
    for (size_t attempt = 0; attempt <= members_.size(); ++attempt) {
      if (pipeline::validateRecord(entity, members_, row, error, options)) return true;
      // "field 'email': expected ..." names the field.
      constexpr std::string_view kPrefix = "field '";
      if (error.compare(0, kPrefix.size(), kPrefix) != 0) return false;
      const auto end = error.find('\'', kPrefix.size());
      const std::string field = error.substr(kPrefix.size(), end - kPrefix.size());
      if (std::find(optional.begin(), optional.end(), field) == optional.end()) return false;
      std::erase_if(members_, [&](const JsonMember& m) { return m.name == field; });
    }
    return false;
  }

 private:
  std::deque<std::string>& text_;
  std::vector<JsonMember> members_;
};

const json* member(const json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(key);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

std::string stringAt(const json& object, const char* key) {
  const json* v = member(object, key);
  return v && v->is_string() ? v->get<std::string>() : std::string();
}

// The first of `keys` that `object` has as a non-empty string.
std::string firstString(const json& object, std::initializer_list<const char*> keys) {
  for (const char* k : keys)
    if (auto s = stringAt(object, k); !s.empty()) return s;
  return {};
}

const json* firstValue(const json& object, std::initializer_list<const char*> keys) {
  for (const char* k : keys)
    if (const json* v = member(object, k)) return v;
  return nullptr;
}

// A domain a company may be found by: normalized, and neither a free-mail provider's nor one the
// admin said never to match on. Empty when there is none.
std::string companyDomain(std::string_view text, const pipeline::IdentityRules& identity, std::string& key) {
  if (text.empty() || !sdk::plausibleDomain(text)) return {};
  auto domain = pipeline::normalizeDomain(text);
  if (!domain) return {};
  auto k = identity.accountKey(*domain);
  if (!k || identity.free_mail.contains(*domain) || identity.free_mail.contains(*k)) return {};
  key = std::move(*k);
  return std::move(*domain);
}

// The validator names the unified field ("field 'contact_external_id': ..."); the sender knows the
// Segment field it wrote, so the message names that one, with the stored name beside it.
using FieldNames = std::initializer_list<std::pair<std::string_view, std::string_view>>;

Status refuse(const SegmentEvent& e, const std::string& error, FieldNames names = {}) {
  for (const auto& [stored, sent] : names) {
    const std::string quoted = "field '" + std::string(stored) + "'";
    if (error.rfind(quoted, 0) == 0)
      return Status::error(e.where + ": field '" + std::string(sent) + "' (stored as " + std::string(stored) + ")" +
                           error.substr(quoted.size()));
  }
  return Status::error(e.where + ": " + error);
}

// Where the page was: the event's own properties first (page calls), then the context (track calls).
json pageProperties(const SegmentEvent& e) {
  json p = json::object();
  const json* page = member(e.context, "page");
  for (const char* k : {"url", "path", "title", "referrer", "search"}) {
    std::string v = stringAt(e.properties, k);
    if (v.empty() && page) v = stringAt(*page, k);
    if (!v.empty()) p[k] = std::move(v);
  }
  return p;
}

// A survey answer is its touchpoint's event seen as a survey_responses row: same messageId, user and
// time, the score and comment from the event's properties.
Status mapSurveyResponse(const SegmentEvent& e, MappedEvent& out) {
  const json* score = member(e.properties, "score");
  if (!score)
    return refuse(e, "a \"" + std::string(kSurveyEvent) + "\" event needs properties.score, a whole number from 0 to 10");
  if (!score->is_number() && !score->is_string())
    return refuse(e, "field 'properties.score': expected a whole number from 0 to 10, got " + score->dump());
  RowBuilder b(out.text);
  b.text("external_id", e.message_id);
  b.text("contact_external_id", e.user_id);
  b.value("score", score);
  b.text("comment", stringAt(e.properties, "comment"));
  b.text("responded_at", formatTimestamp(e.occurred_at));
  std::string error;
  if (!b.validate(Entity::SurveyResponses, out.survey.emplace(), error, {}))
    return refuse(e, error, {{"score", "properties.score"}, {"comment", "properties.comment"}, {"external_id", "messageId"},
                             {"contact_external_id", "userId"}, {"responded_at", "timestamp"}});
  return Status::ok();
}

Status mapTouchpoint(const SegmentEvent& e, const SourceSettings& source, MappedEvent& out) {
  RowBuilder b(out.text);
  json props = pageProperties(e);
  std::string activity = "page_view", channel = "web";
  pipeline::ValidateOptions options;
  if (e.type == EventType::Track) {
    const auto mapped = source.event_activities.find(e.event);
    activity = mapped != source.event_activities.end() ? mapped->second : snakeCaseActivity(e.event);
    options.custom_activities = true;
    // A sender may say where a track event came from (an event, a sales call) in context.channel.
    std::string ch = stringAt(e.context, "channel");
    std::transform(ch.begin(), ch.end(), ch.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (pipeline::isChannel(ch)) channel = ch;
    props["event"] = e.event;
    if (!e.properties.empty()) props["properties"] = e.properties;
  } else {
    if (!e.name.empty()) props["name"] = e.name;
    if (const std::string category = stringAt(e.properties, "category"); !category.empty()) props["category"] = category;
  }
  if (const json* utm = member(e.context, "campaign"); utm && utm->is_object() && !utm->empty()) props["utm"] = *utm;

  b.text("external_id", e.message_id);
  b.text("contact_external_id", e.user_id);
  b.text("channel", channel);
  b.text("activity", activity);
  b.text("occurred_at", formatTimestamp(e.occurred_at));
  b.object("properties", props);
  std::string error;
  if (!b.validate(Entity::Touchpoints, out.touchpoint.emplace(), error, {}, options))
    return refuse(e, error, {{"external_id", "messageId"}, {"contact_external_id", "userId"}, {"occurred_at", "timestamp"}});
  if (e.type == EventType::Track && e.event == kSurveyEvent) return mapSurveyResponse(e, out);
  return Status::ok();
}

Status mapIdentify(const SegmentEvent& e, const pipeline::IdentityRules& identity, MappedEvent& out) {
  if (e.user_id.empty()) return Status::ok();  // an anonymous identify names nobody to store
  const json& t = e.traits;
  std::string first = firstString(t, {"firstName", "first_name"}), last = firstString(t, {"lastName", "last_name"});
  if (first.empty() && last.empty()) {
    const std::string name = stringAt(t, "name");
    const auto space = name.find(' ');
    first = name.substr(0, space);
    if (space != std::string::npos) last = name.substr(space + 1);
  }
  const std::string email = stringAt(t, "email");
  std::string company_name, company_domain, key;
  if (const json* company = member(t, "company")) {
    if (company->is_string()) company_name = company->get<std::string>();
    company_name = company_name.empty() ? stringAt(*company, "name") : company_name;
    company_domain = companyDomain(firstString(*company, {"domain", "website"}), identity, key);
  }

  RowBuilder contact(out.text);
  contact.text("external_id", e.user_id);
  contact.text("email", email);
  contact.text("first_name", first);
  contact.text("last_name", last);
  contact.text("title", stringAt(t, "title"));
  contact.text("account_domain", company_domain);
  contact.value("created_at", firstValue(t, {"createdAt", "created_at"}));
  std::string error;
  if (!contact.validate(Entity::Contacts, out.contact.emplace(), error, {"email", "account_domain", "created_at"}))
    return refuse(e, error, {{"external_id", "userId"}});

  // The company's account: from its domain, else from the email's (never a free-mail provider's).
  out.account_from_company = !company_domain.empty();
  std::string account_domain = company_domain;
  if (account_domain.empty() && !out.contact->v[pipeline::contact_slot::Email].isNull())
    if (auto k = identity.emailKey(out.contact->v[pipeline::contact_slot::Email].text)) account_domain = key = *k;
  if (account_domain.empty()) return Status::ok();
  RowBuilder account(out.text);
  account.text("external_id", std::string(kDomainAccountPrefix) + key);
  account.text("name", company_name);
  account.text("domain", account_domain);
  if (!account.validate(Entity::Accounts, out.account.emplace(), error, {})) {
    out.account.reset();  // the contact is still worth keeping without its company
    return Status::ok();
  }
  out.account_key = key;
  return Status::ok();
}

Status mapGroup(const SegmentEvent& e, const pipeline::IdentityRules& identity, MappedEvent& out) {
  const json& t = e.traits;
  std::string key;
  const std::string domain = companyDomain(firstString(t, {"domain", "website"}), identity, key);
  std::string name = stringAt(t, "name");
  // An account needs a name or a domain; the group's id stands in (EventWriter never lets it rename
  // an account that exists).
  out.account_named_by_id = name.empty() && domain.empty();
  if (out.account_named_by_id) name = e.group_id;

  RowBuilder account(out.text);
  account.text("external_id", e.group_id);
  account.text("name", name);
  account.text("domain", domain);
  account.text("industry", stringAt(t, "industry"));
  account.value("employee_count", firstValue(t, {"employees", "employee_count", "employeeCount"}));
  account.value("created_at", firstValue(t, {"createdAt", "created_at"}));
  std::string error;
  if (!account.validate(Entity::Accounts, out.account.emplace(), error, {"employee_count", "created_at"}))
    return refuse(e, error, {{"external_id", "groupId"}});

  RowBuilder tie(out.text);
  tie.text("external_id", e.user_id.empty() ? e.anonymous_id : e.user_id);
  tie.text("account_external_id", e.group_id);
  if (!tie.validate(Entity::Contacts, out.contact.emplace(), error, {}))
    return refuse(e, error, {{"external_id", e.user_id.empty() ? "anonymousId" : "userId"}, {"account_external_id", "groupId"}});
  return Status::ok();
}

}  // namespace

Result<SourceSettings> sourceSettings(const config::ConnectorConfig& c) {
  const std::string where = c.file.string() + ": settings.";
  SourceSettings s;
  s.name = c.name;
  const json& settings = c.settings;
  const json* key = member(settings, "write_key");
  if (!key || !key->is_string() || key->get_ref<const std::string&>().empty())
    return Status::error(where + "write_key: a push connector needs its write key (a string, e.g. \"${env:WEBSITE_WRITE_KEY}\")");
  s.write_key = key->get<std::string>();
  if (const json* map = member(settings, "event_activities")) {
    if (!map->is_object())
      return Status::error(where + "event_activities: expected an object {\"Event Name\": \"activity\"}");
    for (const auto& [event, activity] : map->items()) {
      std::string a = activity.is_string() ? activity.get<std::string>() : std::string();
      std::transform(a.begin(), a.end(), a.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
      if (!pipeline::isActivity(a) && !pipeline::isCustomActivity(a))
        return Status::error(where + "event_activities.\"" + event + "\": " + activity.dump() +
                             " is not an activity: use one of the unified activities (form_submit, page_view, "
                             "meeting, ...) or a snake_case name of at most 64 characters like demo_requested");
      s.event_activities.emplace(event, std::move(a));
    }
  }
  return s;
}

std::string snakeCaseActivity(std::string_view event_name) {
  std::string out;
  char prev = 0;  // the previous input byte's class: 'l' lower, 'u' upper, 'd' digit, 0 other
  bool gap = false;
  for (const char c : event_name) {
    const char kind = (c >= 'a' && c <= 'z') ? 'l' : (c >= 'A' && c <= 'Z') ? 'u' : (c >= '0' && c <= '9') ? 'd' : 0;
    if (kind == 0) {
      gap = true;
    } else {
      // "signedUp": a capital after a lowercase letter or digit starts a word.
      if (!out.empty() && (gap || (kind == 'u' && (prev == 'l' || prev == 'd')))) out += '_';
      out += kind == 'u' ? static_cast<char>(c + 32) : c;
      gap = false;
    }
    prev = kind;
  }
  if (!out.empty() && out.front() >= '0' && out.front() <= '9') out.insert(0, "event_");
  if (out.size() > pipeline::kMaxCustomActivity) out.resize(pipeline::kMaxCustomActivity);
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out.empty() ? "other" : out;
}

Result<std::unique_ptr<MappedEvent>> mapEvent(const SegmentEvent& e, const SourceSettings& source,
                                              const pipeline::IdentityRules& identity) {
  auto out = std::make_unique<MappedEvent>();
  out->type = e.type;
  out->where = e.where;
  out->message_id = e.message_id;
  out->user_id = e.user_id;
  out->anonymous_id = e.anonymous_id;
  out->previous_id = e.previous_id;
  out->group_id = e.group_id;
  out->occurred_at = e.occurred_at;
  Status s;
  switch (e.type) {
    case EventType::Track:
    case EventType::Page:
    case EventType::Screen: s = mapTouchpoint(e, source, *out); break;
    case EventType::Identify: s = mapIdentify(e, identity, *out); break;
    case EventType::Group: s = mapGroup(e, identity, *out); break;
    case EventType::Alias: break;
  }
  if (!s) return s;
  // Ids the store keeps must be storable (no NUL, which every C string API would cut short).
  for (const std::string* id : {&out->message_id, &out->user_id, &out->anonymous_id, &out->previous_id, &out->group_id})
    if (id->find('\0') != std::string::npos) return refuse(e, "an id contains a NUL character");
  return out;
}

}  // namespace abm::collector
