// Deletions reported by a source ({"external_id": ..., "_deleted": true}): the row leaves the store,
// whatever pointed at it is unlinked, and the accounts it touched are marked for the next metrics run.
// Deletions are rare next to upserts, so their statements are prepared when one arrives.
#include "pipeline/store_writer.hpp"

namespace abm::pipeline {

namespace {

// Runs `sql` with ?1 = source, ?2 = external_id and collects the first column.
Result<std::vector<int64_t>> collect(store::Database& db, const char* sql, std::string_view source,
                                     std::string_view external_id) {
  auto st = db.prepare(sql);
  if (!st) return Status::error(st.error());
  st->bindStatic(1, source);
  st->bindStatic(2, external_id);
  std::vector<int64_t> out;
  while (st->step()) out.push_back(st->columnInt(0));
  if (!st->status()) return st->status();
  return out;
}

Result<int64_t> countWithId(store::Database& db, const char* sql, int64_t id) {
  auto st = db.prepare(sql);
  if (!st) return Status::error(st.error());
  st->bind(1, id);
  if (!st->step()) return st->status() ? Status::error("no row") : st->status();
  return st->columnInt(0);
}

Status runWithId(store::Database& db, const char* sql, int64_t id) {
  auto st = db.prepare(sql);
  if (!st) return Status::error(st.error());
  st->bind(1, id);
  return st->run();
}

}  // namespace

Status StoreWriter::writeDeletion(const Row& r) {
  const std::string_view ext = r[0].text;
  const std::string what = std::string(entityName(r.entity)) + " " + std::string(ext);
  auto fail = [&](const Status& s) { return Status::error("cannot delete " + what + ": " + s.message()); };
  const char* table = nullptr;
  switch (r.entity) {
    case Entity::Accounts: {
      // The account loses this source's identity; it goes only when no source still claims it.
      auto ids = collect(db_, "DELETE FROM account_identities WHERE source = ?1 AND external_id = ?2 RETURNING account_id",
                         source_, ext);
      if (!ids) return fail(Status::error(ids.error()));
      for (const int64_t id : *ids) {
        touched(id);
        auto left = countWithId(db_, "SELECT count(*) FROM account_identities WHERE account_id = ?1", id);
        if (!left) return fail(Status::error(left.error()));
        if (*left > 0) continue;
        for (const char* sql : {"DELETE FROM accounts WHERE account_id = ?1",
                                "UPDATE contacts SET account_id = NULL WHERE account_id = ?1",
                                "UPDATE opportunities SET account_id = NULL WHERE account_id = ?1",
                                "UPDATE touchpoints SET account_id = NULL WHERE account_id = ?1"})
          if (auto s = runWithId(db_, sql, id); !s) return fail(s);
      }
      ids_.forget();  // cached ids and domains may name the account that went
      return Status::ok();
    }
    case Entity::Contacts: table = "contacts"; break;
    case Entity::Opportunities: table = "opportunities"; break;
    case Entity::Campaigns: table = "campaigns"; break;
    case Entity::Touchpoints: table = "touchpoints"; break;
    case Entity::AdSpend: return Status::error("ad_spend rows cannot be deleted");
  }
  const std::string id_column = r.entity == Entity::Contacts        ? "contact_id"
                                : r.entity == Entity::Opportunities ? "opportunity_id"
                                : r.entity == Entity::Campaigns     ? "campaign_id"
                                                                    : "touchpoint_id";
  const std::string account_of = r.entity == Entity::Campaigns ? "NULL" : "account_id";
  const std::string sql = "DELETE FROM " + std::string(table) + " WHERE source = ?1 AND external_id = ?2 RETURNING " +
                          id_column + ", " + account_of;
  auto st = db_.prepare(sql);
  if (!st) return fail(Status::error(st.error()));
  st->bindStatic(1, source_);
  st->bindStatic(2, ext);
  std::vector<int64_t> gone;
  while (st->step()) {
    gone.push_back(st->columnInt(0));
    touched(st->columnInt(1));
  }
  if (!st->status()) return fail(st->status());
  for (const int64_t id : gone) {
    if (auto s = runWithId(db_, ("DELETE FROM pending_links WHERE entity = '" + std::string(table) + "' AND row_id = ?1").c_str(), id); !s)
      return fail(s);
    if (r.entity == Entity::Contacts) {
      // The contact's touchpoints stay with their account; they just lose the person.
      if (auto s = runWithId(db_, "UPDATE touchpoints SET contact_id = NULL WHERE contact_id = ?1", id); !s) return fail(s);
    } else if (r.entity == Entity::Campaigns) {
      for (const char* sql : {"UPDATE touchpoints SET campaign_id = NULL WHERE campaign_id = ?1",
                              "UPDATE ad_spend SET campaign_id = NULL WHERE campaign_id = ?1"})
        if (auto s = runWithId(db_, sql, id); !s) return fail(s);
    }
  }
  if (r.entity == Entity::Contacts || r.entity == Entity::Campaigns) ids_.forget();
  return Status::ok();
}

}  // namespace abm::pipeline
