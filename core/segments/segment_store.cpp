#include "segments/segment_store.hpp"

#include <cctype>

#include "common/timestamp.hpp"
#include "segments/filter_parser.hpp"

namespace abm::segments {

namespace {

SavedSegment row(const store::Statement& st) {
  return {st.columnText(0), st.columnText(1), st.columnText(2), st.columnText(3)};
}

constexpr const char* kColumns = "SELECT name, filter, created_at, updated_at FROM segments";

}  // namespace

Status checkName(const std::string& kind, const std::string& name) {
  if (name.empty() || name.size() > 64)
    return Status::error(kind + " name '" + name + "' must be 1 to 64 characters long");
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.'))
      return Status::error(kind + " name '" + name + "' may only hold letters, digits, '_', '-' and '.'");
  return Status::ok();
}

Status saveSegment(store::Database& db, const std::string& name, const std::string& filter, IfExists if_exists) {
  if (auto s = checkName("segment", name); !s) return s;
  if (auto parsed = parseFilter(filter); !parsed) return parsed.status();
  store::Transaction tx(db);
  if (auto s = tx.begin(); !s) return s;
  auto existing = findSegment(db, name);
  if (!existing) return existing.status();
  if (*existing && if_exists == IfExists::Refuse)
    return Status::error("segment '" + name + "' exists already (filter: " + (*existing)->filter +
                         "); use --replace to change it");
  const std::string now = formatTimestamp(nowEpochSeconds());
  auto st = db.prepare(
      "INSERT INTO segments(name, filter, created_at, updated_at) VALUES(?1, ?2, ?3, ?3)"
      " ON CONFLICT (name) DO UPDATE SET filter = excluded.filter, updated_at = excluded.updated_at");
  if (!st) return st.status();
  st->bind(1, name);
  st->bind(2, filter);
  st->bind(3, now);
  if (auto s = st->run(); !s) return Status::error("saving segment '" + name + "': " + s.message());
  return tx.commit();
}

Result<std::vector<SavedSegment>> listSegments(store::Database& db) {
  auto st = db.prepare(std::string(kColumns) + " ORDER BY name");
  if (!st) return st.status();
  std::vector<SavedSegment> out;
  while (st->step() == store::Step::Row) out.push_back(row(*st));
  if (auto s = st->status(); !s) return Status::error("reading segments: " + s.message());
  return out;
}

Result<std::optional<SavedSegment>> findSegment(store::Database& db, const std::string& name) {
  auto st = db.prepare(std::string(kColumns) + " WHERE name = ?1");
  if (!st) return st.status();
  st->bind(1, name);
  std::optional<SavedSegment> out;
  if (st->step() == store::Step::Row) out = row(*st);
  if (auto s = st->status(); !s) return Status::error("reading segment '" + name + "': " + s.message());
  st->reset();
  return out;
}

Result<bool> deleteSegment(store::Database& db, const std::string& name) {
  auto st = db.prepare("DELETE FROM segments WHERE name = ?1");
  if (!st) return st.status();
  st->bind(1, name);
  if (auto s = st->run(); !s) return Status::error("deleting segment '" + name + "': " + s.message());
  return db.changes() > 0;
}

}  // namespace abm::segments
