#include "store/migrations.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <vector>

namespace abm::store {

namespace fs = std::filesystem;

namespace {

struct Migration {
  int version;
  fs::path path;
};

Result<std::vector<Migration>> listMigrations(const fs::path& schema_dir) {
  std::error_code ec;
  if (!fs::is_directory(schema_dir, ec))
    return Status::error("schema folder " + schema_dir.string() + " not found; set \"schema_dir\" in the daemon config");
  std::vector<Migration> files;
  for (const auto& e : fs::directory_iterator(schema_dir, ec)) {
    const auto name = e.path().filename().string();
    if (e.path().extension() != ".sql" || name.size() < 5 || !std::all_of(name.begin(), name.begin() + 4, ::isdigit))
      continue;
    files.push_back({std::stoi(name.substr(0, 4)), e.path()});
  }
  if (ec) return Status::error("cannot list the schema folder " + schema_dir.string() + ": " + ec.message());
  std::sort(files.begin(), files.end(), [](const Migration& a, const Migration& b) { return a.version < b.version; });
  if (files.empty()) return Status::error("no migrations (NNNN_name.sql) in " + schema_dir.string());
  return files;
}

// The versions recorded in schema_migrations; none when the table does not exist yet.
Result<std::set<int>> appliedVersions(Database& db) {
  std::set<int> out;
  auto exists = db.hasTable("schema_migrations");
  if (!exists) return exists.status();
  if (!*exists) return out;
  auto q = db.prepare("SELECT version FROM schema_migrations");
  if (!q) return q.status();
  while (q->step() == Statement::Step::Row) out.insert(static_cast<int>(q->columnInt(0)));
  if (auto s = q->status(); !s) return s;
  return out;
}

Result<std::string> readMigration(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::error("cannot read migration " + path.string() + ": " + std::strerror(errno));
  std::stringstream sql;
  sql << in.rdbuf();
  if (in.bad() || sql.fail()) return Status::error("cannot read migration " + path.string() + ": " + std::strerror(errno));
  if (sql.str().find_first_not_of(" \t\r\n") == std::string::npos)
    return Status::error("migration " + path.string() + " is empty");
  return sql.str();
}

}  // namespace

Status applyMigrations(Database& db, const fs::path& schema_root) {
  // Each backend has its own files, versioned alike: schema/ for SQLite, schema/postgresql/ beside them.
  const fs::path schema_dir = db.backend() == Backend::Sqlite ? schema_root : schema_root / "postgresql";
  auto files = listMigrations(schema_dir);
  if (!files) return files.status();
  const std::string where = " of store " + db.path() + ": ";

  // Nothing pending, the common case: no write lock is taken at all.
  auto applied = appliedVersions(db);
  if (!applied) return Status::error("cannot read the schema version" + where + applied.error());
  if (std::all_of(files->begin(), files->end(), [&](const Migration& m) { return applied->count(m.version); }))
    return Status::ok();

  // One exclusive transaction that looks again at what is applied: another process (a daemon
  // starting, a command run at the same time) may have migrated the store in between.
  Transaction tx(db);
  if (auto s = tx.begin(); !s) return Status::error("cannot start migrating" + where + s.message());
  const char* create =
      db.backend() == Backend::Sqlite
          ? "CREATE TABLE IF NOT EXISTS schema_migrations(version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
            " applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')))"
          : "CREATE TABLE IF NOT EXISTS schema_migrations(version integer PRIMARY KEY, name text NOT NULL,"
            " applied_at timestamptz NOT NULL DEFAULT now())";
  if (auto s = db.exec(create); !s)
    return Status::error("cannot create schema_migrations" + where + s.message());
  applied = appliedVersions(db);
  if (!applied) return Status::error("cannot read the schema version" + where + applied.error());
  for (const auto& m : *files) {
    if (applied->count(m.version)) continue;
    auto sql = readMigration(m.path);
    if (!sql) return sql.status();
    if (auto s = db.exec(*sql); !s) return Status::error("migration " + m.path.string() + " failed: " + s.message());
    auto ins = db.prepare("INSERT INTO schema_migrations(version, name) VALUES(?, ?)");
    if (!ins) return ins.status();
    ins->bind(1, m.version);
    ins->bind(2, m.path.filename().string());
    if (auto s = ins->run(); !s) return Status::error("cannot record migration " + m.path.string() + ": " + s.message());
  }
  if (auto s = tx.commit(); !s) return Status::error("cannot commit the migrations" + where + s.message());
  return Status::ok();
}

}  // namespace abm::store
