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
