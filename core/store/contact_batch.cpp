#include "store/contact_batch.hpp"

#include <charconv>

#include "store/bulk_insert.hpp"
#include "store/db_clock.hpp"

namespace abm::store {

namespace {

constexpr const char* kStaging = "abm_contacts_staged";

void appendId(std::string& out, int64_t id) {
  if (id <= 0) {
    out += "\\N";
    return;
  }
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, id);
  out.append(buf, end);
}

void appendOptional(std::string& out, const std::optional<std::string>& v) {
  if (v) appendCopyText(out, *v);
  else out += "\\N";
}

// The columns both COPYs share: account_id, email … buying_role, source_updated_at,
// account_via_domain, each followed by a tab.
void appendShared(std::string& out, const ContactRow& r) {
  appendId(out, r.account_id);
  for (const auto* v : {&r.email, &r.first_name, &r.last_name, &r.title, &r.buying_role, &r.source_updated_at}) {
    out += '\t';
    appendOptional(out, *v);
  }
  out += '\t';
  if (r.account_via_domain.empty()) out += "\\N";
  else appendCopyText(out, r.account_via_domain);
  out += '\t';
}

}  // namespace

Status ContactBatch::prepare() {
  // Per session, emptied by every commit: a batch never outlives its transaction.
  if (auto s = db_.exec(std::string("CREATE TEMP TABLE IF NOT EXISTS ") + kStaging +
                        " (contact_id bigint NOT NULL, account_id bigint, email text, first_name text,"
                        " last_name text, title text, buying_role text, source_updated_at timestamptz,"
                        " account_via_domain text, created_at timestamptz) ON COMMIT DELETE ROWS");
      !s)
    return s;
  if (auto s = keys_.prepare(); !s) return s;
  if (!keys_.draws()) return Status::error("the store's contacts table has no sequence to number new contacts from");
  // Every column as kContactUpdate sets it; the count tells a contact deleted meanwhile.
  const std::string clock = "SELECT " + sqlChangeTime(db_);
  const std::string update = std::string("WITH u AS (UPDATE contacts c SET account_id = s.account_id,") +
                             " account_via_domain = s.account_via_domain, email = s.email, first_name = s.first_name,"
                             " last_name = s.last_name, title = s.title, buying_role = s.buying_role,"
                             " created_at = coalesce(s.created_at, c.created_at),"
                             " source_updated_at = coalesce(s.source_updated_at, c.source_updated_at),"
                             " created_at_known = (c.created_at_known OR s.created_at IS NOT NULL)"
                             " FROM " + kStaging + " s WHERE c.contact_id = s.contact_id RETURNING 1)"
                             " SELECT count(*) FROM u";
  return prepareAll(db_, {{&clock_, clock.c_str()}, {&update_, update.c_str()}});
}

void ContactBatch::add(ContactRow row) {
  auto [it, fresh] = position_.try_emplace(row.external_id, rows_.size());
  if (fresh) {
    rows_.push_back(std::move(row));
    return;
  }
  // The second write replaces every column but these, which it leaves as the first wrote them
  // when it has none (coalesce in kContactUpdate).
  ContactRow& first = rows_[it->second];
  if (!row.created_at) row.created_at = std::move(first.created_at);
  if (!row.source_updated_at) row.source_updated_at = std::move(first.source_updated_at);
  first = std::move(row);
}

void ContactBatch::clear() {
  rows_.clear();
  position_.clear();
}

Status ContactBatch::flush(const std::string& now, std::vector<std::pair<std::string, int64_t>>& ids) {
  if (rows_.empty()) return Status::ok();
  const size_t count = rows_.size();
  Status s = [&]() -> Status {
    known_ids_.assign(rows_.size(), 0);
    std::vector<std::string_view> keys;
    keys.reserve(rows_.size());
    for (const auto& r : rows_) keys.push_back(r.external_id);
    if (auto s = keys_.lookUp(source_, keys, known_ids_); !s) return s;
    size_t fresh = 0;
    for (const int64_t id : known_ids_) fresh += id == 0;
    if (fresh > 0) {
      if (auto s = keys_.draw(fresh, new_ids_); !s) return s;
      if (auto s = copyNew(now); !s) return s;
    }
    if (fresh < rows_.size())
      if (auto s = updateKnown(); !s) return s;
    size_t next_new = 0;
    for (size_t i = 0; i < rows_.size(); ++i)
      ids.emplace_back(rows_[i].external_id, known_ids_[i] != 0 ? known_ids_[i] : new_ids_[next_new++]);
    return Status::ok();
  }();
  clear();
  if (!s) return Status::error("cannot write " + std::to_string(count) + " contacts: " + s.message());
  return Status::ok();
}

// What kContactInsert writes, in COPY: updated_at is the store's clock, read once for the batch.
Status ContactBatch::copyNew(const std::string& now) {
  if (clock_.step() != Step::Row) {
    const Status s = clock_.status();
    clock_.reset();
    return Status::error("reading the store's clock: " + (s ? std::string("no row returned") : s.message()));
  }
  const std::string stamp = clock_.columnText(0);
  clock_.reset();
  buffer_.clear();
  size_t next = 0;
  for (size_t i = 0; i < rows_.size(); ++i) {
    if (known_ids_[i] != 0) continue;
    const ContactRow& r = rows_[i];
    appendId(buffer_, new_ids_[next++]);
    buffer_ += '\t';
    appendCopyText(buffer_, source_);
    buffer_ += '\t';
    appendCopyText(buffer_, r.external_id);
    buffer_ += '\t';
    appendShared(buffer_, r);
    appendCopyText(buffer_, r.created_at ? *r.created_at : now);
    buffer_ += r.created_at ? "\tt\t" : "\tf\t";
    appendCopyText(buffer_, stamp);
    buffer_ += '\n';
  }
  if (auto s = db_.copyIn("COPY contacts (contact_id, source, external_id, account_id, email, first_name, last_name,"
                          " title, buying_role, source_updated_at, account_via_domain, created_at, created_at_known,"
                          " updated_at) FROM STDIN",
                          buffer_);
      !s)
    return Status::error("the new ones: " + s.message());
  return Status::ok();
}

Status ContactBatch::updateKnown() {
  buffer_.clear();
  size_t known = 0;
  for (size_t i = 0; i < rows_.size(); ++i) {
    if (known_ids_[i] == 0) continue;
    ++known;
    appendId(buffer_, known_ids_[i]);
    buffer_ += '\t';
    appendShared(buffer_, rows_[i]);
    appendOptional(buffer_, rows_[i].created_at);
    buffer_ += '\n';
  }
  if (auto s = db_.copyIn(std::string("COPY ") + kStaging +
                              " (contact_id, account_id, email, first_name, last_name, title, buying_role,"
                              " source_updated_at, account_via_domain, created_at) FROM STDIN",
                          buffer_);
      !s)
    return Status::error("staging the known ones: " + s.message());
  const bool counted = update_.step() == Step::Row;
  const int64_t updated = counted ? update_.columnInt(0) : 0;
  const Status s = update_.status();
  update_.reset();
  if (!s) return Status::error("updating the known ones: " + s.message());
  if (auto t = db_.exec(std::string("TRUNCATE ") + kStaging); !t) return t;
  // Only a writer outside abmd's turns can delete a contact between the lookup and the update.
  if (static_cast<size_t>(updated) != known)
    return Status::error("updating the known ones: " + std::to_string(known - static_cast<size_t>(updated)) +
                         " of them were deleted meanwhile by another writer");
  return Status::ok();
}

}  // namespace abm::store
