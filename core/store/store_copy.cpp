#include "store/store_copy.hpp"

#include <optional>
#include <set>
#include <string_view>

#include "store/bulk_insert.hpp"

namespace abm::store {

namespace {

Result<std::vector<std::string>> column(Database& db, const std::string& sql) {
  auto q = db.prepare(sql);
  if (!q) return q.status();
  std::vector<std::string> out;
  while (q->step() == Step::Row) out.push_back(q->columnText(0));
  if (auto s = q->status(); !s) return s;
  return out;
}

Result<int64_t> count(Database& db, const std::string& table) {
  auto q = db.prepare("SELECT count(*) FROM " + table);
  if (!q) return q.status();
  if (q->step() != Step::Row) return q->status().isOk() ? Status::error("no count") : q->status();
  return q->columnInt(0);
}

// The tables that hold the store's data; the schema's own bookkeeping and PostgreSQL's key table
// of touchpoints (rebuilt from touchpoints) stay out.
Result<std::vector<std::string>> dataTables(Database& db) {
  auto names = column(db, db.backend() == Backend::Sqlite
                              ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                                " ORDER BY name"
                              : "SELECT c.relname FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace"
                                " AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY 1");
  if (!names) return names;
  std::vector<std::string> out;
  for (auto& n : *names)
    if (n != "schema_migrations" && n != "touchpoint_keys") out.push_back(std::move(n));
  return out;
}

Result<bool> hasRowidColumn(Database& db, const std::string& table) {
  if (db.backend() == Backend::Sqlite) return false;  // SQLite's is implicit: selected by name
  auto q = db.prepare("SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass(?1) AND attname = 'rowid'"
                      " AND NOT attisdropped");
  if (!q) return q.status();
  q->bind(1, table);
  const bool found = q->step() == Step::Row;
  if (auto s = q->status(); !s) return s;
  return found;
}

// One row of text values (nullopt: NULL) in the writer's column order.
Status addRow(BulkInsert& writer, const std::vector<std::optional<std::string_view>>& values) {
  for (const auto& v : values) {
    if (v) writer.add(*v);
    else writer.addNull();
  }
  return writer.endRow();
}

// PostgreSQL's touchpoints live in month partitions keyed by touchpoint_keys: the months are made
// before the rows arrive and the keys follow from the rows.
Status preparePostgresTouchpoints(Database& from, Database& to) {
  auto months = column(from, "SELECT DISTINCT occurred_at FROM touchpoints");
  if (!months) return months.status();
  std::set<std::string> firsts;
  for (const auto& t : *months) firsts.insert(t.substr(0, 7) + "-01T00:00:00Z");
  auto ensure = to.prepare("SELECT abm_ensure_touchpoint_partition(?1)");
  if (!ensure) return ensure.status();
  for (const auto& m : firsts) {
    ensure->bind(1, m);
    if (auto s = ensure->run(); !s) return Status::error("cannot make the touchpoints partition of " + m + ": " + s.message());
  }
  return Status::ok();
}

Status copyTable(Database& from, Database& to, const std::string& table, int64_t& rows) {
  auto rowid = hasRowidColumn(to, table);
  if (!rowid) return rowid.status();
  const bool select_rowid = *rowid && from.backend() == Backend::Sqlite;
  auto q = from.prepare(std::string("SELECT ") + (select_rowid ? "rowid AS rowid, " : "") + "* FROM " + table);
  if (!q) return q.status();
  std::unique_ptr<BulkInsert> writer;
  std::unique_ptr<BulkInsert> keys;  // PostgreSQL touchpoint_keys beside touchpoints
  int key_cols[3] = {-1, -1, -1};     // source, external_id, occurred_at
  int id_col = -1;
  std::vector<std::optional<std::string_view>> values;
  while (q->step() == Step::Row) {
    if (!writer) {
      std::vector<std::string> columns;
      for (int c = 0; c < q->columnCount(); ++c) {
        columns.push_back(q->columnName(c));
        if (columns.back() == "source") key_cols[0] = c;
        if (columns.back() == "external_id") key_cols[1] = c;
        if (columns.back() == "occurred_at") key_cols[2] = c;
        if (columns.back() == "touchpoint_id") id_col = c;
      }
      writer = std::make_unique<BulkInsert>(to, table, columns);
      if (auto s = writer->prepare(); !s) return Status::error("table " + table + ": " + s.message());
      if (table == "touchpoints" && to.backend() == Backend::Postgresql) {
        keys = std::make_unique<BulkInsert>(to, "touchpoint_keys",
                                            std::vector<std::string>{"touchpoint_id", "source", "external_id", "occurred_at"});
        if (auto s = keys->prepare(); !s) return Status::error("touchpoint_keys: " + s.message());
      }
    }
    values.clear();
    for (int c = 0; c < q->columnCount(); ++c)
      values.push_back(q->isNull(c) ? std::nullopt : std::optional<std::string_view>(q->columnView(c)));
    if (auto s = addRow(*writer, values); !s) return Status::error("table " + table + ": " + s.message());
    ++rows;
    if (keys) {
      const std::vector<std::optional<std::string_view>> key = {values[static_cast<size_t>(id_col)],
                                                                values[static_cast<size_t>(key_cols[0])],
                                                                values[static_cast<size_t>(key_cols[1])],
                                                                values[static_cast<size_t>(key_cols[2])]};
      if (auto s = addRow(*keys, key); !s) return Status::error("touchpoint_keys: " + s.message());
    }
  }
  if (auto s = q->status(); !s) return Status::error("reading " + table + ": " + s.message());
  if (writer)
    if (auto s = writer->flush(); !s) return Status::error("table " + table + ": " + s.message());
  if (keys)
    if (auto s = keys->flush(); !s) return Status::error("touchpoint_keys: " + s.message());
  return Status::ok();
}

// Identity columns continue after the copied ids.
Status advanceSequences(Database& to) {
  auto q = to.prepare("SELECT table_name, column_name FROM information_schema.columns"
                      " WHERE table_schema = current_schema() AND is_identity = 'YES' ORDER BY 1, 2");
  if (!q) return q.status();
  std::vector<std::pair<std::string, std::string>> identities;
  while (q->step() == Step::Row) identities.emplace_back(q->columnText(0), q->columnText(1));
  if (auto s = q->status(); !s) return s;
  for (const auto& [table, col] : identities) {
    const std::string sql = "SELECT setval(pg_get_serial_sequence('" + table + "', '" + col + "'), coalesce((SELECT max(" +
                            col + ") FROM " + table + "), 0) + 1, false)";
    if (auto s = to.exec(sql); !s) return Status::error("cannot advance " + table + "." + col + ": " + s.message());
  }
  return Status::ok();
}

}  // namespace

Result<std::vector<CopiedTable>> copyStore(Database& from, Database& to,
                                           const std::function<void(const std::string&)>& progress) {
  const std::string where = " (from " + from.path() + " to " + to.path() + ")";
  auto from_versions = column(from, "SELECT version FROM schema_migrations ORDER BY version");
  auto to_versions = column(to, "SELECT version FROM schema_migrations ORDER BY version");
  if (!from_versions || !to_versions)
    return Status::error("cannot read the schema versions" + where + ": " +
                         (!from_versions ? from_versions.error() : to_versions.error()));
  if (*from_versions != *to_versions)
    return Status::error("the two stores are at different schema versions (" + std::to_string(from_versions->size()) +
                         " and " + std::to_string(to_versions->size()) +
                         " migrations); start abmd once on the source so it is migrated, then copy");
  auto tables = dataTables(from);
  if (!tables) return Status::error("cannot list the tables of " + from.path() + ": " + tables.error());
  for (const auto& t : *tables) {
    auto n = count(to, t);
    if (!n) return Status::error("the target has no table " + t + ": " + n.error());
    if (*n) return Status::error("the target already holds data (" + std::to_string(*n) + " rows in " + t +
                                 "); copy only into an empty store");
  }

  if (auto s = from.beginRead(); !s) return Status::error("cannot read " + from.path() + ": " + s.message());
  Transaction tx(to);
  if (auto s = tx.begin(); !s) return Status::error("cannot write " + to.path() + ": " + s.message());
  std::vector<CopiedTable> copied;
  for (const auto& t : *tables) {
    if (t == "touchpoints" && to.backend() == Backend::Postgresql)
      if (auto s = preparePostgresTouchpoints(from, to); !s) return s;
    int64_t rows = 0;
    if (auto s = copyTable(from, to, t, rows); !s) return Status::error("copy failed" + where + ": " + s.message());
    copied.push_back({t, rows});
    if (progress) progress(t + ": " + std::to_string(rows) + " rows");
  }
  if (to.backend() == Backend::Postgresql)
    if (auto s = advanceSequences(to); !s) return s;
  if (auto s = tx.commit(); !s) return Status::error("cannot commit the copy" + where + ": " + s.message());

  // The counts, both sides, from the committed target and the same snapshot of the source.
  for (const auto& c : copied) {
    auto a = count(from, c.table);
    auto b = count(to, c.table);
    if (!a || !b) return Status::error("cannot count " + c.table + " after the copy: " + (!a ? a.error() : b.error()));
    if (*a != *b || *a != c.rows)
      return Status::error("counts differ after the copy in " + c.table + ": " + std::to_string(*a) + " in the source, " +
                           std::to_string(*b) + " in the target");
  }
  if (to.backend() == Backend::Postgresql) {
    auto tp = count(to, "touchpoints");
    auto keys = count(to, "touchpoint_keys");
    if (!tp || !keys || *tp != *keys) return Status::error("touchpoint_keys does not match touchpoints after the copy");
  }
  (void)from.exec("COMMIT");  // ends the read snapshot
  return copied;
}

}  // namespace abm::store
