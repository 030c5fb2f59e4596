#include "store/touchpoint_batch.hpp"

#include "store/bulk_insert.hpp"
#include "store/db_clock.hpp"

#include <charconv>
#include <initializer_list>

namespace abm::store {

namespace {

constexpr const char* kStaging = "abm_touchpoints_staged";

void bindOptionalId(Statement& st, int i, int64_t id) {
  if (id > 0) st.bind(i, id);
  else st.bindNull(i);
}

void appendNumber(std::string& out, int64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

void appendField(std::string& out, int64_t id) {
  if (id > 0) appendNumber(out, id);
  else out += "\\N";
}

void appendQuantity(std::string& out, double quantity) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, quantity);
  out.append(buf, end);
}

// The columns both COPYs share after their first: account_id … occurred_at.
void appendMiddle(std::string& out, const std::string& source, const TouchpointRow& r) {
  for (const int64_t id : {r.account_id, r.contact_id, r.campaign_id}) {
    out += '\t';
    appendField(out, id);
  }
  for (const std::string* text :
       std::initializer_list<const std::string*>{&source, &r.external_id, &r.channel, &r.activity, &r.occurred_at}) {
    out += '\t';
    appendCopyText(out, *text);
  }
}

// The last two columns both COPYs share: account_via_domain, account_via_contact.
void appendTail(std::string& out, const TouchpointRow& r) {
  out += '\t';
  if (r.account_via_domain.empty()) out += "\\N";
  else appendCopyText(out, r.account_via_domain);
  out += r.account_via_contact ? "\tt" : "\tf";
}

}  // namespace

Status TouchpointBatch::prepare() {
  if (copy_) {
    // Per session, emptied by every commit: a batch never outlives its transaction.
    auto made = db_.exec(std::string("CREATE TEMP TABLE IF NOT EXISTS ") + kStaging +
                    " (seq bigint NOT NULL, account_id bigint, contact_id bigint, campaign_id bigint,"
                    " source text COLLATE \"C\" NOT NULL, external_id text COLLATE \"C\" NOT NULL, channel text,"
                    " activity text, occurred_at timestamptz NOT NULL, quantity double precision, properties jsonb,"
                    " account_via_domain text, account_via_contact boolean, want_id boolean NOT NULL)"
                    " ON COMMIT DELETE ROWS");
    if (!made) return made;
    if (auto s = keys_.prepare(); !s) return s;
    if (!keys_.draws()) return Status::error("the store's touchpoint_keys table has no sequence to number new touchpoints from");
    return prepareAll(db_, {{&partition_, "SELECT abm_try_touchpoint_partition(?1::timestamptz)"}});
  }
  if (db_.backend() == Backend::Sqlite) {
    // The time new touchpoints are stamped with (updated_at), read once per batch: formatting it in
    // every row's INSERT costs a tenth of SQLite's ingest rate.
    const std::string clock = "SELECT " + sqlChangeTime(db_);
    if (auto s = prepareAll(db_, {{&clock_, clock.c_str()}}); !s) return s;
  }
  return prepareAll(db_, {{&upsert_, db_.touchpointUpsertSql()},
                          {&id_, "SELECT touchpoint_id FROM touchpoints WHERE source = ?1 AND external_id = ?2"}});
}

void TouchpointBatch::add(TouchpointRow row) {
  if (copy_) {
    // One row per touchpoint in a merge: the first one's place (its id order), the last one's values.
    auto [it, fresh] = position_.try_emplace(row.external_id, rows_.size());
    if (!fresh) {
      const bool wanted = rows_[it->second].want_id;
      rows_[it->second] = std::move(row);
      rows_[it->second].want_id |= wanted;
      return;
    }
  }
  rows_.push_back(std::move(row));
}

void TouchpointBatch::clear() {
  rows_.clear();
  position_.clear();
  months_made_.clear();  // a partition made by the rolled-back transaction is gone with it
}

Status TouchpointBatch::flush(std::vector<std::pair<std::string, int64_t>>& ids) {
  if (rows_.empty()) return Status::ok();
  Status s = copy_ ? flushCopy(ids) : flushRows(ids);
  rows_.clear();
  position_.clear();
  return s;
}

