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
    return prepareAll(db_, {{&id_, "SELECT s.external_id, k.touchpoint_id FROM abm_touchpoints_staged s"
                                   " JOIN touchpoint_keys k ON k.source = s.source AND k.external_id = s.external_id"
                                   " WHERE s.want_id ORDER BY s.seq"}});
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
}

Status TouchpointBatch::flush(std::vector<std::pair<std::string, int64_t>>& ids) {
  if (rows_.empty()) return Status::ok();
  Status s = copy_ ? flushCopy(ids) : flushRows(ids);
  clear();
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

Status TouchpointBatch::flushCopy(std::vector<std::pair<std::string, int64_t>>& ids) {
  auto& out = copy_buffer_;
  out.clear();
  int64_t seq = 0;
  for (const auto& r : rows_) {
    appendNumber(out, ++seq);
    for (const int64_t id : {r.account_id, r.contact_id, r.campaign_id}) {
      out += '\t';
      appendField(out, id);
    }
    for (const std::string* text :
         std::initializer_list<const std::string*>{&source_, &r.external_id, &r.channel, &r.activity, &r.occurred_at}) {
      out += '\t';
      appendCopyText(out, *text);
    }
    out += '\t';
    if (r.quantity) {
      char buf[32];
      auto [end, ec] = std::to_chars(buf, buf + sizeof buf, *r.quantity);
      out.append(buf, end);
    } else {
      out += "\\N";
    }
    out += '\t';
    if (r.properties) appendCopyText(out, *r.properties);
    else out += "\\N";
    out += '\t';
    if (r.account_via_domain.empty()) out += "\\N";
    else appendCopyText(out, r.account_via_domain);
    out += r.account_via_contact ? "\tt" : "\tf";
    out += r.want_id ? "\tt\n" : "\tf\n";
  }
  const std::string table = kStaging;
  if (auto s = db_.copyIn("COPY " + table +
                              " (seq, account_id, contact_id, campaign_id, source, external_id, channel, activity,"
                              " occurred_at, quantity, properties, account_via_domain, account_via_contact, want_id)"
                              " FROM STDIN",
                          out);
      !s)
    return Status::error("cannot stage " + std::to_string(rows_.size()) + " touchpoints: " + s.message());
  if (auto s = db_.exec("SELECT abm_merge_touchpoints('" + table + "')"); !s)
    return Status::error("cannot write " + std::to_string(rows_.size()) + " touchpoints: " + s.message());
  while (id_.step() == Step::Row) ids.emplace_back(id_.columnText(0), id_.columnInt(1));
  const Status read = id_.status();
  id_.reset();
  if (!read) return Status::error("cannot read the written touchpoints' ids: " + read.message());
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
