// Deletions reported by a source ({"external_id": ..., "_deleted": true}): the row leaves the store,
// whatever pointed at it is unlinked, and the accounts it touched are marked for the next metrics run.
// Every row that leaves is logged in deleted_records (the triggers of migration 0015; accounts here).
// Deletions are rare next to upserts: their statements are prepared on first use and kept. Touchpoints
// have no index by contact or campaign (it would cost every insert), so the rows that pointed at a
// deleted contact or campaign are unlinked once per transaction, in one pass, at commit.
#include <algorithm>

#include "pipeline/store_writer.hpp"
#include "store/db_clock.hpp"

namespace abm::pipeline {

Result<store::Statement*> StoreWriter::adhoc(const std::string& sql, int64_t id) {
  auto st = adhoc_.get(sql);
  if (st) (*st)->bind(1, id);
  return st;
}

Status StoreWriter::writeDeletion(const Row& r) {
  const std::string_view ext = r[0].text;
  auto fail = [&](const Status& s) {
    return Status::error("cannot delete " + std::string(entityName(r.entity)) + " " + std::string(ext) + ": " + s.message());
  };
  if (r.entity == Entity::AdSpend) return Status::error("ad_spend rows cannot be deleted");
  if (r.entity == Entity::Accounts) return deleteAccountIdentity(ext);

  const char* table = r.entity == Entity::Contacts          ? "contacts"
                      : r.entity == Entity::Opportunities   ? "opportunities"
                      : r.entity == Entity::Campaigns       ? "campaigns"
                      : r.entity == Entity::SurveyResponses ? "survey_responses"
                                                            : "touchpoints";
  const char* id_column = r.entity == Entity::Contacts          ? "contact_id"
                          : r.entity == Entity::Opportunities   ? "opportunity_id"
                          : r.entity == Entity::Campaigns       ? "campaign_id"
                          : r.entity == Entity::SurveyResponses ? "response_id"
                                                                : "touchpoint_id";
  auto del = adhoc_.get(std::string("DELETE FROM ") + table + " WHERE source = ?1 AND external_id = ?2 RETURNING " +
                        id_column + ", " + (r.entity == Entity::Campaigns ? "NULL" : "account_id"));
  if (!del) return fail(del.status());
  store::Statement& st = **del;
  st.bindStatic(1, source_);
  st.bindStatic(2, ext);
  std::vector<int64_t> gone;
  while (st.step() == store::Statement::Step::Row) {
    gone.push_back(st.columnInt(0));
    touched(st.columnInt(1));
  }
  const Status stepped = st.status();
  st.reset();
  if (!stepped) return fail(stepped);
  for (const int64_t id : gone) {
    auto unpark = adhoc(std::string("DELETE FROM pending_links WHERE entity = '") + table + "' AND row_id = ?1", id);
    if (!unpark) return fail(unpark.status());
    if (auto s = (*unpark)->run(); !s) return fail(s);
    if (r.entity == Entity::Contacts) deleted_contacts_.push_back(id);
    if (r.entity == Entity::Campaigns) deleted_campaigns_.push_back(id);
  }
  if (!gone.empty() && (r.entity == Entity::Contacts || r.entity == Entity::Campaigns)) ids_.forget();
  return Status::ok();
}

// The account loses this source's identity; it goes only when no source still claims it, and then
// what pointed at it is left without an account.
Status StoreWriter::deleteAccountIdentity(std::string_view ext) {
  auto fail = [&](const Status& s) { return Status::error("cannot delete account " + std::string(ext) + ": " + s.message()); };
  auto del = adhoc_.get("DELETE FROM account_identities WHERE source = ?1 AND external_id = ?2 RETURNING account_id");
  if (!del) return fail(del.status());
  (*del)->bindStatic(1, source_);
  (*del)->bindStatic(2, ext);
  std::vector<int64_t> ids;
  while ((*del)->step() == store::Statement::Step::Row) ids.push_back((*del)->columnInt(0));
  const Status stepped = (*del)->status();
  (*del)->reset();
  if (!stepped) return fail(stepped);
  for (const int64_t id : ids) {
    touched(id);
    auto left = adhoc("SELECT count(*) FROM account_identities WHERE account_id = ?1", id);
    if (!left) return fail(left.status());
    // Only a count read without error may delete the account: a failed read is not "no claims".
    const bool counted = (*left)->step() == store::Statement::Step::Row;
    const int64_t claims = counted ? (*left)->columnInt(0) : 0;
    const Status read = (*left)->status();
    (*left)->reset();
    if (!counted) return fail(read ? Status::error("counting the sources that still claim it gave no row") : read);
    if (claims > 0) continue;
    // Logged for readers (docs/store.md#change-tracking) under the identity whose deletion removed
    // it; the other tables log their deletions by trigger, but an account row names no source.
    auto logged = adhoc_.get("INSERT INTO deleted_records(entity, row_id, source, external_id, deleted_at)"
                             " VALUES('accounts', ?1, ?2, ?3, " + store::sqlChangeTime(db_) + ")");
    if (!logged) return fail(logged.status());
    (*logged)->bind(1, id);
    (*logged)->bindStatic(2, source_);
    (*logged)->bindStatic(3, ext);
    if (auto s = (*logged)->run(); !s) return fail(s);
    for (const char* sql : {"DELETE FROM accounts WHERE account_id = ?1",
                            "UPDATE contacts SET account_id = NULL WHERE account_id = ?1",
                            "UPDATE opportunities SET account_id = NULL WHERE account_id = ?1",
                            "UPDATE touchpoints SET account_id = NULL WHERE account_id = ?1",
                            "UPDATE survey_responses SET account_id = NULL WHERE account_id = ?1"}) {
      auto st = adhoc(sql, id);
      if (!st) return fail(st.status());
      if (auto s = (*st)->run(); !s) return fail(s);
    }
  }
  if (!ids.empty()) ids_.forget();  // cached ids and domains may name the account that went
  return Status::ok();
}

Status StoreWriter::unlinkDeleted() {
  struct Unlink {
    std::vector<int64_t>& ids;
    const char* sql;  // the ids follow as an IN list: integers written by us, in chunks
  };
  const Unlink steps[] = {
      {deleted_contacts_, "UPDATE touchpoints SET contact_id = NULL WHERE contact_id IN ("},
      {deleted_contacts_, "UPDATE survey_responses SET contact_id = NULL WHERE contact_id IN ("},
      {deleted_campaigns_, "UPDATE touchpoints SET campaign_id = NULL WHERE campaign_id IN ("},
      {deleted_campaigns_, "UPDATE ad_spend SET campaign_id = NULL WHERE campaign_id IN ("},
  };
  constexpr size_t kChunk = 500;
  for (const auto& u : steps) {
    for (size_t start = 0; start < u.ids.size(); start += kChunk) {
      std::string sql = u.sql;
      for (size_t i = start; i < std::min(u.ids.size(), start + kChunk); ++i)
        sql += (i > start ? "," : "") + std::to_string(u.ids[i]);
      sql += ")";
      if (auto s = db_.exec(sql); !s) return Status::error("unlinking deleted rows: " + s.message());
    }
  }
  deleted_contacts_.clear();
  deleted_campaigns_.clear();
  return Status::ok();
}

}  // namespace abm::pipeline
