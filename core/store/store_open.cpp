#include "store/store_open.hpp"

namespace abm::store {

Result<Database> openForReading(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    return Status::error("no store at " + path.string() +
                         "; check \"store\" in the daemon config (abmd or abmctl sync creates the store)");
  auto db = Database::open(path.string(), true);
  if (!db) return db.status();
  auto q = db->prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'");
  if (!q) return Status::error("cannot read store " + path.string() + ": " + q.error());
  if (q->step() != Statement::Step::Row)
    return Status::error("cannot read store " + path.string() + ": " + q->status().message());
  if (q->columnInt(0) == 0)
    return Status::error("store " + path.string() +
                         " has no schema yet; if abmd is starting, try again once it runs, otherwise it is not an abmd store");
  return db;
}

}  // namespace abm::store
