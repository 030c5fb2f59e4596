// GET /api/v1/accounts, /api/v1/accounts/{account_id} and its touchpoint timeline.
#include <string>
#include <vector>

#include "api/endpoint.hpp"
#include "api/list_query.hpp"
#include "metrics/journey.hpp"

namespace abm::api {

namespace {

using Step = store::Statement::Step;

// Detail lists longer than this are cut; the *_total members say how many there are.
constexpr int kDetailRows = 1000;

const ListSpec& accountsSpec() {
  static const ListSpec spec{"accounts",
                             {{"account_id", "a.account_id", KeyType::Integer},
                              {"name", "coalesce(a.name, '')", KeyType::Text},
                              {"domain", "coalesce(a.domain, '')", KeyType::Text},
                              {"score", "coalesce(e.score, 0.0)", KeyType::Real},
                              {"created_at", "a.created_at", KeyType::Text}},
                             "account_id",
                             "a.account_id"};
  return spec;
}

const ListSpec& touchpointsSpec() {
  static const ListSpec spec{"account_touchpoints",
                             {{"occurred_at", "t.occurred_at", KeyType::Text}},
                             "-occurred_at",
                             "t.touchpoint_id"};
  return spec;
}

std::vector<std::string> stageNames() {
  std::vector<std::string> out;
  for (auto s : metrics::kStageNames) out.emplace_back(s);
  return out;
}

std::vector<std::string> channelNames() {
  return {"email", "ads", "web", "social", "event", "sales", "other"};
}

std::vector<std::string> activityNames() {
  return {"email_send", "email_open",        "email_click", "email_bounce",   "ad_impression",
          "ad_click",   "page_view",         "form_submit", "webinar_attend", "meeting",
          "call",       "social_engagement", "other"};
}

}  // namespace

const char* const kAccountColumns =
    "a.account_id, a.name, a.domain, a.registrable_domain, a.industry, a.country, a.tier, a.is_target,"
    " a.employee_count, a.annual_revenue, a.created_at, a.updated_at, s.stage, s.since, e.score, a.source_updated_at";
const char* const kAccountJoins =
    " FROM accounts a LEFT JOIN account_stages s ON s.account_id = a.account_id"
    " LEFT JOIN account_engagement e ON e.account_id = a.account_id";

nlohmann::json accountJson(const RowReader& r) {
  return {{"account_id", r.integer(0)},
          {"name", r.text(1)},
          {"domain", r.text(2)},
          {"registrable_domain", r.text(3)},
          {"industry", r.text(4)},
          {"country", r.text(5)},
          {"tier", r.text(6)},
          {"is_target", r.boolean(7)},
          {"employee_count", r.integer(8)},
          {"annual_revenue", r.real(9)},
          {"created_at", r.text(10)},
          {"updated_at", r.text(11)},
          {"stage", r.text(12)},
          {"stage_since", r.text(13)},
          {"score", r.real(14)},
          {"source_updated_at", r.text(15)}};
}

namespace {

// Runs `sql` with the account id bound and collects each row through `row`.
ApiResult<nlohmann::json> rows(Connection& c, const std::string& sql, int64_t account_id,
                               const std::string& what, nlohmann::json (*row)(const RowReader&)) {
  auto st = c.prepare(sql);
  if (!st) return st.error();
  ScopedReset reset(*st);
  (*st)->bind(1, account_id);
  nlohmann::json out = nlohmann::json::array();
  while ((*st)->step() == Step::Row) out.push_back(row(RowReader(**st)));
  if (auto ok = finished(**st, what); !ok) return ok.error();
  return out;
}

ApiResult<int64_t> count(Connection& c, const std::string& sql, int64_t account_id, const std::string& what) {
  auto st = c.prepare(sql);
  if (!st) return st.error();
  ScopedReset reset(*st);
  (*st)->bind(1, account_id);
  if ((*st)->step() != Step::Row) {
    if (auto ok = finished(**st, what); !ok) return ok.error();
    return int64_t{0};
  }
  return (*st)->columnInt(0);
}

ApiError noAccount(int64_t id) {
  return ApiError::notFound("no account " + std::to_string(id) +
                            "; GET /api/v1/accounts lists the accounts and their account_id");
}

// The account row, or 404.
ApiResult<nlohmann::json> accountRow(Connection& c, int64_t id) {
  auto st = c.prepare(std::string("SELECT ") + kAccountColumns + kAccountJoins + " WHERE a.account_id = ?");
  if (!st) return st.error();
  ScopedReset reset(*st);
  (*st)->bind(1, id);
  if ((*st)->step() != Step::Row) {
    if (auto ok = finished(**st, "the account"); !ok) return ok.error();
    return noAccount(id);
  }
  return accountJson(RowReader(**st));
}

}  // namespace

std::vector<ParamSpec> accountsParams() {
  std::vector<ParamSpec> p = {booleanParam("is_target"),
                              textParam("tier"),
                              enumParam("stage", stageNames()),
                              textParam("industry"),
                              textParam("country"),
                              numberParam("min_score"),
                              textParam("q")};
  for (auto& x : pagingParams(accountsSpec())) p.push_back(std::move(x));
  return p;
}

std::vector<ParamSpec> accountTouchpointsParams() {
  std::vector<ParamSpec> p = {enumParam("channel", channelNames()), enumParam("activity", activityNames()),
                              timestampParam("since"), timestampParam("until")};
  for (auto& x : pagingParams(touchpointsSpec())) p.push_back(std::move(x));
  return p;
}

QueryResult listAccounts(Connection& c, const Call& call) {
  const auto& q = call.query;
  ListQuery query{kAccountColumns, kAccountJoins};
  // Flags are boolean on PostgreSQL and 0/1 on SQLite: both take them as predicates.
  if (auto v = q.boolean("is_target")) query.filter.add(*v ? "a.is_target" : "NOT a.is_target");
  // Names typed by people: matched without regard to ASCII case.
  for (const char* column : {"tier", "industry", "country"})
    if (const auto* v = q.text(column))
      query.filter.add(std::string("lower(a.") + column + ") = ?", {asciiLower(*v)});
  if (const auto* v = q.text("stage")) query.filter.add("s.stage = ?", {*v});
  if (auto v = q.number("min_score")) query.filter.add("coalesce(e.score, 0.0) >= ?", {*v});
  if (const auto* v = q.text("q")) {
    // SQLite's LIKE ignores ASCII case and PostgreSQL's does not: both sides lowered, it ignores it on both.
    const auto pattern = containsPattern(asciiLower(*v));
    query.filter.add("lower(a.name) LIKE ? ESCAPE '\\' OR lower(a.domain) LIKE ? ESCAPE '\\'",
                     {pattern, pattern});
  }
  auto page = runList(c, accountsSpec(), q, query, accountJson);
  if (!page) return page.error();
  return ok(*page);
}

QueryResult getAccount(Connection& c, const Call& call) {
  auto id = idParam(call, "account_id");
  if (!id) return id.error();
  ReadSnapshot snapshot(c.db());
  if (auto b = snapshot.begin(); !b) return b.error();
  auto account = accountRow(c, *id);
  if (!account) return account.error();
  nlohmann::json out = std::move(*account);

  auto identities = rows(c,
                         "SELECT source, external_id FROM account_identities WHERE account_id = ?"
                         " ORDER BY source, external_id",
                         *id, "the account's identities", [](const RowReader& r) -> nlohmann::json {
                           return {{"source", r.text(0)}, {"external_id", r.text(1)}};
                         });
  if (!identities) return identities.error();
  out["identities"] = std::move(*identities);

  auto merges = rows(c,
                     "SELECT source, external_id, rule, matched_value, merged_at FROM account_merges"
                     " WHERE account_id = ? ORDER BY merge_id",
                     *id, "the account's merges", [](const RowReader& r) -> nlohmann::json {
                       return {{"source", r.text(0)},
                               {"external_id", r.text(1)},
                               {"rule", r.text(2)},
                               {"matched_value", r.text(3)},
                               {"merged_at", r.text(4)}};
                     });
  if (!merges) return merges.error();
  out["merges"] = std::move(*merges);

  auto contacts =
      rows(c,
           "SELECT contact_id, email, first_name, last_name, title, buying_role, source, external_id,"
           " created_at, updated_at, source_updated_at FROM contacts WHERE account_id = ? ORDER BY contact_id LIMIT " +
               std::to_string(kDetailRows),
           *id, "the account's contacts", [](const RowReader& r) -> nlohmann::json {
             return {{"contact_id", r.integer(0)}, {"email", r.text(1)},       {"first_name", r.text(2)},
                     {"last_name", r.text(3)},     {"title", r.text(4)},       {"buying_role", r.text(5)},
                     {"source", r.text(6)},        {"external_id", r.text(7)}, {"created_at", r.text(8)},
                     {"updated_at", r.text(9)},    {"source_updated_at", r.text(10)}};
           });
  if (!contacts) return contacts.error();
  out["contacts"] = std::move(*contacts);
  auto contacts_total =
      count(c, "SELECT count(*) FROM contacts WHERE account_id = ?", *id, "the account's contacts");
  if (!contacts_total) return contacts_total.error();
  out["contacts_total"] = *contacts_total;

  auto opportunities =
      rows(c,
           "SELECT opportunity_id, name, stage, type, amount, currency, probability, is_closed,"
           " is_won, created_at, closed_at, source, external_id FROM opportunities"
           " WHERE account_id = ? ORDER BY created_at, opportunity_id LIMIT " +
               std::to_string(kDetailRows),
           *id, "the account's opportunities", [](const RowReader& r) -> nlohmann::json {
             return {{"opportunity_id", r.integer(0)},
                     {"name", r.text(1)},
                     {"stage", r.text(2)},
                     {"type", r.text(3)},
                     {"amount", r.real(4)},
                     {"currency", r.text(5)},
                     {"probability", r.real(6)},
                     {"is_closed", r.boolean(7)},
                     {"is_won", r.boolean(8)},
                     {"created_at", r.text(9)},
                     {"closed_at", r.text(10)},
                     {"source", r.text(11)},
                     {"external_id", r.text(12)}};
           });
  if (!opportunities) return opportunities.error();
  out["opportunities"] = std::move(*opportunities);
  auto opportunities_total =
      count(c, "SELECT count(*) FROM opportunities WHERE account_id = ?", *id, "the account's opportunities");
  if (!opportunities_total) return opportunities_total.error();
  out["opportunities_total"] = *opportunities_total;

  // rowid is the order the metrics stage wrote the rows in, on both stores (account_stage_history has
  // a rowid column on PostgreSQL for this).
  auto history = rows(c,
                      "SELECT stage, entered_at, exited_at FROM account_stage_history WHERE account_id = ?"
                      " ORDER BY entered_at, rowid",
                      *id, "the account's stage history", [](const RowReader& r) -> nlohmann::json {
                        return {{"stage", r.text(0)}, {"entered_at", r.text(1)}, {"exited_at", r.text(2)}};
                      });
  if (!history) return history.error();
  out["stage_history"] = std::move(*history);

  auto engagement = rows(c,
                         "SELECT as_of, score, touchpoints, engaged_contacts, channels, score_prev_window"
                         " FROM account_engagement WHERE account_id = ?",
                         *id, "the account's engagement", [](const RowReader& r) -> nlohmann::json {
                           return {{"as_of", r.text(0)},          {"score", r.real(1)},
                                   {"touchpoints", r.integer(2)}, {"engaged_contacts", r.integer(3)},
                                   {"channels", r.integer(4)},    {"score_prev_window", r.real(5)}};
                         });
  if (!engagement) return engagement.error();
  out["engagement"] = engagement->empty() ? nlohmann::json(nullptr) : (*engagement)[0];

  auto touchpoints_total =
      count(c, "SELECT count(*) FROM touchpoints WHERE account_id = ?", *id, "the account's touchpoints");
  if (!touchpoints_total) return touchpoints_total.error();
  out["touchpoints_total"] = *touchpoints_total;
  return ok(out);
}

QueryResult listAccountTouchpoints(Connection& c, const Call& call) {
  auto id = idParam(call, "account_id");
  if (!id) return id.error();
  ReadSnapshot snapshot(c.db());
  if (auto b = snapshot.begin(); !b) return b.error();
  auto exists = count(c, "SELECT count(*) FROM accounts WHERE account_id = ?", *id, "the account");
  if (!exists) return exists.error();
  if (*exists == 0) return noAccount(*id);

  const auto& q = call.query;
  ListQuery query{
      "t.touchpoint_id, t.occurred_at, t.channel, t.activity, t.quantity, t.contact_id, c.email, "
      "t.campaign_id,"
      " k.name, t.source, t.external_id, t.properties",
      "FROM touchpoints t LEFT JOIN contacts c ON c.contact_id = t.contact_id"
      " LEFT JOIN campaigns k ON k.campaign_id = t.campaign_id"};
  query.identity = "account=" + std::to_string(*id);
  query.filter.add("t.account_id = ?", {*id});
  if (const auto* v = q.text("channel")) query.filter.add("t.channel = ?", {*v});
  if (const auto* v = q.text("activity")) query.filter.add("t.activity = ?", {*v});
  if (const auto* v = q.text("since")) query.filter.add("t.occurred_at >= ?", {*v});
  if (const auto* v = q.text("until")) query.filter.add("t.occurred_at < ?", {*v});
  auto page = runList(c, touchpointsSpec(), q, query, [](const RowReader& r) -> nlohmann::json {
    return {{"touchpoint_id", r.integer(0)}, {"occurred_at", r.text(1)},    {"channel", r.text(2)},
            {"activity", r.text(3)},         {"quantity", r.real(4)},       {"contact_id", r.integer(5)},
            {"contact_email", r.text(6)},    {"campaign_id", r.integer(7)}, {"campaign_name", r.text(8)},
            {"source", r.text(9)},           {"external_id", r.text(10)},   {"properties", r.document(11)}};
  });
  if (!page) return page.error();
  return ok(*page);
}

}  // namespace abm::api
