// Touchpoints, the store's volume, written in batches. On PostgreSQL a batch's keys are looked up
// first: new touchpoints (most of any sync) get ids drawn from touchpoint_keys' sequence and are
// COPYed straight into touchpoint_keys and touchpoints; known ones are COPYed into a staging table
// and merged (abm_merge_touchpoints: locks, partition moves, the update, set-wise). On SQLite each
// row is upserted with a prepared statement. Either way the last write of a touchpoint wins and new
// touchpoints get their ids in the order they were added, so the same input gives the same ids on
// both backends.
// A batch made with Staging::RowByRow upserts each row on PostgreSQL too (abm_upsert_touchpoint):
// for writers that flush after every row and read the row back at once (the event collector), where
// a COPY per row would cost more than it saves.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "store/database.hpp"
#include "store/key_ids.hpp"

namespace abm::store {

struct TouchpointRow {
  int64_t account_id = 0, contact_id = 0, campaign_id = 0;  // 0: none (NULL)
  std::string external_id, channel, activity, occurred_at;
  std::optional<double> quantity;         // none: 1
  std::optional<std::string> properties;  // a JSON object; none: {}
  std::string account_via_domain;         // empty: NULL
  bool account_via_contact = false;
  bool want_id = false;  // the writer needs the row's touchpoint_id once the batch is written
};

class TouchpointBatch {
 public:
  enum class Staging { Copy, RowByRow };
  TouchpointBatch(Database& db, std::string source, Staging staging = Staging::Copy)
      : db_(db), source_(std::move(source)), copy_(staging == Staging::Copy && db.backend() == Backend::Postgresql) {}
  // Prepares the statements (SQLite) or the session's staging table (PostgreSQL); outside a transaction.
  Status prepare();

  void add(TouchpointRow row);
  size_t size() const { return rows_.size(); }
  bool empty() const { return rows_.empty(); }
  // Drops what was added and not written (the transaction it was for rolled back), and forgets the
  // month partitions it saw made, which may have rolled back with it.
  void clear();

  // Writes the batch in the open transaction; `ids` gets (external_id, touchpoint_id) of the rows
  // added with want_id, in the order they were first added.
  Status flush(std::vector<std::pair<std::string, int64_t>>& ids);

 private:
  Status flushRows(std::vector<std::pair<std::string, int64_t>>& ids);
  Status flushCopy(std::vector<std::pair<std::string, int64_t>>& ids);
  Status lookUpKnown();
  Status rereadKnownIds();
  Status lookUp(const std::vector<size_t>& which);
  Status makeMonths();
  Status copyNew();
  Status mergeKnown();

  Database& db_;
  std::string source_;
  const bool copy_;  // COPY and merge (PostgreSQL), else one upsert per row
  std::vector<TouchpointRow> rows_;
  std::unordered_map<std::string, size_t> position_;  // external_id -> index in rows_ (PostgreSQL)
  Statement upsert_;  // row by row
  Statement id_;      // the id of a written row (row by row)
  Statement clock_;   // SQLite: the store's time, which the batch's new touchpoints are stamped with
  std::string stamp_;
  // COPY: the batch's stored ids (0: a new touchpoint), the ids drawn for the new ones, and the
  // months whose partition this connection has seen made ("YYYY-MM").
  std::vector<int64_t> known_ids_;
  std::vector<int64_t> new_ids_;
  std::unordered_set<std::string> months_made_;
  KeyIds keys_{db_, "touchpoint_keys", "touchpoint_id", "touchpoint"};
  Statement partition_;  // abm_try_touchpoint_partition
  std::string copy_buffer_;
};

// PostgreSQL: a batch whose month had no partition yet, and could not make it without waiting,
// left its rows in touchpoints_default. This makes the missing partitions, which moves the rows
// there, in a short transaction of its own (never inside a writer's). Returns how many months it
// made; 0 on SQLite.
Result<int> moveWaitingTouchpoints(Database& db);


}  // namespace abm::store
