#include "store/store_open.hpp"

namespace abm::store {

Result<Database> openForReading(const Location& store) {
  const std::string name = store.describe();
  std::error_code ec;
  if (store.backend == Backend::Sqlite && !std::filesystem::is_regular_file(store.sqlite_path, ec))
    return Status::error("no store at " + name +
                         "; check \"store\" in the daemon config (abmd or abmctl sync creates the store)");
  auto db = Database::open(store, true);
  if (!db) return db.status();
  auto has = db->hasTable("schema_migrations");
  if (!has) return Status::error("cannot read store " + name + ": " + has.error());
  if (!*has)
    return Status::error("store " + name +
                         " has no schema yet; if abmd is starting, try again once it runs, otherwise it is not an abmd store");
  return db;
}

}  // namespace abm::store