Status TouchpointBatch::flushRows(std::vector<std::pair<std::string, int64_t>>& ids) {
  const bool stamp = db_.backend() == Backend::Sqlite;  // PostgreSQL's function takes the column's default
  if (stamp) {
    if (clock_.step() != Step::Row) {
      const Status s = clock_.status();
      clock_.reset();
      return Status::error("cannot read the store's clock: " + (s ? std::string("no row returned") : s.message()));
    }
    stamp_ = clock_.columnText(0);
    clock_.reset();
  }
  for (const auto& r : rows_) {
    auto& st = upsert_;
    bindOptionalId(st, 1, r.account_id);
    bindOptionalId(st, 2, r.contact_id);
    bindOptionalId(st, 3, r.campaign_id);
    st.bindStatic(4, source_);
    st.bindStatic(5, r.external_id);
    st.bindStatic(6, r.channel);
    st.bindStatic(7, r.activity);
    st.bindStatic(8, r.occurred_at);
    if (r.quantity) st.bind(9, *r.quantity);
    else st.bindNull(9);
    if (r.properties) st.bindStatic(10, *r.properties);
    else st.bindNull(10);
    if (r.account_via_domain.empty()) st.bindNull(11);
    else st.bindStatic(11, r.account_via_domain);
    st.bind(12, r.account_via_contact ? 1 : 0);
    if (stamp) st.bindStatic(13, stamp_);
    if (auto s = st.run(); !s) return Status::error("cannot write touchpoint " + r.external_id + ": " + s.message());
    if (!r.want_id) continue;
    id_.bindStatic(1, source_);
    id_.bindStatic(2, r.external_id);
    const bool found = id_.step() == Step::Row;
    const int64_t id = found ? id_.columnInt(0) : 0;
    const Status read = id_.status();
    id_.reset();
    if (!found) return Status::error("cannot write touchpoint " + r.external_id + ": " + (read ? "no row returned" : read.message()));
    ids.emplace_back(r.external_id, id);
  }
  return Status::ok();
}

// New touchpoints skip the staging table and the merge: their keys and rows are COPYed where they
// belong, which is most of a sync and what PostgreSQL's own COPY does (bench/RESULTS.md). Writers
// take turns on the store (docs/store.md, "Ids") and a source is written by one run at a time, so
// no other session makes one of these keys between the lookup and the COPY; were one to, the COPY
// into touchpoint_keys would fail on its primary key and the batch with it, never write twice.
Status TouchpointBatch::flushCopy(std::vector<std::pair<std::string, int64_t>>& ids) {
  const auto fail = [&](const Status& s) {
    return Status::error("cannot write " + std::to_string(rows_.size()) + " touchpoints: " + s.message());
  };
  if (auto s = lookUpKnown(); !s) return fail(s);
  size_t fresh = 0;
  for (const int64_t id : known_ids_) fresh += id == 0;
  if (auto s = makeMonths(); !s) return fail(s);
  if (fresh > 0) {
    if (auto s = keys_.draw(fresh, new_ids_); !s) return fail(s);
    if (auto s = copyNew(); !s) return fail(s);
  }
  if (fresh < rows_.size()) {
    if (auto s = mergeKnown(); !s) return fail(s);
    if (auto s = rereadKnownIds(); !s) return fail(s);
  }
  size_t next_new = 0;
  for (size_t i = 0; i < rows_.size(); ++i) {
    const int64_t id = known_ids_[i] != 0 ? known_ids_[i] : new_ids_[next_new++];
    if (rows_[i].want_id) ids.emplace_back(rows_[i].external_id, id);
  }
  return Status::ok();
}

