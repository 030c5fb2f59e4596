#include "store/database.hpp"

#include "store/postgresql/pg_backend.hpp"
#include "store/sqlite/sqlite_backend.hpp"

namespace abm::store {

Result<Database> Database::open(const Location& where, bool read_only) {
  if (where.backend == Backend::Postgresql) return postgresql::open(where, read_only);
  return sqlite::open(where, read_only);
}

Result<Database> Database::open(const std::string& sqlite_path, bool read_only) {
  Location where;
  where.sqlite_path = sqlite_path;
  return sqlite::open(where, read_only);
}

const char* Database::touchpointUpsertSql() const {
  if (where_.backend == Backend::Postgresql)
    return "SELECT abm_upsert_touchpoint(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";
  // updated_at: ?13 on insert, the store's clock (db_clock's sqlChangeTime) read once per batch by
  // TouchpointBatch, else now; an update that changes the row moves it through touchpoints_changed
  // (migration 0015), one that does not leaves it.
  return "INSERT INTO touchpoints(account_id, contact_id, campaign_id, source, external_id, channel, activity,"
         " occurred_at, quantity, properties, account_via_domain, account_via_contact, updated_at) VALUES(?1, ?2, ?3,"
         " ?4, ?5, ?6, ?7, ?8, coalesce(?9, 1), coalesce(?10, '{}'), ?11, ?12,"
         " coalesce(?13, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))"
         " ON CONFLICT(source, external_id) DO UPDATE SET"
         " account_id = excluded.account_id, account_via_domain = excluded.account_via_domain,"
         " account_via_contact = excluded.account_via_contact,"
         " contact_id = excluded.contact_id, campaign_id = excluded.campaign_id, channel = excluded.channel,"
         " activity = excluded.activity, occurred_at = excluded.occurred_at, quantity = excluded.quantity,"
         " properties = excluded.properties";
}

Result<Statement> Database::prepare(std::string_view sql) {
  auto st = impl_->prepare(sql);
  if (!st) return st.status();
  return Statement(std::move(*st));
}

Statement::Step Statement::step() {
  std::string error;
  const Step s = impl_->step(error);
  if (s == Step::Error) status_ = Status::error(error);
  return s;
}

Status Statement::run() {
  std::string error;
  Step s = impl_->step(error);
  while (s == Step::Row) s = impl_->step(error);
  impl_->rewind();
  return s == Step::Error ? Status::error(error) : Status::ok();
}

Result<Statement*> StatementCache::get(const std::string& sql) {
  if (auto it = cache_.find(sql); it != cache_.end()) return &it->second;
  auto st = db_.prepare(sql);
  if (!st) return st.status();
  return &cache_.emplace(sql, std::move(*st)).first->second;
}

Status prepareAll(Database& db, std::initializer_list<StatementSpec> specs) {
  for (const auto& spec : specs) {
    auto st = db.prepare(spec.sql);
    if (!st) return st.status();
    *spec.target = std::move(*st);
  }
  return Status::ok();
}

}  // namespace abm::store
