#include "store/key_ids.hpp"

#include <algorithm>

namespace abm::store {

Status KeyIds::prepare() {
  // A table whose ids come from elsewhere (account_identities) has no sequence: lookups only.
  auto sequence = db_.prepare("SELECT pg_get_serial_sequence('" + table_ + "', '" + id_column_ + "')");
  if (!sequence) return sequence.status();
  const bool draws = sequence->step() == Step::Row && !sequence->isNull(0);
  if (auto s = sequence->status(); !s) return Status::error("looking for the id sequence of " + table_ + ": " + s.message());
  std::string name;
  if (draws)
    for (const char c : sequence->columnView(0)) name += c == '\'' ? std::string("''") : std::string(1, c);
  sequence->reset();
  // A probe of the key index per row, whatever the statistics say: a hash join would read every key
  // of the source on every batch, a cost that grows with the store.
  const std::string columns = "k." + id_column_ + (also_.empty() ? "" : ", k." + also_);
  const std::string known = "SELECT e.i, " + columns +
                            " FROM unnest(?2::text[]) WITH ORDINALITY e(external_id, i)"
                            " CROSS JOIN LATERAL (SELECT " + columns + " FROM " + table_ +
                            " k WHERE k.source = ?1 AND k.external_id = e.external_id COLLATE \"C\" LIMIT 1) k";
  if (!draws) return prepareAll(db_, {{&known_, known.c_str()}});
  const std::string draw = "SELECT nextval('" + name + "'::regclass) FROM generate_series(1, ?1::bigint)";
  return prepareAll(db_, {{&known_, known.c_str()}, {&draw_, draw.c_str()}});
}

Status KeyIds::lookUp(std::string_view source, const std::vector<std::string_view>& keys, std::vector<int64_t>& ids,
                      std::vector<int64_t>* also) {
  array_ = "{";
  for (const std::string_view key : keys) {
    // libpq sends text up to its first NUL, which PostgreSQL's text cannot hold anyway.
    if (const size_t nul = key.find('\0'); nul != std::string_view::npos)
      return Status::error(what_ + " " + std::string(key.substr(0, nul)) + "…: its external_id holds a NUL byte");
    if (array_.size() > 1) array_ += ',';
    array_ += '"';
    for (const char c : key) {
      if (c == '"' || c == '\\') array_ += '\\';
      array_ += c;
    }
    array_ += '"';
  }
  array_ += '}';
  known_.bindStatic(1, source);
  known_.bindStatic(2, array_);
  while (known_.step() == Step::Row) {
    const int64_t n = known_.columnInt(0);
    if (n < 1 || static_cast<size_t>(n) > keys.size()) continue;
    ids[static_cast<size_t>(n - 1)] = known_.columnInt(1);
    if (also && !also_.empty()) (*also)[static_cast<size_t>(n - 1)] = known_.isNull(2) ? 0 : known_.columnInt(2);
  }
  const Status s = known_.status();
  known_.reset();
  if (!s) return Status::error("looking up their keys: " + s.message());
  return Status::ok();
}

Status KeyIds::draw(size_t count, std::vector<int64_t>& out) {
  out.clear();
  if (!draw_) return Status::error("drawing ids: " + table_ + "." + id_column_ + " has no sequence");
  draw_.bind(1, static_cast<int64_t>(count));
  while (draw_.step() == Step::Row) out.push_back(draw_.columnInt(0));
  const Status s = draw_.status();
  draw_.reset();
  if (!s) return Status::error("drawing ids: " + s.message());
  if (out.size() != count)
    return Status::error("drawing ids: got " + std::to_string(out.size()) + " of " + std::to_string(count));
  std::sort(out.begin(), out.end());
  return Status::ok();
}

}  // namespace abm::store
