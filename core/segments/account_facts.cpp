#include "segments/account_facts.hpp"

#include <cmath>

#include "common/timestamp.hpp"
#include "segments/filter_fields.hpp"

namespace abm::segments {

namespace {

std::optional<std::string> text(const store::Statement& st, int col) {
  if (st.isNull(col)) return std::nullopt;
  return st.columnText(col);
}

std::optional<double> number(const store::Statement& st, int col) {
  if (st.isNull(col)) return std::nullopt;
  return st.columnDouble(col);
}

const std::vector<ContactFacts> kNoContacts;

}  // namespace

double monthsBetween(int64_t from, int64_t to) {
  constexpr double kDaysPerMonth = 30.436875;  // the Gregorian calendar's mean month
  return std::floor(static_cast<double>(to - from) / 86400.0 / kDaysPerMonth);
}

Result<std::unordered_map<int64_t, std::vector<ContactFacts>>> loadContacts(store::Database& db, int64_t as_of) {
  auto st = db.prepare(
      "SELECT account_id, buying_role, title, created_at, created_at_known FROM contacts"
      " WHERE account_id IS NOT NULL ORDER BY account_id, contact_id");
  if (!st) return st.status();
  std::unordered_map<int64_t, std::vector<ContactFacts>> out;
  while (st->step() == store::Step::Row) {
    ContactFacts c;
    c.buying_role = text(*st, 1);
    c.title = text(*st, 2);
    if (st->columnInt(4) != 0)
      if (auto created = parseTimestamp(st->columnView(3))) c.months_in_role = monthsBetween(*created, as_of);
    out[st->columnInt(0)].push_back(std::move(c));
  }
  if (auto s = st->status(); !s) return Status::error("reading contacts for a segment: " + s.message());
  return out;
}

Status forEachAccount(store::Database& db, const std::unordered_map<int64_t, std::vector<ContactFacts>>& contacts,
                      bool with_properties, const std::function<void(const AccountFacts&)>& visit) {
  auto st = db.prepare(
      "SELECT a.account_id, a.name, a.domain, a.industry, a.employee_count, a.annual_revenue, a.country,"
      " t.tier, t.is_target, a.properties, s.stage, e.score"
      " FROM accounts a JOIN account_targeting t ON t.account_id = a.account_id"
      " LEFT JOIN account_stages s ON s.account_id = a.account_id"
      " LEFT JOIN account_engagement e ON e.account_id = a.account_id ORDER BY a.account_id");
  if (!st) return st.status();
  while (st->step() == store::Step::Row) {
    AccountFacts a;
    a.account_id = st->columnInt(0);
    a.name = text(*st, 1);
    a.domain = text(*st, 2);
    a.industry = text(*st, 3);
    a.employee_count = number(*st, 4);
    a.annual_revenue = number(*st, 5);
    a.country = text(*st, 6);
    a.tier = text(*st, 7);
    a.is_target = st->columnInt(8) != 0;
    if (with_properties && !st->isNull(9)) {
      auto p = nlohmann::json::parse(st->columnView(9), nullptr, false);
      if (p.is_object()) a.properties = std::move(p);
    }
    if (!st->isNull(10)) a.stage = stagePosition(st->columnView(10));
    if (!st->isNull(11)) a.engagement = st->columnDouble(11);
    auto found = contacts.find(a.account_id);
    a.contacts = found == contacts.end() ? &kNoContacts : &found->second;
    visit(a);
  }
  if (auto s = st->status(); !s) return Status::error("reading accounts for a segment: " + s.message());
  return Status::ok();
}

}  // namespace abm::segments