// known_ids_[i]: the stored id of rows_[i]'s key, 0 for a new touchpoint.
Status TouchpointBatch::lookUpKnown() {
  known_ids_.assign(rows_.size(), 0);
  std::vector<size_t> all(rows_.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  return lookUp(all);
}

// The merge gave a known key a new id if its touchpoint was deleted meanwhile (by a writer outside
// abmd's turns): the ids handed back are read after it, for the rows that want one.
Status TouchpointBatch::rereadKnownIds() {
  std::vector<size_t> wanted;
  for (size_t i = 0; i < rows_.size(); ++i)
    if (known_ids_[i] != 0 && rows_[i].want_id) wanted.push_back(i);
  return wanted.empty() ? Status::ok() : lookUp(wanted);
}

// Sets known_ids_[i] for each listed row whose key is stored.
Status TouchpointBatch::lookUp(const std::vector<size_t>& which) {
  std::vector<std::string_view> keys;
  keys.reserve(which.size());
  for (const size_t i : which) keys.push_back(rows_[i].external_id);
  std::vector<int64_t> found(which.size(), 0);
  if (auto s = keys_.lookUp(source_, keys, found); !s) return s;
  for (size_t k = 0; k < which.size(); ++k)
    if (found[k] != 0) known_ids_[which[k]] = found[k];
  return Status::ok();
}

// The partition of each month in the batch, made now if that needs no waiting (else the rows wait in
// touchpoints_default until the run's end moves them). Timestamps come normalized
// ("YYYY-MM-DDTHH:MM:SSZ"), so the first seven characters name the month; were one not, its rows
// would only wait in touchpoints_default, never be lost.
Status TouchpointBatch::makeMonths() {
  std::unordered_set<std::string> tried;
  for (const auto& r : rows_) {
    std::string month = r.occurred_at.substr(0, 7);
    if (months_made_.count(month) || !tried.insert(month).second) continue;
    partition_.bindStatic(1, r.occurred_at);
    const bool made = partition_.step() == Step::Row && partition_.columnInt(0) != 0;
    const Status s = partition_.status();
    partition_.reset();
    if (!s) return Status::error("making the partition of " + r.occurred_at + ": " + s.message());
    if (made) months_made_.insert(std::move(month));
  }
  return Status::ok();
}

// What abm_merge_touchpoints does for a new touchpoint (schema/postgresql/0011), in COPY: a change
// to how that function writes new rows must be made here too.
Status TouchpointBatch::copyNew() {
  auto& keys = copy_buffer_;
  keys.clear();
  size_t next = 0;
  for (size_t i = 0; i < rows_.size(); ++i) {
    if (known_ids_[i] != 0) continue;
    const auto& r = rows_[i];
    appendCopyText(keys, source_);
    keys += '\t';
    appendCopyText(keys, r.external_id);
    keys += '\t';
    appendNumber(keys, new_ids_[next++]);
    keys += '\t';
    appendCopyText(keys, r.occurred_at);
    keys += '\n';
  }
  if (auto s = db_.copyIn("COPY touchpoint_keys (source, external_id, touchpoint_id, occurred_at) FROM STDIN", keys); !s)
    return Status::error("their keys: " + s.message());
  auto& out = copy_buffer_;
  out.clear();
  next = 0;
  for (size_t i = 0; i < rows_.size(); ++i) {
    if (known_ids_[i] != 0) continue;
    const auto& r = rows_[i];
    appendNumber(out, new_ids_[next++]);
    appendMiddle(out, source_, r);
    out += '\t';
    appendQuantity(out, r.quantity.value_or(1.0));
    out += '\t';
    appendCopyText(out, r.properties ? std::string_view(*r.properties) : std::string_view("{}"));
    appendTail(out, r);
    out += '\n';
  }
  if (auto s = db_.copyIn("COPY touchpoints (touchpoint_id, account_id, contact_id, campaign_id, source, external_id,"
                          " channel, activity, occurred_at, quantity, properties, account_via_domain,"
                          " account_via_contact) FROM STDIN",
                          out);
      !s)
    return Status::error("their rows: " + s.message());
  return Status::ok();
}

// Known touchpoints: staged and merged, which locks their keys, moves a row whose month changed and
// replaces every column.
Status TouchpointBatch::mergeKnown() {
  auto& out = copy_buffer_;
  out.clear();
  for (size_t i = 0; i < rows_.size(); ++i) {
    if (known_ids_[i] == 0) continue;
    const auto& r = rows_[i];
    appendNumber(out, static_cast<int64_t>(i + 1));
    appendMiddle(out, source_, r);
    out += '\t';
    if (r.quantity) appendQuantity(out, *r.quantity);
    else out += "\\N";
    out += '\t';
    if (r.properties) appendCopyText(out, *r.properties);
    else out += "\\N";
    appendTail(out, r);
    out += r.want_id ? "\tt\n" : "\tf\n";
  }
  const std::string table = kStaging;
  if (auto s = db_.copyIn("COPY " + table +
                              " (seq, account_id, contact_id, campaign_id, source, external_id, channel, activity,"
                              " occurred_at, quantity, properties, account_via_domain, account_via_contact, want_id)"
                              " FROM STDIN",
                          out);
      !s)
    return Status::error("staging the known ones: " + s.message());
  if (auto s = db_.exec("SELECT abm_merge_touchpoints('" + table + "')"); !s)
    return Status::error("merging the known ones: " + s.message());
  return db_.exec("TRUNCATE " + table);
}

Result<int> moveWaitingTouchpoints(Database& db) {
  if (db.backend() != Backend::Postgresql) return 0;
  auto waiting = db.prepare("SELECT EXISTS (SELECT 1 FROM touchpoints_default)");
  if (!waiting) return waiting.status();
  const bool any = waiting->step() == Step::Row && waiting->columnInt(0) != 0;
  if (auto s = waiting->status(); !s) return Status::error("looking into touchpoints_default: " + s.message());
  waiting->reset();
  if (!any) return 0;
  auto drain = db.prepare("SELECT abm_drain_touchpoints_default()");
  if (!drain) return drain.status();
  const int months = drain->step() == Step::Row ? static_cast<int>(drain->columnInt(0)) : 0;
  if (auto s = drain->status(); !s) return Status::error("moving touchpoints out of touchpoints_default: " + s.message());
  return months;
}

}  // namespace abm::store
