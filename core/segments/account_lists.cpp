#include "segments/account_lists.hpp"

#include "common/timestamp.hpp"

namespace abm::segments {

namespace {

// A list's members may be targets through it: the next metrics run recomputes their journeys (the
// "target" stage) instead of keeping what an incremental run would.
Status markMembersDirty(store::Database& db, const std::string& list_name) {
  auto mark = db.prepare(
      "INSERT INTO metrics_dirty_accounts(account_id) SELECT DISTINCT m.account_id FROM account_list_members m"
      " JOIN account_lists l ON l.list_id = m.list_id WHERE l.name = ?1 ON CONFLICT DO NOTHING");
  if (!mark) return mark.status();
  mark->bind(1, list_name);
  return mark->run();
}

constexpr const char* kListColumns =
    "SELECT l.list_id, l.name, l.is_target, l.tier, l.imported_at,"
    " (SELECT count(*) FROM account_list_members m WHERE m.list_id = l.list_id) FROM account_lists l";

AccountList listRow(const store::Statement& st) {
  AccountList l;
  l.list_id = st.columnInt(0);
  l.name = st.columnText(1);
  l.is_target = st.columnInt(2) != 0;
  if (!st.isNull(3)) l.tier = st.columnText(3);
  l.imported_at = st.columnText(4);
  l.members = st.columnInt(5);
  return l;
}

}  // namespace

Status replaceList(store::Database& db, const std::string& name, bool is_target, const std::optional<std::string>& tier,
                   const std::vector<ListMember>& members) {
  const std::string what = "importing list '" + name + "': ";
  store::Transaction tx(db);
  if (auto s = tx.begin(); !s) return Status::error(what + s.message());
  auto upsert = db.prepare(
      "INSERT INTO account_lists(name, is_target, tier, imported_at) VALUES(?1, ?2, ?3, ?4)"
      " ON CONFLICT (name) DO UPDATE SET is_target = excluded.is_target, tier = excluded.tier,"
      " imported_at = excluded.imported_at RETURNING list_id");
  if (!upsert) return Status::error(what + upsert.error());
  upsert->bind(1, name);
  upsert->bind(2, is_target ? 1 : 0);
  upsert->bind(3, tier);
  upsert->bind(4, formatTimestamp(nowEpochSeconds()));
  if (upsert->step() != store::Step::Row) return Status::error(what + upsert->status().message());
  const int64_t list_id = upsert->columnInt(0);
  upsert->reset();
  if (auto s = markMembersDirty(db, name); !s) return Status::error(what + s.message());
  auto clear = db.prepare("DELETE FROM account_list_members WHERE list_id = ?1");
  if (!clear) return Status::error(what + clear.error());
  clear->bind(1, list_id);
  if (auto s = clear->run(); !s) return Status::error(what + s.message());
  auto add = db.prepare(
      "INSERT INTO account_list_members(list_id, account_id, matched_by) VALUES(?1, ?2, ?3)"
      " ON CONFLICT (list_id, account_id) DO NOTHING");
  if (!add) return Status::error(what + add.error());
  for (const auto& m : members) {
    add->bind(1, list_id);
    add->bind(2, m.account_id);
    add->bind(3, m.matched_by);
    if (auto s = add->run(); !s) return Status::error(what + s.message());
  }
  if (auto s = markMembersDirty(db, name); !s) return Status::error(what + s.message());
  if (auto s = tx.commit(); !s) return Status::error(what + s.message());
  return Status::ok();
}

Result<std::vector<AccountList>> listLists(store::Database& db) {
  auto st = db.prepare(std::string(kListColumns) + " ORDER BY l.name");
  if (!st) return st.status();
  std::vector<AccountList> out;
  while (st->step() == store::Step::Row) out.push_back(listRow(*st));
  if (auto s = st->status(); !s) return Status::error("reading account lists: " + s.message());
  return out;
}

Result<std::optional<AccountList>> findList(store::Database& db, const std::string& name) {
  auto st = db.prepare(std::string(kListColumns) + " WHERE l.name = ?1");
  if (!st) return st.status();
  st->bind(1, name);
  std::optional<AccountList> out;
  if (st->step() == store::Step::Row) out = listRow(*st);
  if (auto s = st->status(); !s) return Status::error("reading list '" + name + "': " + s.message());
  st->reset();
  return out;
}

Result<std::vector<ShownMember>> listMembers(store::Database& db, int64_t list_id) {
  auto st = db.prepare(
      "SELECT m.account_id, a.name, a.domain, m.matched_by FROM account_list_members m"
      " LEFT JOIN accounts a ON a.account_id = m.account_id WHERE m.list_id = ?1 ORDER BY m.account_id");
  if (!st) return st.status();
  st->bind(1, list_id);
  std::vector<ShownMember> out;
  while (st->step() == store::Step::Row)
    out.push_back({st->columnInt(0), st->isNull(1) ? "" : st->columnText(1), st->isNull(2) ? "" : st->columnText(2),
                   st->columnText(3)});
  if (auto s = st->status(); !s) return Status::error("reading list members: " + s.message());
  return out;
}

Result<bool> deleteList(store::Database& db, const std::string& name) {
  store::Transaction tx(db);
  if (auto s = tx.begin(); !s) return s;
  if (auto s = markMembersDirty(db, name); !s) return Status::error("deleting list '" + name + "': " + s.message());
  auto members = db.prepare(
      "DELETE FROM account_list_members WHERE list_id IN (SELECT list_id FROM account_lists WHERE name = ?1)");
  if (!members) return members.status();
  members->bind(1, name);
  if (auto s = members->run(); !s) return Status::error("deleting list '" + name + "': " + s.message());
  auto list = db.prepare("DELETE FROM account_lists WHERE name = ?1");
  if (!list) return list.status();
  list->bind(1, name);
  if (auto s = list->run(); !s) return Status::error("deleting list '" + name + "': " + s.message());
  const bool existed = db.changes() > 0;
  if (auto s = tx.commit(); !s) return s;
  return existed;
}

}  // namespace abm::segments
