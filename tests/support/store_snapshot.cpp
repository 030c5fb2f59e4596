#include "store_snapshot.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <set>

#include "common/timestamp.hpp"

namespace abm::test {

namespace {

// The tables whose rowid stands in other tables (pending_links.row_id of ad_spend rows) or is a
// public column on PostgreSQL; on SQLite it is the implicit rowid.
const std::set<std::string> kRowidTables = {"ad_spend"};

std::string normalised(store::Statement& st, int col, int64_t now_from, int64_t now_to) {
  if (st.isNull(col)) return "NULL";
  const std::string v = st.columnText(col);
  if (v.size() >= 20 && v[4] == '-' && v[10] == 'T' && v.back() == 'Z') {
    if (const auto at = parseTimestamp(v); at && *at >= now_from && *at <= now_to) return "<now>";
    return v;
  }
  if (!v.empty() && (v.front() == '{' || v.front() == '[')) {
    const auto j = nlohmann::json::parse(v, nullptr, false);
    if (!j.is_discarded()) return j.dump();
    return v;
  }
  int64_t i = 0;
  if (auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), i); ec == std::errc() && end == v.data() + v.size())
    return v;
  double d = 0;
  if (auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), d); ec == std::errc() && end == v.data() + v.size()) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.12g", d);
    return buf;
  }
  return v;
}

std::vector<std::string> sqliteRows(const fs::path& file, const std::string& sql, const std::string& bind = "") {
  std::vector<std::string> out;
  auto db = store::Database::open(file.string(), true);
  if (!db) {
    ADD_FAILURE() << "cannot open " << file << ": " << db.error();
    return out;
  }
  auto st = db->prepare(sql);
  if (!st) {
    ADD_FAILURE() << st.error();
    return out;
  }
  if (!bind.empty()) st->bind(1, bind);
  while (st->step() == store::Step::Row) out.push_back(st->columnText(0));
  if (auto s = st->status(); !s) ADD_FAILURE() << s.message();
  return out;
}

}  // namespace

StoreSnapshot snapshotStore(const StoreRef& db, const fs::path& sqlite_shape, int64_t now_from, int64_t now_to,
                            const std::set<std::string>& ignored) {
  StoreSnapshot snapshot;
  auto h = store::Database::open(db.location(), true);
  if (!h) {
    ADD_FAILURE() << "cannot open " << db.string() << ": " << h.error();
    return snapshot;
  }
  for (const auto& table : sqliteRows(sqlite_shape, "SELECT name FROM sqlite_master WHERE type = 'table'"
                                                    " AND name NOT LIKE 'sqlite_%' ORDER BY name")) {
    TableRows& t = snapshot[table];
    if (kRowidTables.count(table)) t.columns.push_back("rowid");
    for (auto& c : sqliteRows(sqlite_shape, "SELECT name FROM pragma_table_info(?1) ORDER BY cid", table))
      t.columns.push_back(std::move(c));
    std::string sql = "SELECT ";
    for (size_t i = 0; i < t.columns.size(); ++i) sql += (i ? ", " : "") + t.columns[i];
    sql += " FROM " + table;
    auto st = h->prepare(sql);
    if (!st) {
      ADD_FAILURE() << "in " << db.string() << ": " << st.error();
      continue;
    }
    while (st->step() == store::Step::Row) {
      std::string row;
      for (int c = 0; c < st->columnCount(); ++c)
        row += (c ? " | " : "") + (ignored.count(table + "." + t.columns[static_cast<size_t>(c)])
                                       ? std::string("<ignored>")
                                       : normalised(*st, c, now_from, now_to));
      t.rows.push_back(std::move(row));
    }
    if (auto s = st->status(); !s) ADD_FAILURE() << "reading " << table << " of " << db.string() << ": " << s.message();
    std::sort(t.rows.begin(), t.rows.end());
  }
  return snapshot;
}

std::string snapshotDifferences(const StoreSnapshot& a, const StoreSnapshot& b, const std::string& name_a,
                                const std::string& name_b) {
  std::string out;
  std::set<std::string> tables;
  for (const auto& [t, rows] : a) tables.insert(t);
  for (const auto& [t, rows] : b) tables.insert(t);
  for (const auto& t : tables) {
    const auto ia = a.find(t), ib = b.find(t);
    if (ia == a.end() || ib == b.end()) {
      out += "table " + t + " only in " + (ia == a.end() ? name_b : name_a) + "\n";
      continue;
    }
    if (ia->second.rows == ib->second.rows) continue;
    std::vector<std::string> only_a, only_b;
    std::set_difference(ia->second.rows.begin(), ia->second.rows.end(), ib->second.rows.begin(), ib->second.rows.end(),
                        std::back_inserter(only_a));
    std::set_difference(ib->second.rows.begin(), ib->second.rows.end(), ia->second.rows.begin(), ia->second.rows.end(),
                        std::back_inserter(only_b));
    std::string columns;
    for (const auto& c : ia->second.columns) columns += (columns.empty() ? "" : " | ") + c;
    out += "table " + t + " (" + columns + "): " + std::to_string(ia->second.rows.size()) + " rows in " + name_a + ", " +
           std::to_string(ib->second.rows.size()) + " in " + name_b + "\n";
    for (size_t i = 0; i < std::min<size_t>(only_a.size(), 5); ++i) out += "  only in " + name_a + ": " + only_a[i] + "\n";
    for (size_t i = 0; i < std::min<size_t>(only_b.size(), 5); ++i) out += "  only in " + name_b + ": " + only_b[i] + "\n";
  }
  return out;
}

}  // namespace abm::test
