#include "store/migrations.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <vector>

namespace abm::store {

namespace fs = std::filesystem;

Status applyMigrations(Database& db, const fs::path& schema_dir) {
  std::error_code ec;
  if (!fs::is_directory(schema_dir, ec))
    return Status::error("schema folder " + schema_dir.string() + " not found; set \"schema_dir\" in the daemon config");
  std::vector<std::pair<int, fs::path>> files;
  for (const auto& e : fs::directory_iterator(schema_dir)) {
    const auto name = e.path().filename().string();
    if (e.path().extension() != ".sql" || name.size() < 5 || !std::all_of(name.begin(), name.begin() + 4, ::isdigit))
      continue;
    files.emplace_back(std::stoi(name.substr(0, 4)), e.path());
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) return Status::error("no migrations (NNNN_name.sql) in " + schema_dir.string());

  if (auto s = db.exec("CREATE TABLE IF NOT EXISTS schema_migrations(version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                       " applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')))");
      !s)
    return Status::error("cannot create schema_migrations in " + db.path() + ": " + s.message());

  for (const auto& [version, path] : files) {
    auto q = db.prepare("SELECT 1 FROM schema_migrations WHERE version = ?");
    if (!q) return q.status();
    q->bind(1, version);
    if (q->step()) continue;
    std::ifstream in(path);
    std::stringstream sql;
    sql << in.rdbuf();
    Transaction tx(db);
    if (auto s = tx.begin(); !s) return Status::error("cannot start migration " + path.string() + ": " + s.message());
    if (auto s = db.exec(sql.str()); !s) return Status::error("migration " + path.string() + " failed: " + s.message());
    auto ins = db.prepare("INSERT INTO schema_migrations(version, name) VALUES(?, ?)");
    if (!ins) return ins.status();
    ins->bind(1, version);
    ins->bind(2, path.filename().string());
    if (auto s = ins->run(); !s) return s;
    if (auto s = tx.commit(); !s) return Status::error("migration " + path.string() + " failed: " + s.message());
  }
  return Status::ok();
}

}  // namespace abm::store
